/**
 * What the volume mode guard costs an ordinary request on a real API server, as the number of
 * VolumeSnapshotContents grows: PersistentVolumeClaim CREATE latency (p50, p99 over many
 * sequential dry-run creates, which run admission in full and store nothing) with and without the
 * guard, for a claim that restores a snapshot and one that does not, and the API server's memory.
 *
 *   npm run bench:admission                       (builds/starts a control plane, Kubernetes: the catalog's newest)
 *   BENCH_CONTENTS=0,1000,10000 BENCH_CREATES=200 npm run bench:admission
 *   BENCH_CASES=plain npm run bench:admission     (skip the restoring claims: slow at 10,000 contents)
 *
 * A benchmark script with numbers, not a test: it asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { Cluster, Obj, removePolicyBindings } from '../test/e2e/support/cluster';
import { objectsIn, renderFor } from '../test/e2e/support/render';

const cluster = new Cluster();
const sizes = (process.env.BENCH_CONTENTS ?? '0,1000,10000').split(',').map(Number);
const creates = Number(process.env.BENCH_CREATES ?? 200);
const cases = new Set((process.env.BENCH_CASES ?? 'plain,restore').split(','));
const VSC = 'snapshot.storage.k8s.io/v1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function content(i: number): Obj {
  return {
    apiVersion: VSC, kind: 'VolumeSnapshotContent', metadata: { name: `bench-content-${i}` },
    spec: {
      deletionPolicy: 'Retain', driver: 'hostpath.csi.k8s.io', sourceVolumeMode: i % 2 ? 'Block' : 'Filesystem',
      source: { snapshotHandle: `handle-${i}` }, volumeSnapshotRef: { name: `snap-${i}`, namespace: 'bench' },
    },
  };
}

function claim(restore: boolean): Obj {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { generateName: 'bench-', namespace: 'bench' },
    spec: {
      accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } },
      // snap-0 is bound to a Filesystem content, and the claim keeps the mode: allowed.
      ...(restore ? { dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'snap-0' } } : {}),
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

async function latencies(restore: boolean): Promise<{ p50: number; p99: number }> {
  const body = claim(restore);
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

async function main(): Promise<void> {
  const platform = objectsIn(renderFor(cluster.env.minor));
  const guard = platform.filter((o) => /AdmissionPolicy/.test(o.kind));
  for (const o of platform.filter((x) => x.kind === 'CustomResourceDefinition' || x.kind === 'Namespace')) await cluster.put(o);
  await cluster.ensureNamespace('bench');
  console.log(`Kubernetes ${cluster.env.version}, ${creates} sequential dry-run PVC creates per cell; latency in ms (p50 / p99)`);
  console.log('| contents | guard | plain PVC p50 / p99 | restoring PVC p50 / p99 | apiserver RSS MiB |');
  console.log('|---|---|---|---|---|');
  let have = 0;
  for (const n of sizes) {
    await fillTo(n, have);
    have = Math.max(have, n);
    for (const on of [false, true]) {
      if (on) { for (const o of guard) await cluster.put(o); } else { await removePolicyBindings(cluster); }
      await sleep(3000);
      const cell = async (restore: boolean) => {
        if (!cases.has(restore ? 'restore' : 'plain')) return 'not measured';
        const l = await latencies(restore);
        return `${l.p50.toFixed(2)} / ${l.p99.toFixed(2)}`;
      };
      const plain = await cell(false);
      const restore = await cell(true);
      console.log(`| ${n.toLocaleString('en')} | ${on ? 'on' : 'off'} | ${plain} | ${restore} | ${apiServerRssMiB()} |`);
    }
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
