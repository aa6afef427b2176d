/**
 * What the catalog says about the Kubernetes release under test, asked of that release itself:
 * - the schema file the validator and `cdk8s import` read is what this API server serves;
 * - every catalogued Kubernetes feature gate is accepted, refused or locked by this kube-apiserver
 *   binary exactly as the catalog's lifecycle says (every component registers the same gate list);
 * - claim volume health: from 1.37 the server keeps status.healthStatus with CSIVolumeHealth on and
 *   drops it with the gate off; older servers drop it. doctor lists the unhealthy claims it kept.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLAIM_HEALTH_REPORTED_SINCE, FEATURE_GATES, formatKubernetesMinor, gateState,
} from '../../src/catalog';
import { runDoctor } from '../../src/cli/doctor';
import { connect } from '../../src/cli/kube';
import { schemaFileFor } from '../support/manifest-validator';
import { Cluster, eventually, Obj, startFreshControlPlane } from './support/cluster';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { normalizeServedOpenApi } = require('../../scripts/kubernetes-schema/normalize.cjs');

const cluster = new Cluster();
const minor = cluster.env.minor;
const NS = 'health-e2e';

/** JSON with sorted keys, so key order (which the server and the files do not share) never matters. */
function canonical(v: unknown): string {
  const sort = (x: any): any => (Array.isArray(x) ? x.map(sort)
    : x && typeof x === 'object' ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort(x[k])])) : x);
  return JSON.stringify(sort(v));
}

describe(`the schema file for ${formatKubernetesMinor(minor)} is what the server serves`, () => {
  it('every definition served at /openapi/v2, normalized, equals the file\'s (same release) or is in it (an x.y.0 file)', async () => {
    const file = schemaFileFor(minor);
    const fileVersion = /k8s-(1\.\d+\.\d+)\.json$/.exec(file)![1];
    const res = await cluster.request('GET', '/openapi/v2');
    expect(res.status).toBe(200);
    // Installed CRDs (earlier files applied ours) add their own definitions, named by reversed group.
    const crdPrefixes = (await cluster.list('apiextensions.k8s.io/v1', 'CustomResourceDefinition'))
      .map((crd) => `${String(crd.spec.group).split('.').reverse().join('.')}.`);
    const served: Record<string, unknown> = Object.fromEntries(Object.entries(normalizeServedOpenApi(res.body).definitions as Record<string, unknown>)
      .filter(([name]) => !crdPrefixes.some((p) => name.startsWith(p))));
    const committed: Record<string, unknown> = JSON.parse(fs.readFileSync(file, 'utf8')).definitions;
    expect(Object.keys(served).filter((k) => !(k in committed))).toEqual([]);
    const differ = Object.keys(served).filter((k) => canonical(served[k]) !== canonical(committed[k]));
    if (`v${fileVersion}` === cluster.env.version) {
      expect(differ).toEqual([]);
    } else {
      // A later patch release may reword or tighten a definition (1.30.14 differs from 1.30.0 in 14).
      console.info(`schema ${fileVersion} vs server ${cluster.env.version}: ${differ.length} definitions differ: ${differ.join(', ')}`);
    }
    // The suite's server runs without the alpha and beta APIs the file also describes.
    expect(Object.keys(served).length).toBeGreaterThan(500);
  });
});

describe(`feature gates: the catalog and the kube-apiserver ${cluster.env.version} binary agree`, () => {
  /** Starts the binary with one gate and reads its verdict from the flag parsing it fails on next. */
  function verdict(gate: string, value: boolean): 'accepted' | 'unknown' | 'locked' {
    const bin = `${process.env.KUBE_E2E_BIN}/kube-apiserver`;
    // Without etcd and service-account flags the binary exits right after checking the gates.
    const run = spawnSync(bin, [`--feature-gates=${gate}=${value}`], { encoding: 'utf8', timeout: 20_000 });
    const out = `${run.stdout}${run.stderr}`;
    if (out.includes(`unrecognized feature gate: ${gate}`)) return 'unknown';
    if (new RegExp(`cannot set feature gate ${gate} to ${value}, feature is locked`).test(out)) return 'locked';
    expect(out, `${gate}=${value}: expected the run to stop at the missing required flags`).toMatch(/command failed|must be specified|required flag/);
    return 'accepted';
  }

  for (const gate of FEATURE_GATES) {
    const state = gateState(gate, minor);
    if (state.notYet) continue;
    const expected = !state.accepted ? 'unknown name' : state.phase?.locked ? `locked to ${state.phase.defaultOn}` : 'settable both ways';
    it(`${gate.name}: ${expected}`, () => {
      if (!state.accepted) {
        expect(verdict(gate.name, true)).toBe('unknown');
        return;
      }
      const phase = state.phase!;
      expect(verdict(gate.name, phase.defaultOn)).toBe('accepted');
      expect(verdict(gate.name, !phase.defaultOn)).toBe(phase.locked ? 'locked' : 'accepted');
    });
  }
});

describe('claim volume health (status.healthStatus)', () => {
  const claim = (name: string): Obj => ({
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: NS },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'none' },
  });
  const health = { healthStatus: { healthConditions: [{ status: 'DataLoss', reason: 'ChecksumMismatch', message: 'blocks 3-9' }] } };

  /** Writes the health the monitor v0.19 reports through the status subresource; returns what was stored. */
  async function reportHealth(c: Cluster, name: string): Promise<unknown> {
    await c.ensureNamespace(NS);
    await eventually(async () => [200, 201, 409].includes((await c.create(claim(name))).status), `claim ${name} created`);
    const path = `/api/v1/namespaces/${NS}/persistentvolumeclaims/${name}/status`;
    const res = await c.request('PATCH', path, { body: { status: health }, contentType: 'application/merge-patch+json' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (await c.get('v1', 'PersistentVolumeClaim', name, NS))?.status?.healthStatus;
  }

  beforeAll(async () => {
    await cluster.ensureNamespace(NS);
  });
  afterAll(async () => {
    await cluster.remove('v1', 'Namespace', NS);
  });

  if (minor >= CLAIM_HEALTH_REPORTED_SINCE) {
    it('with CSIVolumeHealth on (the suite\'s server) the condition is stored, and doctor lists the claim', async () => {
      expect(await reportHealth(cluster, 'db')).toMatchObject(health.healthStatus);
      const report = await runDoctor(connect({ kubeconfig: cluster.env.kubeconfig }));
      const f = report.findings.find((x) => x.id === 'volume-health.claims')!;
      expect(f.status).toBe('warn');
      expect(f.evidence).toContain(`${NS}/db: DataLoss/ChecksumMismatch (blocks 3-9)`);
    });

    it('with CSIVolumeHealth off the server drops it: the gate is needed on the API server too', async () => {
      const off = await startFreshControlPlane('--feature-gates=CSIVolumeHealth=false');
      try {
        expect(await reportHealth(off.cluster, 'db')).toBeUndefined();
      } finally {
        await off.stop();
      }
    });
  } else {
    it(`before 1.${CLAIM_HEALTH_REPORTED_SINCE} the field does not exist and is dropped (the health monitor stays on v0.18)`, async () => {
      expect(await reportHealth(cluster, 'db')).toBeUndefined();
    });
  }
});
