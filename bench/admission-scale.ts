/**
 * What the volume mode guard costs a PersistentVolumeClaim CREATE on a real API server as the
 * number of VolumeSnapshotContents grows: p50 and p99 over many sequential dry-run creates (which
 * run admission in full and store nothing), with the guard and without it, for a claim that
 * restores nothing, one that restores a Filesystem snapshot and one that restores a Block
 * snapshot; and the API server's resident memory.
 *
 * The guard is installed before the contents are created, as on a cluster that runs it: the
 * contents carry the source-mode label its mutating policy writes. One content in BENCH_BLOCK_EVERY
 * is Block, the rest Filesystem (a cluster of mostly file systems with a few raw volumes).
 *
 *   npm run bench:admission                       (builds/starts a control plane, Kubernetes: the catalog's newest)
 *   BENCH_CONTENTS=0,1000,10000 BENCH_CREATES=200 BENCH_BLOCK_EVERY=20 npm run bench:admission
 *   BENCH_CASES=plain npm run bench:admission     (only the claims that restore nothing)
 *   BENCH_EXCLUDE=labelSnapshotContents ...       (the guard without a policy, e.g. to see what the content labels save)
 *
 * A benchmark script with numbers, not a test: it asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { App, Chart } from 'cdk8s';
import { formatKubernetesMinor } from '../src/catalog';
import { VolumeModeGuard } from '../src/constructs/guard/volume-mode-guard';
import type { MutatingPolicyKey, ValidatingPolicyKey } from '../src/policies';
import { Cluster, crdEstablished, eventually, Obj, removePolicyBindings } from '../test/e2e/support/cluster';
import { objectsIn, renderFor } from '../test/e2e/support/render';

const cluster = new Cluster();
const sizes = (process.env.BENCH_CONTENTS ?? '0,1000,10000').split(',').map(Number);
const creates = Number(process.env.BENCH_CREATES ?? 200);
const blockEvery = Number(process.env.BENCH_BLOCK_EVERY ?? 20);
const cases = new Set((process.env.BENCH_CASES ?? 'plain,restore').split(','));
const exclude = (process.env.BENCH_EXCLUDE ?? '').split(',').filter(Boolean) as (ValidatingPolicyKey | MutatingPolicyKey)[];
const VSC = 'snapshot.storage.k8s.io/v1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const modeOf = (i: number) => (i % blockEvery === 0 ? 'Block' : 'Filesystem');

/** Snapshot names as backup tools make them: a prefix and five pseudo-random characters. */
function snapshotName(i: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let x = (i * 2654435761 + 12345) >>> 0;
  let suffix = '';
  for (let k = 0; k < 5; k++) { x = (x * 1103515245 + 12345) >>> 0; suffix += alphabet[(x >>> 16) % alphabet.length]; }
  return `nightly-${suffix}`;
}

function content(i: number): Obj {
  return {
    apiVersion: VSC, kind: 'VolumeSnapshotContent', metadata: { name: `bench-content-${i}` },
    spec: {
      deletionPolicy: 'Retain', driver: 'hostpath.csi.k8s.io', sourceVolumeMode: modeOf(i),
      source: { snapshotHandle: `handle-${i}` }, volumeSnapshotRef: { name: snapshotName(i), namespace: 'bench' },
    },
  };
}

/** A claim that restores nothing, or restores a snapshot of `mode` into the same mode (allowed). */
function claim(restore?: 'Filesystem' | 'Block'): Obj {
  // Content 0 is Block, content 1 Filesystem.
  const snapshot = restore === 'Block' ? snapshotName(0) : snapshotName(1);
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { generateName: 'bench-', namespace: 'bench' },
    spec: {
      accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } },
      ...(restore ? { volumeMode: restore, dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: snapshot } } : {}),
    },
  };
}

async function fillTo(target: number, have: number): Promise<void> {
  let next = have;
  const worker = async () => {
    for (let i = next++; i < target; i = next++) {
      const res = await cluster.create(content(i));
      if (res.status !== 201 && res.status !== 409) throw new Error(`content ${i}: ${res.status} ${res.body.message}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

async function latencies(body: Obj): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 20; i++) await cluster.create(body, { dryRun: true }); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < creates; i++) {
    const t = process.hrtime.bigint();
    const res = await cluster.create(body, { dryRun: true });
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (res.status !== 201) throw new Error(`claim create: ${res.status} ${res.body.message}`);
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(ms.length * 0.5)], p99: ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.99))] };
}

/** Resident memory of this suite's kube-apiserver, in MiB. */
function apiServerRssMiB(): number {
  const port = new URL(cluster.env.server).port;
  const pid = execFileSync('pgrep', ['-f', `kube-apiserver.*--secure-port=${port}`], { encoding: 'utf8' }).trim().split('\n')[0];
  const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1];
  return Math.round(Number(rss) / 1024);
}

/** The guard as VolumeModeGuard renders it for this server (the beta mutating API where the suite turns it on). */
function guardObjects(): Obj[] {
  const minor = cluster.env.minor;
  const chart = new Chart(new App(), 'bench');
  new VolumeModeGuard(chart, 'Guard', { kubernetesVersion: formatKubernetesMinor(minor), exclude, ...(minor === 34 || minor === 35 ? { allowBetaMutatingApi: true } : {}) });
  return chart.toJson() as Obj[];
}

async function main(): Promise<void> {
  const platform = objectsIn(renderFor(cluster.env.minor));
  for (const o of platform.filter((x) => x.kind === 'CustomResourceDefinition' || x.kind === 'Namespace')) await cluster.put(o);
  for (const crd of platform.filter((x) => x.kind === 'CustomResourceDefinition')) await eventually(() => crdEstablished(cluster, crd.metadata.name), `${crd.metadata.name} Established`);
  await cluster.ensureNamespace('bench');
  const guard = guardObjects();
  const installGuard = async () => { for (const o of guard) await cluster.put(o); await sleep(3000); };
  await installGuard();
  const labelled = guard.some((o) => o.metadata.name === 'label-snapshot-content-source-mode');
  if (labelled) {
    // A MutatingAdmissionPolicy on a custom resource acts only once the server's type converter
    // has the CRD: wait for it, or the first contents would be stored unlabelled.
    await eventually(async () => (await cluster.create(content(0), { dryRun: true })).body.metadata?.labels?.['csi-snapshot-guard.io/source-volume-mode'] === 'Block',
      'the content labelling policy', 120_000, 500);
  }
  console.log(`Kubernetes ${cluster.env.version}; ${creates} sequential dry-run PVC creates per cell, latency in ms (p50 / p99); `
    + `1 content in ${blockEvery} Block; guard${exclude.length ? ` without ${exclude.join(', ')}` : ''}, contents ${labelled ? '' : 'not '}labelled by mode`);
  console.log('| contents | guard | plain PVC | restore into Filesystem | restore into Block | apiserver RSS MiB |');
  console.log('|---|---|---|---|---|---|');
  let have = 0;
  for (const n of sizes) {
    // Contents are created while the guard runs, so its mutating policy labels them.
    await installGuard();
    await fillTo(Math.max(n, 2), have);
    have = Math.max(have, n, 2);
    for (const on of [false, true]) {
      if (on) await installGuard(); else { await removePolicyBindings(cluster); await sleep(3000); }
      const cell = async (kind: 'plain' | 'restore', body: Obj) => {
        if (!cases.has(kind)) return 'not measured';
        const l = await latencies(body);
        return `${l.p50.toFixed(2)} / ${l.p99.toFixed(2)}`;
      };
      const plain = await cell('plain', claim());
      const fs = await cell('restore', claim('Filesystem'));
      const block = await cell('restore', claim('Block'));
      console.log(`| ${n.toLocaleString('en')} | ${on ? 'on' : 'off'} | ${plain} | ${fs} | ${block} | ${apiServerRssMiB()} |`);
    }
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
