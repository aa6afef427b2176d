import { test } from 'vitest';
import { validateManifests } from './support/manifest-validator';
import * as fs from 'node:fs';
import * as YAML from 'yaml';
test('scratch', () => {
const dir = '/work/shared/reference/upstream';
const files: string[] = [];
const walk = (d: string) => { for (const f of fs.readdirSync(d, { withFileTypes: true })) { const p = d + '/' + f.name; if (f.isDirectory()) walk(p); else if (p.endsWith('.yaml')) files.push(p); } };
walk(dir);
const objs: any[] = [];
for (const f of files) for (const doc of YAML.parseAllDocuments(fs.readFileSync(f, 'utf8'))) { const j = doc.toJSON(); if (j && j.kind && j.kind !== 'Kustomization') objs.push(j); }
const many: any[] = [];
for (let i = 0; i < 50; i++) for (const o of objs) many.push(JSON.parse(JSON.stringify(o)));
const bytes = JSON.stringify(many).length;
for (const v of ['1.36', '1.36', '1.36']) {
  const t = performance.now();
  const r = validateManifests(many, { kubernetesVersion: v });
  const ms = performance.now() - t;
  console.log(v, many.length, 'objects', (bytes/1e6).toFixed(1), 'MB', ms.toFixed(0), 'ms', Math.round(many.length / ms * 1000), 'obj/s', r.length, 'findings');
}
});
