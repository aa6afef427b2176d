/**
 * Whole-process render benchmark: the default app rendered by `node .build/synth.cjs` (what
 * `npm run synth` runs after bundling), against `kubectl kustomize` over the same YAML files.
 * Prints medians of RUNS runs, peak RSS and the ratio. Usage: npm run bench [-- RUNS]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const RUNS = Math.max(5, Number(process.argv[2] ?? 9));
const root = path.resolve(__dirname, '..');
const bundle = path.join(root, '.build', 'synth.cjs');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function timeRun(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): { ms: number; stderr: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return { ms, stderr: r.stderr };
}

const esbuild = path.join(root, 'node_modules', '.bin', 'esbuild');
const bundleStep = timeRun(esbuild, ['src/main.ts', '--bundle', '--platform=node', '--target=node20', '--packages=external',
  `--outfile=${bundle}`, '--log-level=warning']);

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-render-'));
const renderMs: number[] = [];
const rssKb: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const r = timeRun(process.execPath, ['--require', path.join(__dirname, 'max-rss.cjs'), bundle], { CDK8S_OUTDIR: path.join(out, 'dist') });
  renderMs.push(r.ms);
  rssKb.push(Number(/BENCH_MAX_RSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? NaN));
}

// What a user types: npm's own start-up and the esbuild bundle step included.
const npmMs: number[] = [];
for (let i = 0; i < RUNS; i++) npmMs.push(timeRun('npm', ['run', '-s', 'synth'], { CDK8S_OUTDIR: path.join(out, 'dist-npm') }).ms);

const files = fs.readdirSync(path.join(out, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml')).sort();
const objects = files.reduce((n, f) => n + (fs.readFileSync(path.join(out, 'dist', f), 'utf8').match(/^kind:/gm)?.length ?? 0), 0);
console.log(`default app: ${files.length} files, ${objects} objects`);
// node-config/ holds kubelet/kubeadm files, not Kubernetes objects: kustomize gets the rest.
const manifestFiles = files.filter((f) => !f.startsWith('node-config'));
console.log(`bundle step (esbuild, once per npm run synth): ${bundleStep.ms.toFixed(0)} ms`);
console.log(`render  (node .build/synth.cjs): median ${median(renderMs).toFixed(0)} ms over ${RUNS} runs ` +
  `[min ${Math.min(...renderMs).toFixed(0)}, max ${Math.max(...renderMs).toFixed(0)}], peak RSS ${(Math.max(...rssKb) / 1024).toFixed(1)} MiB`);
console.log(`npm run synth end to end (npm + esbuild + render): median ${median(npmMs).toFixed(0)} ms over ${RUNS} runs`);

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
if (kubectl.status !== 0) {
  console.log('kubectl not installed: kustomize comparison skipped');
} else {
  const kdir = path.join(out, 'kustomize');
  fs.mkdirSync(kdir);
  const flat = manifestFiles.map((f) => f.replace(/\//g, '__'));
  manifestFiles.forEach((f, i) => fs.copyFileSync(path.join(out, 'dist', f), path.join(kdir, flat[i])));
  fs.writeFileSync(path.join(kdir, 'kustomization.yaml'), `resources:\n${flat.map((f) => `  - ${f}`).join('\n')}\n`);
  const kMs: number[] = [];
  for (let i = 0; i < RUNS; i++) kMs.push(timeRun('kubectl', ['kustomize', kdir]).ms);
  const ratio = median(renderMs) / median(kMs);
  console.log(`kubectl kustomize over the same ${manifestFiles.length} manifest files: median ${median(kMs).toFixed(0)} ms over ${RUNS} runs`);
  console.log(`ratio render / kustomize: ${ratio.toFixed(2)}x (target <= 3x; render target <= 500 ms)`);
}
fs.rmSync(out, { recursive: true, force: true });
