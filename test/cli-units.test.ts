import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { DOCTOR_BACKFILL_CLUSTER_ROLE, DOCTOR_READER_CLUSTER_ROLE } from '../src/catalog/doctor-rbac';
import { connect, PLATFORM_MANIFEST, renderExpectedPolicies } from '../src/cli';
import { parseAllDocuments } from 'yaml';
import { exitCodeOf } from '../src/cli/findings';
import { containerArgv, readGoBoolFlag } from '../src/cli/go-flags';
import { parseImage } from '../src/cli/image';
import { DoctorRbac } from '../src/constructs/platform/doctor-rbac';

const FLAG = 'prevent-volume-mode-conversion';

describe('readGoBoolFlag follows Go flag parsing', () => {
  test.each([
    [['--prevent-volume-mode-conversion'], { state: 'set', value: true }],
    [['-prevent-volume-mode-conversion'], { state: 'set', value: true }],
    [['--prevent-volume-mode-conversion=false'], { state: 'set', value: false }],
    [['--prevent-volume-mode-conversion=0'], { state: 'set', value: false }],
    [['--prevent-volume-mode-conversion=T'], { state: 'set', value: true }],
    [['--prevent-volume-mode-conversion=TRUE'], { state: 'set', value: true }],
    [['--v=5'], { state: 'absent' }],
  ])('%j -> %j', (argv, expected) => {
    expect(readGoBoolFlag(argv, FLAG)).toMatchObject(expected);
  });

  test('the last occurrence wins', () => {
    expect(readGoBoolFlag(['--prevent-volume-mode-conversion=true', '--prevent-volume-mode-conversion=false'], FLAG)).toMatchObject({ value: false });
  });

  test('values Go rejects are invalid (yes, tRUE)', () => {
    expect(readGoBoolFlag(['--prevent-volume-mode-conversion=yes'], FLAG).state).toBe('invalid');
    expect(readGoBoolFlag(['--prevent-volume-mode-conversion=tRUE'], FLAG).state).toBe('invalid');
  });

  test('a separate "false" after a bool flag is a positional argument that ends parsing', () => {
    // Go reads `-x false` as -x=true followed by the non-flag "false"; later flags are ignored.
    expect(readGoBoolFlag(['--prevent-volume-mode-conversion', 'false', '--prevent-volume-mode-conversion=false'], FLAG, [FLAG]))
      .toMatchObject({ state: 'set', value: true });
  });

  test('parsing stops at -- and at the first non-flag argument', () => {
    expect(readGoBoolFlag(['--', '--prevent-volume-mode-conversion'], FLAG).state).toBe('absent');
    expect(readGoBoolFlag(['run', '--prevent-volume-mode-conversion'], FLAG).state).toBe('absent');
  });

  test('a non-boolean flag without = consumes the next argument', () => {
    expect(readGoBoolFlag(['--csi-address', '/csi/sock', '--prevent-volume-mode-conversion=false'], FLAG)).toMatchObject({ value: false });
  });

  test('$(VAR) values cannot be known from the spec', () => {
    expect(readGoBoolFlag(['--prevent-volume-mode-conversion=$(PROTECT)'], FLAG).state).toBe('unresolved');
  });

  test('containerArgv: command[1:] then args when the entrypoint is overridden', () => {
    expect(containerArgv({ command: ['/snapshot-controller', '--v=5'], args: ['--leader-election'] })).toEqual(['--v=5', '--leader-election']);
    expect(containerArgv({ args: ['--a'] })).toEqual(['--a']);
  });
});

describe('parseImage', () => {
  test.each([
    ['registry.k8s.io/sig-storage/csi-provisioner:v6.3.0', { repository: 'sig-storage/csi-provisioner', name: 'csi-provisioner', tag: 'v6.3.0' }],
    ['localhost:5000/snapshot-controller:v8.6.0@sha256:abc', { repository: 'snapshot-controller', name: 'snapshot-controller', tag: 'v8.6.0', digest: 'sha256:abc' }],
    ['mirror.example.com:443/k8s/sig-storage/snapshot-controller@sha256:abc', { name: 'snapshot-controller', tag: undefined, digest: 'sha256:abc' }],
    ['csi-provisioner', { repository: 'csi-provisioner', name: 'csi-provisioner', tag: undefined }],
  ])('%s', (image, expected) => {
    expect(parseImage(image)).toMatchObject(expected);
  });
});

test('exit codes: 0 pass/skip, 1 warn, 2 fail', () => {
  expect(exitCodeOf(['pass', 'skip'])).toBe(0);
  expect(exitCodeOf(['pass', 'warn'])).toBe(1);
  expect(exitCodeOf(['warn', 'fail', 'pass'])).toBe(2);
});

describe('DoctorRbac', () => {
  test('renders a read-only ClusterRole and a patch ClusterRole with stable names', () => {
    const chart = Testing.chart();
    new DoctorRbac(chart, 'Doctor');
    const objs = Testing.synth(chart);
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      `ClusterRole/${DOCTOR_READER_CLUSTER_ROLE}`, `ClusterRole/${DOCTOR_BACKFILL_CLUSTER_ROLE}`,
    ]);
    const reader = objs[0];
    const verbs = new Set(reader.rules.flatMap((r: any) => r.verbs));
    expect([...verbs].sort()).toEqual(['get', 'list']);
    expect(objs[1].rules).toEqual([{ apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshotcontents'], verbs: ['get', 'patch'] }]);
  });

  test('backfill: false renders only the reader', () => {
    const chart = Testing.chart();
    new DoctorRbac(chart, 'Doctor', { backfill: false, labels: { team: 'storage' } });
    const objs = Testing.synth(chart);
    expect(objs).toHaveLength(1);
    expect(objs[0].metadata.labels).toMatchObject({ team: 'storage', 'app.kubernetes.io/name': 'doctor', 'app.kubernetes.io/component': 'rbac' });
  });
});

test('connect without any kubeconfig and outside a Pod names the way out', () => {
  const saved = { HOME: process.env.HOME, KUBECONFIG: process.env.KUBECONFIG };
  process.env.HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'no-kube-'));
  delete process.env.KUBECONFIG;
  try {
    if (fs.existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token')) return; // really in a Pod
    expect(() => connect()).toThrow(/no kubeconfig found .* pass --kubeconfig/);
  } finally {
    process.env.HOME = saved.HOME;
    if (saved.KUBECONFIG !== undefined) process.env.KUBECONFIG = saved.KUBECONFIG;
  }
});

describe('the manifest doctor tells users to re-apply', () => {
  test('holds every policy and binding doctor expects on 1.36, spec for spec', () => {
    const docs = parseAllDocuments(fs.readFileSync(PLATFORM_MANIFEST, 'utf8')).map((d) => d.toJSON());
    const shipped = new Map(docs.filter((o) => /AdmissionPolicy/.test(o?.kind ?? '')).map((o) => [`${o.kind}/${o.metadata.name}`, o]));
    const expected = renderExpectedPolicies(36, 'v1');
    expect(expected.length).toBeGreaterThanOrEqual(7);
    for (const p of expected) {
      expect(shipped.get(`${p.policy.kind}/${p.name}`)?.spec, p.name).toEqual(p.policy.spec);
      expect(p.bindings.length, p.name).toBeGreaterThanOrEqual(1);
      for (const b of p.bindings) expect(shipped.get(`${b.kind}/${b.metadata!.name}`)?.spec, b.metadata!.name).toEqual(b.spec);
    }
  });
});
