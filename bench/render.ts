/**
 * Whole-process render benchmark, measured alternately in one run so that machine noise hits every
 * command alike:
 * - `npm run synth`: what a user types (npm's start-up, the freshness check, the render);
 * - the render alone: `node scripts/synth.cjs` with a fresh bundle and code cache;
 * - `node -e 0`: Node's own start-up, the floor under any Node render;
 * - `kubectl kustomize` over the same files, the yardstick (kubectl from PATH or from the e2e
 *   suite's build cache; without one the ratios are skipped).
 * Prints medians, the render's peak RSS and the ratios against the goals (npm run synth <= 3x
 * kustomize, the render <= 1.5x). A benchmark, not a test: it asserts nothing.
 *
 *   npm run bench [-- RUNS]        (default 15 rounds)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const RUNS = Math.max(5, Number(process.argv[2] ?? 15));
const root = path.resolve(__dirname, '..');
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-render-'));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function timeRun(cmd: string, args: string[]): { ms: number; stderr: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: root, env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return { ms, stderr: r.stderr };
}

/** kubectl on PATH, else the newest one the e2e harness built. */
function findKubectl(): string | undefined {
  if (spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0) return 'kubectl';
  const cache = path.join(os.homedir(), '.cache', 'csi-snapshot-guard', 'e2e');
  const built = fs.existsSync(cache) ? fs.readdirSync(cache).sort().reverse().map((v) => path.join(cache, v, 'bin', 'kubectl')).find((f) => fs.existsSync(f)) : undefined;
  return built;
}

// The first run builds the bundle and the code cache if a source changed; not timed.
timeRun(process.execPath, [path.join(root, 'scripts', 'synth.cjs'), '--outdir', path.join(out, 'warm')]);
const rendered = path.join(out, 'warm');
const files = fs.readdirSync(rendered, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml')).sort();
const objects = files.reduce((n, f) => n + (fs.readFileSync(path.join(rendered, f), 'utf8').match(/^kind:/gm)?.length ?? 0), 0);

const kubectl = findKubectl();
const kdir = path.join(out, 'kustomize');
if (kubectl) {
  // The same files kustomize would read: everything but node-config/ (kubelet files, not objects).
  fs.mkdirSync(kdir);
  const manifests = files.filter((f) => !f.startsWith('node-config'));
  manifests.forEach((f) => fs.copyFileSync(path.join(rendered, f), path.join(kdir, f.replace(/\//g, '__'))));
  fs.writeFileSync(path.join(kdir, 'kustomization.yaml'), `resources:\n${manifests.map((f) => `  - ${f.replace(/\//g, '__')}\n`).join('')}`);
}

const times: Record<'npm' | 'render' | 'node' | 'kustomize', number[]> = { npm: [], render: [], node: [], kustomize: [] };
const rssKb: number[] = [];
for (let i = 0; i < RUNS; i++) {
  times.npm.push(timeRun('npm', ['run', '-s', 'synth', '--', '--outdir', path.join(out, 'npm')]).ms);
  const r = timeRun(process.execPath, ['--require', path.join(__dirname, 'max-rss.cjs'), path.join(root, 'scripts', 'synth.cjs'), '--outdir', path.join(out, 'render')]);
  times.render.push(r.ms);
  rssKb.push(Number(/BENCH_MAX_RSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? NaN));
  times.node.push(timeRun(process.execPath, ['-e', '0']).ms);
  if (kubectl) times.kustomize.push(timeRun(kubectl, ['kustomize', kdir]).ms);
}

const m = (k: keyof typeof times) => median(times[k]);
console.log(`default app: ${files.length} files, ${objects} objects; ${RUNS} alternating rounds, medians`);
console.log(`| command | median ms | min ms |`);
console.log(`|---|---|---|`);
const row = (label: string, k: keyof typeof times) => console.log(`| ${label} | ${m(k).toFixed(0)} | ${Math.min(...times[k]).toFixed(0)} |`);
row('`npm run synth`', 'npm');
row('render alone (`node scripts/synth.cjs`)', 'render');
row('Node start-up (`node -e 0`)', 'node');
if (kubectl) row('`kubectl kustomize` over the same files', 'kustomize');
console.log(`render peak RSS: ${(Math.max(...rssKb) / 1024).toFixed(1)} MiB`);
if (kubectl) {
  console.log(`npm run synth / kustomize: ${(m('npm') / m('kustomize')).toFixed(2)}x (goal <= 3x)`);
  console.log(`render / kustomize: ${(m('render') / m('kustomize')).toFixed(2)}x (goal <= 1.5x); Node's start-up alone is ${(m('node') / m('kustomize')).toFixed(2)}x`);
} else {
  console.log('no kubectl on PATH or in the e2e build cache: ratios skipped');
}
fs.rmSync(out, { recursive: true, force: true });
