/**
 * dist/ as a reviewer and a GitOps tool meet it: every file reads back as exactly the objects the
 * charts render (with a YAML 1.1 reader like kubectl's and a YAML 1.2 one), keys in Kubernetes'
 * order, no line over 200 characters, the recommended labels on every object, and a version bump
 * whose diff hunk names the container it changes.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { buildApps } from '../src/app';
import { CsiDriver, CsiCapability, SnapshotController, StorageClass } from '../src';
import { toYamlDocuments } from '../src/manifest-yaml';
import { synthApps } from '../src/synth-output';
import { synth, testChart } from './support/synth';

const PACKAGE_VERSION = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
const RECOMMENDED = ['app.kubernetes.io/name', 'app.kubernetes.io/component', 'app.kubernetes.io/part-of', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/version'];

const rendered = (() => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dist-review-'));
  const apps = synthApps(root);
  const files = fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => /\.ya?ml$/.test(f)).sort();
  return { root, apps, files };
})();

const read = (file: string) => fs.readFileSync(path.join(rendered.root, file), 'utf8');
const docs = (text: string, version: '1.1' | '1.2') => parseAllDocuments(text, { version }).map((d) => d.toJS());

describe('the YAML of dist/', () => {
  it('reads back as the objects the charts render, with YAML 1.1 and 1.2 readers alike', () => {
    const fresh = buildApps(fs.mkdtempSync(path.join(os.tmpdir(), 'dist-review-')));
    let objects = 0;
    for (const shipped of fresh) {
      for (const chart of shipped.app.charts) {
        const expected = chart.toJson();
        const file = path.join(shipped.folder, `${chart.node.id}${shipped.app.outputFileExtension}`);
        expect(docs(read(file), '1.2'), file).toEqual(expected);
        expect(docs(read(file), '1.1'), file).toEqual(expected);
        objects += expected.length;
      }
    }
    expect(objects).toBeGreaterThan(40);
  });

  it('keeps strings that look like other types as strings', () => {
    const values = ['true', 'yes', 'on', 'Off', 'y', 'null', '~', '1', '0x1f', '1e3', '1_000', '1:20', '.inf', '2026-11-30', '', ' padded', 'a: b', 'a #b', '- x', '*ref', '{{ x }}', '@at', "'q'", 'tab\there'];
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: Object.fromEntries(values.map((v, i) => [`k${i}`, v])) };
    const text = toYamlDocuments([obj]);
    expect(docs(text, '1.1')[0]).toEqual(obj);
    expect(docs(text, '1.2')[0]).toEqual(obj);
  });

  it('writes multi-line strings as literal blocks and long prose folded, both reading back unchanged', () => {
    const expression = "a == 'x'\n|| b\n  ? c\n  : d";
    const prose = 'word '.repeat(80).trim();
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { expression, prose, trailing: 'line\n', two: 'line\n\n' } };
    const text = toYamlDocuments([obj]);
    expect(text).toContain('expression: |-\n    a == \'x\'\n    || b\n      ? c');
    expect(text).toContain('prose: >-\n');
    expect(docs(text, '1.1')[0]).toEqual(obj);
  });

  it('has no line over 200 characters', () => {
    const long = rendered.files.flatMap((f) => read(f).split('\n').map((line, i) => ({ f, i: i + 1, n: line.length })).filter((l) => l.n > 200));
    expect(long).toEqual([]);
  });

  it('opens every object with apiVersion, kind, metadata, and every container with name, image', () => {
    const platform = read('snapshot-platform.k8s.yaml');
    for (const doc of platform.split(/^---$/m)) {
      expect(doc.replace(/^#.*\n/, '').trimStart().split('\n').slice(0, 3).map((l) => l.split(':')[0])).toEqual(['apiVersion', 'kind', 'metadata']);
    }
    const containers = [...platform.matchAll(/^( *)- name: (.+)\n\1  image: /gm)].map((m) => m[2]);
    expect(containers).toContain('snapshot-controller');
    expect([...platform.matchAll(/^ *image: /gm)].length).toBe(containers.length);
  });
});

describe('labels', () => {
  const objectFiles = () => rendered.files.filter((f) => !f.startsWith('node-config'));

  it('puts the recommended app.kubernetes.io labels, with the library version, on every object in dist/', () => {
    let count = 0;
    for (const file of objectFiles()) {
      for (const o of docs(read(file), '1.2')) {
        const labels = o.metadata?.labels ?? {};
        expect(RECOMMENDED.filter((k) => labels[k] === undefined), `${file} ${o.kind}/${o.metadata?.name}`).toEqual([]);
        expect(labels['app.kubernetes.io/version']).toBe(PACKAGE_VERSION);
        expect(labels['app.kubernetes.io/managed-by']).toBe('csi-snapshot-guard');
        count++;
      }
    }
    expect(count).toBeGreaterThan(40);
  });

  it('marks the platform as part of csi-snapshot-guard and a driver as part of itself, so each can be pruned on its own', () => {
    const partOf = (file: string) => new Set(docs(read(file), '1.2').map((o) => o.metadata.labels['app.kubernetes.io/part-of']));
    expect(partOf('snapshot-platform.k8s.yaml')).toEqual(new Set(['csi-snapshot-guard']));
    expect(partOf('examples/csi-hostpath/csi-hostpath.k8s.yaml')).toEqual(new Set(['csi-hostpathplugin']));
  });

  it('never puts the version or the manager into a workload selector, so an upgrade keeps selectors unchanged', () => {
    const workloads = objectFiles().flatMap((f) => docs(read(f), '1.2')).filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet', 'PodDisruptionBudget'].includes(o.kind));
    expect(workloads.length).toBeGreaterThan(2);
    for (const w of workloads) {
      const selector = Object.keys(w.spec.selector.matchLabels ?? {});
      expect(selector.filter((k) => /version|managed-by/.test(k)), `${w.kind}/${w.metadata.name}`).toEqual([]);
    }
  });

  it("adds the user's labels on every object of a construct, over the recommended ones", () => {
    const chart = testChart();
    new SnapshotController(chart, 'Controller', { labels: { team: 'storage', 'app.kubernetes.io/part-of': 'platform-x' } });
    const objects = synth(chart);
    expect(objects.length).toBeGreaterThan(4);
    for (const o of objects) expect(o.metadata.labels).toMatchObject({ team: 'storage', 'app.kubernetes.io/part-of': 'platform-x', 'app.kubernetes.io/name': 'snapshot-controller' });
  });

  it("takes a chart's labels onto every object of the constructs in it", () => {
    const chart = new Chart(new App(), 'c', { labels: { team: 'storage' } });
    new SnapshotController(chart, 'Controller');
    const objects = chart.toJson();
    expect(objects.length).toBeGreaterThan(4);
    for (const o of objects) expect(o.metadata.labels).toMatchObject({ team: 'storage', 'app.kubernetes.io/managed-by': 'csi-snapshot-guard' });
  });

  it('refuses a label the API server would refuse, naming the construct, the key and the fix', () => {
    expect(() => new StorageClass(testChart(), 'Fast', { name: 'fast', provisioner: 'hostpath.csi.k8s.io', labels: { 'bad key!': 'x' } }))
      .toThrow(/test\/Fast: labels key 'bad key!' is not a valid label key; use an optional DNS-subdomain prefix/);
    expect(() => new StorageClass(testChart(), 'Fast', { name: 'fast', provisioner: 'hostpath.csi.k8s.io', labels: { team: 'x'.repeat(64) } }))
      .toThrow(/labels\['team'\] '.*' is not a valid label value; use a string of at most 63/);
  });
});

describe('a version bump in a pull request', () => {
  it('shows the container name in the diff hunk that changes its image', () => {
    const render = (tag: string) => {
      const app = new App();
      const chart = new Chart(app, 'c');
      new SnapshotController(chart, 'Controller', { image: { tag } });
      new CsiDriver(chart, 'Driver', {
        driverName: 'hostpath.csi.k8s.io', driverImage: 'registry.example/driver:v1.0.0', namespace: 'csi',
        capabilities: [CsiCapability.CONTROLLER_SERVICE, CsiCapability.CREATE_DELETE_VOLUME, CsiCapability.CREATE_DELETE_SNAPSHOT],
      });
      return toYamlDocuments(chart.toJson());
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bump-'));
    fs.writeFileSync(path.join(dir, 'a.yaml'), render('v8.2.0'));
    fs.writeFileSync(path.join(dir, 'b.yaml'), render('v8.2.1'));
    let diff = '';
    try { execFileSync('git', ['diff', '--no-index', '--unified=3', 'a.yaml', 'b.yaml'], { cwd: dir, encoding: 'utf8' }); } catch (e) { diff = (e as { stdout: string }).stdout; }
    const hunks = diff.split(/^@@/m).slice(1);
    expect(hunks.length).toBeGreaterThan(0);
    for (const hunk of hunks) expect(hunk).toMatch(/^ +- name: snapshot-controller$/m);
  });
});
