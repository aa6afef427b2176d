/** Commands the README gives, read from the README itself so the tests run exactly what users copy. */
import * as fs from 'node:fs';
import * as path from 'node:path';

const README = path.join(__dirname, '..', '..', 'README.md');

/** The fenced `sh` blocks of the README, continuation lines joined. */
export function readmeShellCommands(): string[] {
  const text = fs.readFileSync(README, 'utf8');
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1].replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.trim()).filter(Boolean));
}

/**
 * The dist/ folders the README's set-up applies with `kubectl apply -f dist/<folder>`, in order
 * ('' for dist/ itself). The e2e suite applies exactly these, in this order.
 */
export function readmeApplyFolders(): string[] {
  return readmeShellCommands().filter((c) => /^kubectl apply -f dist\/\S*$/.test(c))
    .map((c) => c.slice('kubectl apply -f dist/'.length).replace(/\/$/, ''));
}

/** Every fenced block of the README: its language (may be empty), text and first line number. */
export function readmeBlocks(): { lang: string; body: string; line: number }[] {
  const lines = fs.readFileSync(README, 'utf8').split('\n');
  const blocks: { lang: string; body: string; line: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    blocks.push({ lang: open[1], body: lines.slice(i + 1, end).join('\n') + '\n', line: i + 1 });
    i = end;
  }
  return blocks;
}

/** The README's prune command as kubectl arguments (without `kubectl`). */
export function readmePruneArgs(): string[] {
  const command = readmeShellCommands().find((c) => c.startsWith('kubectl apply') && c.includes('--prune'));
  if (!command) throw new Error('README has no `kubectl apply ... --prune` command');
  return command.split(/\s+/).slice(1);
}

/** `group/version/Kind` of every --prune-allowlist entry of that command. */
export function pruneAllowlist(args: readonly string[]): string[] {
  return args.filter((a) => a.startsWith('--prune-allowlist=')).map((a) => a.slice('--prune-allowlist='.length));
}

/** The allow-list spelling of an object's type: `core/v1/Service`, `apps/v1/Deployment`. */
export function allowlistEntry(o: { apiVersion: string; kind: string }): string {
  return `${o.apiVersion.includes('/') ? o.apiVersion : `core/${o.apiVersion}`}/${o.kind}`;
}
