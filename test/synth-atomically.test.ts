import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { synthAtomically } from '../src/synth-atomically';

describe('synthAtomically', () => {
  const dirs: string[] = [];
  const tmp = () => { const d = fs.mkdtempSync(path.join(os.tmpdir(), 'atomic-')); dirs.push(d); return d; };
  afterEach(() => { for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true }); });

  it('replaces the previous output with the new one, dropping stale files', () => {
    const target = path.join(tmp(), 'dist');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'stale.yaml'), 'old');
    synthAtomically(target, (dir) => fs.writeFileSync(path.join(dir, 'new.yaml'), 'new'));
    expect(fs.readdirSync(target)).toEqual(['new.yaml']);
  });

  it('a failed render leaves the previous output untouched and no staging folder behind', () => {
    const parent = tmp();
    const target = path.join(parent, 'dist');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'app.yaml'), 'previous');
    expect(() => synthAtomically(target, (dir) => {
      fs.writeFileSync(path.join(dir, 'half.yaml'), 'partial');
      throw new Error('replicas 0 must be a whole number >= 1');
    })).toThrow(/replicas 0/);
    expect(fs.readdirSync(target)).toEqual(['app.yaml']);
    expect(fs.readFileSync(path.join(target, 'app.yaml'), 'utf8')).toBe('previous');
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });

  it('leaves an ordinary readable folder (not the private mode of a temp dir)', () => {
    const target = path.join(tmp(), 'dist');
    synthAtomically(target, (dir) => fs.writeFileSync(path.join(dir, 'a.yaml'), 'a'));
    expect(fs.statSync(target).mode & 0o777).toBe(0o755);
  });

  it('creates the target when it does not exist yet', () => {
    const target = path.join(tmp(), 'out', 'dist');
    synthAtomically(target, (dir) => fs.writeFileSync(path.join(dir, 'a.yaml'), 'a'));
    expect(fs.readdirSync(target)).toEqual(['a.yaml']);
  });
});
