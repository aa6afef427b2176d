/**
 * The README states versions and commands a new user relies on; these tests keep it in step with
 * the catalog and package.json instead of trusting that someone remembers to edit both.
 */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  Component, defaultRelease, MIGRATION_KUBERNETES, mutatingAdmissionPolicyApi, OPENSHIFT_RELEASES, RELABEL_CONTENTS_COMMAND,
  SNAPSHOT_STACK_KUBERNETES, validatingAdmissionPolicyApi,
} from '../src/catalog';
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

  describe('the versions tables match the catalog', () => {
    const lines = readme.split('\n');
    const header = lines.find((l) => l.startsWith('| component | image'))!;
    /** `Kubernetes 1.34-1.36` -> [34, 36]; `Kubernetes 1.37` -> [37, 37]. */
    const bands = header.split('|').map((c) => c.trim()).filter((c) => c.startsWith('Kubernetes '))
      .map((c) => { const m = /^Kubernetes 1\.(\d+)(?:-1\.(\d+))?$/.exec(c)!; return [Number(m[1]), Number(m[2] ?? m[1])] as const; });

    it('the columns cover the supported range exactly, newest first, and the text names range and default', () => {
      const covered = bands.flatMap(([lo, hi]) => Array.from({ length: hi - lo + 1 }, (_, i) => hi - i));
      const range = SNAPSHOT_STACK_KUBERNETES;
      expect(covered).toEqual(Array.from({ length: range.max - range.min + 1 }, (_, i) => range.max - i));
      expect(readme).toContain(`Target Kubernetes **1.${range.min} to 1.${range.max}** (default 1.${range.default})`);
      expect(readme).toContain(`Kubernetes 1.${MIGRATION_KUBERNETES.min}-1.${MIGRATION_KUBERNETES.max} and\nOpenShift 4.${OPENSHIFT_RELEASES[0].minor}-4.${OPENSHIFT_RELEASES[OPENSHIFT_RELEASES.length - 1].minor}`);
    });

    for (const component of Object.values(Component)) {
      it(component, () => {
        const row = lines.find((l) => l.startsWith(`| ${component} |`));
        expect(row, `README has no versions row for ${component}`).toBeDefined();
        const cells = row!.split('|').map((c) => c.trim()).slice(3, 3 + bands.length);
        bands.forEach(([lo, hi], i) => {
          // Every minor of a band gets the same release, and a band ends where the catalog changes.
          for (let minor = lo; minor <= hi; minor++) expect([minor, cells[i]]).toEqual([minor, defaultRelease(component, minor)!.tag]);
        });
      });
    }

    it('the admission table says which API each band gets', () => {
      const rows = lines.filter((l) => /^\| 1\.\d+(-1\.\d+)? \| v1/.test(l)).map((l) => l.split('|').map((c) => c.trim()));
      const covered: number[] = [];
      for (const [, band, vap, map] of rows) {
        const m = /^1\.(\d+)(?:-1\.(\d+))?$/.exec(band)!;
        for (let minor = Number(m[1]); minor <= Number(m[2] ?? m[1]); minor++) {
          covered.push(minor);
          expect([minor, vap]).toEqual([minor, validatingAdmissionPolicyApi(minor)!.version]);
          const offer = mutatingAdmissionPolicyApi(minor);
          const expected = !offer || offer.version === 'v1alpha1' ? 'not rendered' : offer.needsOptIn ? `${offer.version} only on opt-in` : offer.version;
          expect([minor, map.startsWith(expected)]).toEqual([minor, true]);
        }
      }
      expect(covered.sort((a, b) => a - b)).toEqual(Array.from({ length: SNAPSHOT_STACK_KUBERNETES.max - 29 }, (_, i) => 30 + i));
    });
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

// Every fenced block (examples, commands, printed errors) is checked in test/readme-blocks.test.ts.
