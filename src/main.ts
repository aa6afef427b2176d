/**
 * The app's entry point: renders every shipped chart. No cluster access, no network. A failed synth
 * leaves the previous output as it was.
 *
 *   npm run synth                                      dist/ for the catalog's default Kubernetes minor
 *   npm run synth -- --kubernetes-version 1.34         out/kubernetes-1.34/ for another minor
 *   npm run synth -- --kubernetes-version 1.34 --outdir DIR
 *
 * Under `cdk8s synth` the CLI passes the output folder in $CDK8S_OUTDIR.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { formatKubernetesMinor, parseKubernetesMinor, SNAPSHOT_STACK_KUBERNETES } from './catalog';
import { synthAtomically } from './synth-atomically';
import { KUSTOMIZATION_FILE, synthApps } from './synth-output';

function outputPlan(argv: string[]): { outdir: string; kubernetesVersion?: string } {
  const { values } = parseArgs({ args: argv, options: { 'kubernetes-version': { type: 'string' }, 'outdir': { type: 'string' } }, strict: true });
  const requested = values['kubernetes-version'];
  if (requested === undefined) return { outdir: values.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist' };
  const minor = parseKubernetesMinor(requested);
  const range = `${formatKubernetesMinor(SNAPSHOT_STACK_KUBERNETES.min)} to ${formatKubernetesMinor(SNAPSHOT_STACK_KUBERNETES.max)}`;
  if (minor === undefined || minor < SNAPSHOT_STACK_KUBERNETES.min || minor > SNAPSHOT_STACK_KUBERNETES.max) {
    throw new Error(`--kubernetes-version '${requested}' is not a supported target; use one of ${range}, written as 1.<minor>`);
  }
  const version = formatKubernetesMinor(minor);
  return { outdir: values.outdir ?? path.join('out', `kubernetes-${version}`), kubernetesVersion: version };
}

try {
  const plan = outputPlan(process.argv.slice(2));
  synthAtomically(plan.outdir, (dir) => { synthApps(dir, { kubernetesVersion: plan.kubernetesVersion }); });
  // One line per file, so a run shows what it wrote.
  for (const file of fs.readdirSync(plan.outdir, { recursive: true, encoding: 'utf8' }).sort()) {
    const full = path.join(plan.outdir, file);
    if (!fs.statSync(full).isFile()) continue;
    if (file === KUSTOMIZATION_FILE) { process.stdout.write(`${full}  kustomize base\n`); continue; }
    const objects = fs.readFileSync(full, 'utf8').split(/^---$/m).filter((doc) => /^kind:/m.test(doc)).length;
    process.stdout.write(`${full}  ${objects} object${objects === 1 ? '' : 's'}\n`);
  }
} catch (err) {
  const where = process.env.CDK8S_OUTDIR ? '' : ' the previous output is unchanged.';
  process.stderr.write(`synth failed;${where}\n${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
