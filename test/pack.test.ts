/**
 * The published package, used the way a user uses it: `npm pack` (prepack builds lib/), install the
 * tarball into a fresh project next to cdk8s and constructs, synthesize a chart written in plain
 * CommonJS there, and read what it wrote. Catches what in-tree tests cannot: a missing export, a
 * `files` list that drops lib/, `exports`/`types` pointing at files that are not shipped, a runtime
 * dependency declared only as a devDependency.
 *
 * Slow (build + install, ~30 s on a warm npm cache), so it lives alone. The library is packed from
 * a temporary copy of the project so the working tree never gets a lib/ folder or a tarball.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as YAML from 'yaml';
import { DOCTOR_NPX_COMMAND } from '../src/cli/install';
import { expectValid } from './support/manifest-validator';
import { HAS_SHARED } from './support/shared';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { BUDGET_BYTES, measureInstall }: typeof import('../scripts/install-size.cjs') = require('../scripts/install-size.cjs');

const PROJECT = path.resolve(__dirname, '..');
const TIMEOUT = 240_000;
const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT, 'package.json'), 'utf8'));

interface PackedFile { path: string }
interface PackResult { filename: string; files: PackedFile[] }

let root: string;
let packed: PackResult;
let tarball: string;
let consumer: string;
let objects: Record<string, any>[];
let exportNames: string[];
let installed: ReturnType<typeof measureInstall>;

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, {
      cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, npm_config_update_notifier: 'false', npm_config_loglevel: 'error' },
    });
  } catch (e: any) {
    throw new Error(`'${cmd} ${args.join(' ')}' failed in ${cwd}:\n${e.stderr ?? ''}\n${e.stdout ?? ''}`);
  }
}

/** An older constructs 10.x than the one this project develops with. */
const CONSUMER_CONSTRUCTS = '10.4.2';

/** The chart a user would write: plain JavaScript, only the package's public names. */
const CONSUMER_CHART = `'use strict';
const path = require('node:path');
const { App, Chart } = require('cdk8s');
const lib = require('csi-snapshot-guard');

const app = new App({ outdir: path.join(__dirname, 'dist') });
const chart = new Chart(app, 'snapshots');
chart.node.setContext(lib.KUBERNETES_VERSION_CONTEXT, '1.34');
new lib.SnapshotCrds(chart, 'Crds', { groupSnapshots: true });
new lib.SnapshotController(chart, 'Controller', { namespace: 'snapshot-system' });
app.synth();
process.stdout.write(JSON.stringify({ exports: Object.keys(lib).sort() }));
`;

/**
 * A TypeScript app of the kind the README describes: its own cdk8s-plus subjects and namespace,
 * enum props written as string literals, types resolved through package.json \`exports\`.
 */
const CONSUMER_TS = `import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  CsiDriver, KUBERNETES_VERSION_CONTEXT, SnapshotController, SnapshotControllerProps, SnapshotCrds, StorageClass, VolumeModeGuard,
} from 'csi-snapshot-guard';

const app = new App({ outdir: path.join(__dirname, '..', 'typed-dist') });
const chart = new Chart(app, 'typed');
chart.node.setContext(KUBERNETES_VERSION_CONTEXT, '1.36');
const ns = new kplus.Namespace(chart, 'Ns', { metadata: { name: 'snapshot-system' } });
const props: SnapshotControllerProps = { namespace: ns };
new SnapshotCrds(chart, 'Crds', {});
export const controller: SnapshotController = new SnapshotController(chart, 'Controller', props);
new CsiDriver(chart, 'Driver', {
  driverName: 'csi.example.com', driverImage: 'quay.io/example/csi:v1.0.0', namespace: 'storage',
  capabilities: ['CONTROLLER_SERVICE', 'CREATE_DELETE_VOLUME', 'CREATE_DELETE_SNAPSHOT'],
});
new StorageClass(chart, 'Fast', { name: 'fast', provisioner: 'csi.example.com', reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' });
new VolumeModeGuard(chart, 'Guard', {
  defaultActions: ['Deny'],
  approvers: [kplus.Group.fromName(chart, 'Admins', 'storage-admins')],
  exempt: { restoreKeepsVolumeMode: { subjects: [new kplus.ServiceAccount(chart, 'Velero', { metadata: { name: 'velero', namespace: 'velero' } })] } },
});
app.synth();
`;

describe('packed library used from a fresh project', () => {
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'csi-snapshot-guard-pack-'));
    const copy = path.join(root, 'lib-src');
    const out = path.join(root, 'tarball');
    fs.mkdirSync(out);
    fs.mkdirSync(copy);
    for (const entry of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'LICENSE', 'bin', 'src']) {
      if (fs.existsSync(path.join(PROJECT, entry))) fs.cpSync(path.join(PROJECT, entry), path.join(copy, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(PROJECT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
    // prepack runs the build; lifecycle output goes to stderr, so stdout is the JSON report.
    packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', out], copy))[0];
    tarball = path.join(out, packed.filename);

    consumer = path.join(root, 'consumer');
    fs.mkdirSync(consumer);
    fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({
      name: 'csi-snapshot-guard-consumer',
      version: '0.0.0',
      private: true,
      dependencies: {},
    }, null, 2));
    // The app brings its own cdk8s (the newest 2.x this project develops with) and an older
    // constructs 10.x (the one a user reported a duplicate copy with): the library's peers. What the
    // library adds on top is measured the way `npm run install-size` does.
    installed = measureInstall(tarball, consumer, { cdk8s: pkg.devDependencies.cdk8s, constructs: CONSUMER_CONSTRUCTS });
    fs.writeFileSync(path.join(consumer, 'chart.js'), CONSUMER_CHART);
    exportNames = JSON.parse(run(process.execPath, ['chart.js'], consumer)).exports;
    const yaml = fs.readFileSync(path.join(consumer, 'dist', 'snapshots.k8s.yaml'), 'utf8');
    objects = YAML.parseAllDocuments(yaml).map((d) => d.toJSON()).filter(Boolean);
  }, TIMEOUT);

  afterAll(() => {
    if (root && !process.env.KEEP_PACK_TEST_DIR) fs.rmSync(root, { recursive: true, force: true });
  });

  test('the tarball ships compiled JavaScript with declarations, the LICENSE and the bin, and no sources or tests', () => {
    const files = packed.files.map((f) => f.path);
    expect(files).toContain('package.json');
    expect(files).toContain('LICENSE');
    expect(files).toContain(pkg.bin['csi-snapshot-guard']);
    expect(files).toContain('lib/index.js');
    expect(files).toContain('lib/index.d.ts');
    const js = files.filter((f) => f.startsWith('lib/') && f.endsWith('.js'));
    const missingDts = js.filter((f) => !files.includes(f.replace(/\.js$/, '.d.ts')));
    expect(missingDts).toEqual([]);
    expect(files.filter((f) => (f.endsWith('.ts') && !f.endsWith('.d.ts')) || f.startsWith('test/') || f.startsWith('src/'))).toEqual([]);
  });

  test('every file named by main, types and exports is in the tarball', () => {
    const files = new Set(packed.files.map((f) => f.path));
    const targets: string[] = [pkg.main, pkg.types];
    for (const [subpath, target] of Object.entries<any>(pkg.exports)) {
      if (typeof target === 'string') targets.push(target);
      else for (const t of Object.values<string>(target)) targets.push(t);
      expect(subpath.startsWith('.')).toBe(true);
    }
    const missing = targets.map((t) => t.replace(/^\.\//, '')).filter((t) => !files.has(t));
    expect(missing).toEqual([]);
  });

  test('the installed bin runs the doctor CLI (npx csi-snapshot-guard)', () => {
    const bin = path.join(consumer, 'node_modules', '.bin', 'csi-snapshot-guard');
    expect(run(bin, ['--version'], consumer)).toBe(`csi-snapshot-guard ${pkg.version}\n`);
    expect(run(bin, ['doctor', '--help'], consumer)).toMatch(/^usage:\n {2}csi-snapshot-guard doctor/);
  });

  test("the library uses the app's own cdk8s and constructs (peer dependencies): no second copy is nested", () => {
    expect(pkg.peerDependencies).toMatchObject({ cdk8s: expect.any(String), constructs: expect.any(String) });
    expect(pkg.dependencies?.cdk8s).toBeUndefined();
    expect(pkg.dependencies?.constructs).toBeUndefined();
    const nested = path.join(consumer, 'node_modules', 'csi-snapshot-guard', 'node_modules');
    expect(fs.existsSync(path.join(nested, 'constructs'))).toBe(false);
    expect(fs.existsSync(path.join(nested, 'cdk8s'))).toBe(false);
    const fromLibrary = run(process.execPath, ['-p', `require(require.resolve('constructs/package.json', { paths: [${JSON.stringify(path.join(consumer, 'node_modules', 'csi-snapshot-guard'))}] })).version`], consumer).trim();
    expect(fromLibrary).toBe(CONSUMER_CONSTRUCTS);
  });

  test('the installed package resolves through its exports map', () => {
    const resolve = (id: string) => run(process.execPath, ['-p', `require.resolve(${JSON.stringify(id)})`], consumer).trim();
    expect(resolve('csi-snapshot-guard')).toBe(path.join(consumer, 'node_modules', 'csi-snapshot-guard', 'lib', 'index.js'));
    expect(resolve('csi-snapshot-guard/package.json')).toBe(path.join(consumer, 'node_modules', 'csi-snapshot-guard', 'package.json'));
    // Deep imports are not part of the API: the exports map must refuse them.
    expect(() => resolve('csi-snapshot-guard/lib/constructs/_validation')).toThrow(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
  });

  test(`installing it adds under ${BUDGET_BYTES / 1024 / 1024} MB to an app with cdk8s and constructs (no cluster client, no cdk8s-plus)`, () => {
    expect(installed.addedBytes).toBeGreaterThan(0);
    expect(installed.addedBytes).toBeLessThanOrEqual(BUDGET_BYTES);
    for (const absent of ['@kubernetes/client-node', 'cdk8s-plus-27', 'yaml']) {
      expect([absent, fs.existsSync(path.join(consumer, 'node_modules', absent))]).toEqual([absent, false]);
    }
  });

  test('doctor without its optional cluster client says how to get it, in one line', () => {
    const bin = path.join(consumer, 'node_modules', '.bin', 'csi-snapshot-guard');
    let out = '';
    try {
      execFileSync(bin, ['doctor', '--kubeconfig', path.join(consumer, 'no-such-kubeconfig')], { cwd: consumer, encoding: 'utf8', stdio: 'pipe' });
    } catch (e: any) {
      out = `${e.stdout}${e.stderr}`;
      expect(e.status).toBe(2);
    }
    expect(out).toMatch(/doctor needs @kubernetes\/client-node ~1\.4\.0 \(an optional peer dependency of csi-snapshot-guard\)/);
    expect(out).toContain('npx -y -p csi-snapshot-guard -p @kubernetes/client-node@~1.4.0 csi-snapshot-guard doctor');
  });

  test('the one-line doctor runs where nothing is installed (npx, with the tarball in place of the registry name)', () => {
    const empty = fs.mkdtempSync(path.join(root, 'npx-'));
    const line = DOCTOR_NPX_COMMAND.replace('-p csi-snapshot-guard ', `-p ${tarball} `).split(' ');
    let out = '';
    try {
      execFileSync(line[0], [...line.slice(1), '--kubeconfig', path.join(empty, 'no-such-kubeconfig')], {
        cwd: empty, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, npm_config_update_notifier: 'false', npm_config_prefer_offline: 'true' },
      });
    } catch (e: any) {
      out = `${e.stdout}${e.stderr}`;
      expect(e.status).toBe(2);
    }
    // It got as far as reading the kubeconfig: the cluster client was there.
    expect(out).not.toMatch(/needs @kubernetes\/client-node/);
    expect(out).toMatch(/no-such-kubeconfig/);
  }, TIMEOUT);

  test("a TypeScript app with cdk8s-plus subjects and string literals type-checks under the app's own TypeScript and synthesizes", () => {
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund',
      `cdk8s-plus-27@${pkg.devDependencies['cdk8s-plus-27']}`, `typescript@${pkg.devDependencies.typescript}`, `@types/node@${pkg.devDependencies['@types/node']}`], consumer);
    fs.writeFileSync(path.join(consumer, 'typed.ts'), CONSUMER_TS);
    fs.writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'ES2022', strict: true, outDir: 'typed-js', types: ['node'], skipLibCheck: true },
      files: ['typed.ts'],
    }));
    // The app's own TypeScript, not this project's.
    expect(run(process.execPath, [path.join(consumer, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], consumer)).toBe('');
    run(process.execPath, [path.join('typed-js', 'typed.js')], consumer);
    const typed = YAML.parseAllDocuments(fs.readFileSync(path.join(consumer, 'typed-dist', 'typed.k8s.yaml'), 'utf8')).map((d) => d.toJSON()).filter(Boolean);
    const controller = typed.find((o) => o.kind === 'Deployment' && o.metadata.name === 'snapshot-controller');
    expect(controller.metadata.namespace).toBe('snapshot-system');
    const approver = typed.find((o) => o.kind === 'ClusterRoleBinding' && o.roleRef.name === 'volume-mode-change-approver');
    expect(approver?.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'storage-admins' }]);
    const restore = typed.find((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name === 'snapshot-restore-keeps-volume-mode');
    expect(JSON.stringify(restore.spec.matchConditions)).toContain('system:serviceaccount:velero:velero');
    expect(typed.find((o) => o.kind === 'StorageClass')).toMatchObject({ reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' });
    expect(typed.filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.namespace)).toEqual(['storage']);
  }, TIMEOUT);

  test('the public API names the consumer chart relies on are exported', () => {
    expect(exportNames).toEqual(expect.arrayContaining([
      'KUBERNETES_VERSION_CONTEXT', 'SnapshotController', 'SnapshotCrds', 'COMPONENT_RELEASES', 'SNAPSHOT_STACK_KUBERNETES',
    ]));
  });

  test('the synthesized chart has the snapshot CRDs, group snapshot CRDs included', () => {
    const crdNames = objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name).sort();
    expect(crdNames).toEqual([
      'volumegroupsnapshotclasses.groupsnapshot.storage.k8s.io',
      'volumegroupsnapshotcontents.groupsnapshot.storage.k8s.io',
      'volumegroupsnapshots.groupsnapshot.storage.k8s.io',
      'volumesnapshotclasses.snapshot.storage.k8s.io',
      'volumesnapshotcontents.snapshot.storage.k8s.io',
      'volumesnapshots.snapshot.storage.k8s.io',
    ]);
  });

  test('the synthesized chart has a snapshot-controller Deployment that refuses volume mode conversion', () => {
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    expect(deployments).toHaveLength(1);
    const [d] = deployments;
    expect(d.metadata.namespace).toBe('snapshot-system');
    const containers: { image: string; args?: string[] }[] = d.spec.template.spec.containers;
    const controller = containers.find((c) => c.image.includes('/sig-storage/snapshot-controller:'));
    expect(controller, `no snapshot-controller container in ${JSON.stringify(containers.map((c) => c.image))}`).toBeDefined();
    expect(controller!.args).toContain('--prevent-volume-mode-conversion=true');
  });

  test.skipIf(!HAS_SHARED)('everything the consumer synthesized is valid Kubernetes 1.34', () => {
    expectValid(objects, { kubernetesVersion: '1.34' });
  });
});
