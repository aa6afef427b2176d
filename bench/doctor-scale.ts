/**
 * Scale run for `doctor`: the audit pages through N VolumeSnapshotContents served by the fake API
 * server and reports time and peak memory. The server runs in its own process so the client's
 * numbers are its own; each N runs in a fresh client process so maxRSS is per run.
 *
 *   npx tsx bench/doctor-scale.ts            # N = 1,000 and 10,000 (and 50,000), page size 500
 *   npx tsx bench/doctor-scale.ts 10000 250  # one run: N, page size
 *
 * Not a test: timings depend on the machine. Every 10th content lacks spec.sourceVolumeMode and
 * every 100th carries the allow-volume-mode-change annotation, so the check has work to do.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as readline from 'node:readline';
import { connect, runDoctor } from '../src/cli';
import { FakeApiServer } from '../test/support/fake-apiserver';

const ROLE = process.env.DOCTOR_SCALE_ROLE;

function content(i: number) {
  const name = `snapcontent-${String(i).padStart(8, '0')}`;
  return {
    apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotContent',
    metadata: { name, uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, resourceVersion: String(100000 + i),
      creationTimestamp: '2026-03-01T10:00:00Z', generation: 1,
      finalizers: ['snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection'],
      ...(i % 100 === 0 ? { annotations: { 'snapshot.storage.kubernetes.io/allow-volume-mode-change': 'true' } } : {}) },
    spec: {
      deletionPolicy: 'Delete', driver: 'hostpath.csi.k8s.io', volumeSnapshotClassName: 'csi-hostpath-snapclass',
      source: { volumeHandle: `7b6f3a1e-${i}-4c1d-9a55-hostpath` },
      volumeSnapshotRef: { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', name: `snap-${i}`, namespace: `team-${i % 50}`,
        resourceVersion: String(90000 + i), uid: `11111111-0000-4000-8000-${String(i).padStart(12, '0')}` },
      ...(i % 10 === 0 ? {} : { sourceVolumeMode: i % 3 === 0 ? 'Block' : 'Filesystem' }),
    },
    status: { creationTime: 1772359200000000000, readyToUse: true, restoreSize: 1073741824, snapshotHandle: `snap-handle-${i}` },
  };
}

async function serve(count: number) {
  const s = await FakeApiServer.start();
  for (const plural of ['volumesnapshotclasses', 'volumesnapshotcontents', 'volumesnapshots']) {
    s.add({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.snapshot.storage.k8s.io` },
      spec: { group: 'snapshot.storage.k8s.io', versions: [{ name: 'v1', served: true, storage: true }] } });
  }
  s.addGenerated('volumesnapshotcontents', count, content);
  process.stdout.write(JSON.stringify({ kubeconfig: s.writeKubeconfig() }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', () => void s.close().then(() => process.exit(0)));
}

async function client(count: number, pageSize: number) {
  const server = spawn(process.execPath, ['--import', 'tsx', __filename, String(count)], {
    env: { ...process.env, DOCTOR_SCALE_ROLE: 'server' }, stdio: ['pipe', 'pipe', 'inherit'] });
  const { kubeconfig } = JSON.parse(await firstLine(server));
  let peakHeap = 0;
  let peakRss = 0;
  let pages = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  };
  // Baseline after loading the client: the scan's own cost is the difference.
  const rssBefore = process.memoryUsage().rss;
  const start = performance.now();
  const report = await runDoctor(connect({ kubeconfig }), {
    pageSize,
    progress: (m) => { if (m.startsWith('volumesnapshotcontents')) pages++; sample(); },
  });
  const ms = performance.now() - start;
  sample();
  server.stdin!.end();
  const missing = report.findings.find((f) => f.id === 'contents.source-volume-mode');
  process.stdout.write(JSON.stringify({
    count, pageSize, pages, ms: Math.round(ms),
    maxRssMiB: +(process.resourceUsage().maxRSS / 1024).toFixed(1),
    peakHeapMiB: +(peakHeap / 2 ** 20).toFixed(1),
    rssBeforeMiB: +(rssBefore / 2 ** 20).toFixed(1),
    peakRssMiB: +(peakRss / 2 ** 20).toFixed(1),
    missingSummary: missing?.summary,
  }) + '\n');
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout! });
    rl.once('line', (line) => { rl.close(); resolve(line); });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

async function main() {
  const [countArg, pageArg] = process.argv.slice(2);
  if (ROLE === 'server') return serve(Number(countArg));
  if (ROLE === 'client') return client(Number(countArg), Number(pageArg ?? 500));
  const runs = countArg ? [[Number(countArg), Number(pageArg ?? 500)]] : [[1_000, 500], [10_000, 500], [50_000, 500]];
  console.log('count   pageSize  pages  time(ms)  rssBefore  peakRSS  maxRSS  peakHeap  (MiB)  finding');
  for (const [count, pageSize] of runs) {
    const child = spawn(process.execPath, ['--import', 'tsx', __filename, String(count), String(pageSize)], {
      env: { ...process.env, DOCTOR_SCALE_ROLE: 'client' }, stdio: ['ignore', 'pipe', 'inherit'] });
    const r = JSON.parse(await firstLine(child));
    console.log(`${String(r.count).padEnd(8)}${String(r.pageSize).padEnd(10)}${String(r.pages).padEnd(7)}${String(r.ms).padEnd(10)}`
      + `${String(r.rssBeforeMiB).padEnd(11)}${String(r.peakRssMiB).padEnd(9)}${String(r.maxRssMiB).padEnd(8)}${String(r.peakHeapMiB).padEnd(17)}${r.missingSummary}`);
  }
}

void main();
