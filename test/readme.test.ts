/**
 * The README states versions and commands a new user relies on; these tests keep it in step with
 * the catalog and package.json instead of trusting that someone remembers to edit both.
 */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Component, defaultRelease, RELABEL_CONTENTS_COMMAND } from '../src/catalog';
import { allowlistEntry, pruneAllowlist, readmePruneArgs, readmeShellCommands } from './support/readme';

const readme = fs.readFileSync('README.md', 'utf8');
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));

describe('README', () => {
  it('gives the two set-up commands, and both exist as npm scripts', () => {
    expect(readme).toContain('`npm ci && npm run synth`');
    expect(readme).toContain('`npm ci && npm test`');
    expect(pkg.scripts.synth).toBeDefined();
    expect(pkg.scripts.test).toBeDefined();
  });

  describe('the versions table matches the catalog', () => {
    for (const component of Object.values(Component)) {
      it(component, () => {
        const row = readme.split('\n').find((l) => l.startsWith(`| ${component} |`));
        expect(row, `README has no versions row for ${component}`).toBeDefined();
        const cells = row!.split('|').map((c) => c.trim());
        expect(cells[3]).toBe(defaultRelease(component, 36)!.tag);
        expect(cells[3]).toBe(defaultRelease(component, 34)!.tag);
        expect(cells[4]).toBe(defaultRelease(component, 33)!.tag);
        expect(cells[4]).toBe(defaultRelease(component, 30)!.tag);
      });
    }
  });

  it('prunes with an allow-list of exactly the kinds in dist/, CRDs and the Namespace left out', () => {
    const kinds = new Set(fs.readdirSync('dist').filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => parseAllDocuments(fs.readFileSync(`dist/${f}`, 'utf8')).map((d) => d.toJS()))
      .filter((o) => !['CustomResourceDefinition', 'Namespace'].includes(o.kind)).map(allowlistEntry));
    const args = readmePruneArgs();
    expect(args).toEqual(expect.arrayContaining(['-f', 'dist/', '--prune', '-l', 'app.kubernetes.io/part-of=csi-snapshot-guard']));
    expect(new Set(pruneAllowlist(args))).toEqual(kinds);
  });

  it("gives the relabel command doctor prints (the e2e suite runs the README's copy)", () => {
    expect(readmeShellCommands()).toContain(RELABEL_CONTENTS_COMMAND);
  });

  it('names every file the app renders into dist/', () => {
    const files = fs.readdirSync('dist', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml'));
    for (const f of files) {
      const mentioned = readme.includes(`dist/${f}`) || readme.includes(`dist/${f.split('/').slice(0, -1).join('/')}/`);
      expect(mentioned, `README does not describe dist/${f}`).toBe(true);
    }
  });
});

describe('README harness example', () => {
  it('is the example the suite runs (test/examples/harness-example.test.ts), with package imports', () => {
    const example = fs.readFileSync('test/examples/harness-example.test.ts', 'utf8')
      .replace("from '../../src/testing'", "from 'csi-snapshot-guard/testing'")
      .replace("from '../../src'", "from 'csi-snapshot-guard'");
    expect(readme).toContain('```ts\n' + example + '```');
  });
});

describe('README own-chart example', () => {
  it('is the code test/examples/own-chart.test.ts runs', () => {
    const src = fs.readFileSync('test/examples/own-chart.test.ts', 'utf8');
    const start = src.indexOf('\n', src.indexOf('// --- README example')) + 1;
    const body = src.slice(start, src.indexOf('  // --- end of README example ---'))
      .split('\n').map((l) => l.replace(/^ {2}/, '')).join('\n');
    expect(readme).toContain(body);
  });
});
