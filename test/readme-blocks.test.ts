/**
 * Every fenced block of the README is a test: each is claimed by one check below, and a block no
 * check claims fails. TypeScript runs in test/examples; commands are run by the e2e suite or parsed
 * by the CLI's own usage; printed errors and denials are produced again and compared.
 */
import * as fs from 'node:fs';
import { App, Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { KUBERNETES_VERSION_CONTEXT, SnapshotController, VolumeModeGuard } from '../src';
import { DOCTOR_READER_CLUSTER_ROLE, DOCTOR_BACKFILL_CLUSTER_ROLE, RELABEL_CONTENTS_COMMAND } from '../src/catalog';
import { DOCTOR_NPX_COMMAND } from '../src/cli/install';
import { USAGE } from '../src/cli/main';
import { VALIDATING_POLICIES } from '../src/policies';
import { evaluateCase } from '../src/testing';
import { readmeApplyFolders, readmeBlocks, readmePruneArgs } from './support/readme';

type Block = ReturnType<typeof readmeBlocks>[number];

/** The code between each pair of README markers in the example tests, dedented, by file and marker. */
function exampleBodies(): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of fs.readdirSync('test/examples').filter((f) => f.endsWith('.test.ts'))) {
    const lines = fs.readFileSync(`test/examples/${file}`, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!line.trim().startsWith('// --- README example')) return;
      const indent = line.length - line.trimStart().length;
      const end = lines.findIndex((l, j) => j > i && l.trim() === '// --- end of README example ---');
      out.set(`${file}: ${line.trim()}`, lines.slice(i + 1, end).map((l) => l.slice(indent)).join('\n') + '\n');
    });
  }
  return out;
}

/** Every message the policies' own cases produce, for comparing printed denials. */
function policyMessages(): Set<string> {
  const messages = new Set<string>();
  for (const def of Object.values(VALIDATING_POLICIES)) for (const c of def.cases) for (const m of evaluateCase(def, c).messages) messages.add(m);
  return messages;
}

/** A shell block's commands: continuation lines joined, comments and repeated spaces dropped. */
const commands = (b: Block) => b.body.replace(/\\\n\s*/g, ' ').split('\n')
  .map((l) => l.replace(/\s+#.*$/, '').replace(/\s+/g, ' ').trim()).filter(Boolean);

interface Check { readonly name: string; claims(b: Block): boolean; check(b: Block): void }

const CHECKS: Check[] = [
  {
    name: 'TypeScript: the code an example test runs (imports and app.synth() around it)',
    claims: (b) => b.lang === 'ts' && !b.body.includes("from 'vitest'"),
    check: (b) => {
      const body = [...exampleBodies().values()].find((e) => e.trim() && b.body.includes(e));
      expect(body, `no test/examples file runs the README block at line ${b.line}`).toBeDefined();
      const rest = b.body.replace(body!, '').split('\n').map((l) => l.trim()).filter(Boolean);
      for (const l of rest) expect(l).toMatch(/^(import .* from '[^']+';|const app = new App\(\);|app\.synth\(\);)$/);
    },
  },
  {
    name: 'TypeScript: the harness example, run whole by test/examples/harness-example.test.ts',
    claims: (b) => b.lang === 'ts' && b.body.includes("from 'vitest'"),
    check: (b) => expect(b.body).toBe(fs.readFileSync('test/examples/harness-example.test.ts', 'utf8')
      .replace("from '../../src/testing'", "from 'csi-snapshot-guard/testing'").replace("from '../../src'", "from 'csi-snapshot-guard'")),
  },
  {
    name: 'set-up and prune: the e2e suite applies these folders and runs this prune (readmeApplyFolders, readmePruneArgs)',
    claims: (b) => b.lang === 'sh' && commands(b).every((c) => c.startsWith('kubectl apply -f dist/')),
    check: (b) => {
      for (const c of commands(b)) {
        const asApply = readmeApplyFolders().map((f) => `kubectl apply -f dist/${f}${f ? '/' : ''}`);
        expect(asApply.includes(c) || c === `kubectl ${readmePruneArgs().join(' ')}`, c).toBe(true);
      }
    },
  },
  {
    name: "relabel: the catalog's command, which e2e 04 runs from the README",
    claims: (b) => b.lang === 'sh' && commands(b).every((c) => c.startsWith('kubectl label volumesnapshotcontents')),
    check: (b) => expect(commands(b)).toEqual([RELABEL_CONTENTS_COMMAND]),
  },
  {
    name: 'doctor without installing: the line doctor itself prints (the pack test checks it does)',
    claims: (b) => b.lang === 'sh' && commands(b).every((c) => c.startsWith('npx -y -p')),
    check: (b) => expect(commands(b)).toEqual([DOCTOR_NPX_COMMAND]),
  },
  {
    name: 'doctor commands: every word is in the CLI usage',
    claims: (b) => b.lang === 'sh' && commands(b).every((c) => c.startsWith('npx csi-snapshot-guard doctor')),
    check: (b) => {
      for (const c of commands(b)) {
        for (const word of c.replace(/\s*>\s*\S+$/, '').split(/\s+/).slice(3)) expect([c, USAGE.includes(word)]).toEqual([c, true]);
      }
    },
  },
  {
    name: "binding doctor's roles: the ClusterRoles DoctorRbac renders",
    claims: (b) => b.lang === 'sh' && commands(b).every((c) => c.startsWith('kubectl create clusterrolebinding')),
    check: (b) => {
      for (const c of commands(b)) {
        expect([DOCTOR_READER_CLUSTER_ROLE, DOCTOR_BACKFILL_CLUSTER_ROLE]).toContain(/--clusterrole=(\S+)/.exec(c)![1]);
      }
    },
  },
  {
    name: 'a printed synth error: the construct throws exactly this',
    claims: (b) => b.lang === '' && b.body.startsWith('Error: '),
    check: (b) => {
      const app = new App();
      app.node.setContext(KUBERNETES_VERSION_CONTEXT, '1.34');
      const tag = /image\.tag '([^']+)'/.exec(b.body)![1];
      expect(() => new SnapshotController(new Chart(app, 'snapshots'), 'Controller', { image: { tag } }))
        .toThrow(b.body.slice('Error: '.length).replace(/\n/g, ' ').trim());
    },
  },
  {
    name: "printed denials: messages the policies' own cases produce, from a policy and binding the guard renders",
    claims: (b) => b.lang === '' && b.body.includes('denied request: '),
    check: (b) => {
      const message = b.body.slice(b.body.indexOf('denied request: ') + 'denied request: '.length).trim();
      expect(policyMessages()).toContain(message);
      const named = /^ValidatingAdmissionPolicy '([^']+)' with binding '([^']+)'/.exec(b.body);
      if (named) {
        const guard = new VolumeModeGuard(new Chart(new App(), 'c'), 'Guard');
        const policy = Object.values(guard.policies).find((p) => p!.policyName === named[1]);
        expect(policy?.bindingNames).toContain(named[2]);
      }
    },
  },
  {
    name: 'the layout: every path it lists exists',
    claims: (b) => b.lang === '' && b.body.startsWith('src/'),
    check: (b) => {
      let parent = '';
      for (const line of b.body.split('\n').filter(Boolean)) {
        const entry = line.trim().split(/\s+/)[0];
        const at = line.startsWith(' ') ? `${parent}${entry}` : entry;
        if (!line.startsWith(' ')) parent = entry;
        expect([at, fs.existsSync(at.replace(/:$/, ''))]).toEqual([at, true]);
      }
    },
  },
];

describe('every README code block is checked', () => {
  for (const block of readmeBlocks()) {
    const claimed = CHECKS.filter((c) => c.claims(block));
    it(`line ${block.line} (${block.lang || 'text'}): ${claimed[0]?.name ?? 'no check claims it'}`, () => {
      expect(claimed.length, `README block at line ${block.line} is not checked by any test:\n${block.body}`).toBe(1);
      claimed[0].check(block);
    });
  }
});
