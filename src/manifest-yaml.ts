/**
 * Writes Kubernetes objects as YAML for people who review diffs:
 * - keys in Kubernetes' order: `apiVersion`, `kind`, `metadata` first; `name` (then `namespace`,
 *   `image`) first in every mapping, so a diff hunk in a container shows the container's name;
 *   the other keys alphabetical, as cdk8s sorts them;
 * - multi-line strings (formatted CEL) as literal block scalars, one source line per YAML line;
 * - long prose as folded block scalars, so no line passes MAX_LINE.
 * Small and deterministic instead of a general YAML library: the objects are plain JSON data, and
 * test/manifest-yaml.test.ts parses every file back with a YAML 1.1 and a YAML 1.2 reader.
 */

/** Keys that come first in every mapping, in this order. */
const FIRST_KEYS = ['apiVersion', 'kind', 'metadata', 'name', 'namespace', 'image'];

/** Longest line a folded string is wrapped to (content only, indentation not counted). */
const FOLD_WIDTH = 100;

/** Strings a YAML 1.1 or 1.2 reader would take for something else when written plain. */
const NOT_A_STRING = new RegExp([
  '^$', '^[-+]?(?:\\d[\\d_]*(?:\\.[\\d_]*)?|\\.\\d[\\d_]*)(?:[eE][-+]?\\d+)?$', '^[-+]?0[xob][0-9a-fA-F_]+$', '^[-+]?\\d[\\d_]*(?::[0-5]?\\d)+(?:\\.\\d*)?$',
  '^[-+]?\\.(?:inf|Inf|INF)$', '^\\.(?:nan|NaN|NAN)$', '^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE)$',
  '^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$', '^\\d{4}-\\d\\d?-\\d\\d?', '^(?:=|<<)$',
].join('|'));

/** Keys in review order. */
function orderedKeys(map: Record<string, unknown>): string[] {
  const keys = Object.keys(map).filter((k) => map[k] !== undefined);
  const first = FIRST_KEYS.filter((k) => keys.includes(k));
  return [...first, ...keys.filter((k) => !FIRST_KEYS.includes(k)).sort()];
}

function isPlainSafe(s: string): boolean {
  if (NOT_A_STRING.test(s)) return false;
  if (/^[\s]|[\s]$/.test(s)) return false;
  if (/^[?:,[\]{}#&*!|>'"%@`]/.test(s) || /^-(\s|$)/.test(s)) return false;
  if (/: |:$| #|[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/.test(s)) return false;
  return true;
}

const quoted = (s: string) => JSON.stringify(s);

/** A string as a scalar: plain, double-quoted, or a block scalar whose lines follow at `indent`. */
function scalarString(s: string, indent: string): string {
  const printable = !/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\r]/.test(s);
  if (s.includes('\n') && printable && !/[ \t]\n|[ \t]$/.test(s) && !/^[ \t]/.test(s)) {
    const body = s.replace(/\n+$/, '');
    const trailing = s.length - body.length;
    const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
    return `|${chomp}\n${body.split('\n').map((l) => (l === '' ? '' : indent + l)).join('\n')}${trailing > 1 ? '\n'.repeat(trailing - 1) : ''}`;
  }
  if (s.length > FOLD_WIDTH && printable && !s.includes('\n') && !/\s\s|\t/.test(s) && !/^\s|\s$/.test(s)) {
    return `>-\n${fold(s).map((l) => indent + l).join('\n')}`;
  }
  return isPlainSafe(s) ? s : quoted(s);
}

/** Greedy word wrap at single spaces; a folded scalar reads each line break back as that space. */
function fold(s: string): string[] {
  const lines: string[] = [];
  let rest = s;
  while (rest.length > FOLD_WIDTH) {
    const cut = rest.lastIndexOf(' ', FOLD_WIDTH);
    if (cut <= 0) break;
    lines.push(rest.slice(0, cut));
    rest = rest.slice(cut + 1);
  }
  lines.push(rest);
  return lines;
}

function scalar(v: unknown, indent: string): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return scalarString(v, indent);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot write the number ${v} as YAML`);
    return String(v);
  }
  if (typeof v === 'boolean') return String(v);
  throw new Error(`cannot write a ${typeof v} as YAML`);
}

function key(k: string): string {
  return isPlainSafe(k) && !/[\n]/.test(k) ? k : quoted(k);
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Lines of a mapping at `indent`; `firstPrefix` replaces the indent of its first line (a list item's `- `). */
function mapping(map: Record<string, unknown>, indent: string, out: string[], firstPrefix?: string): void {
  orderedKeys(map).forEach((k, i) => {
    const lead = i === 0 && firstPrefix !== undefined ? firstPrefix : indent;
    value(`${lead}${key(k)}:`, map[k], indent, out);
  });
}

/** `head` is `<indent>key:` or `<indent>-`; writes the value after it. */
function value(head: string, v: unknown, indent: string, out: string[]): void {
  const nested = indent + '  ';
  if (isMap(v)) {
    if (Object.keys(v).filter((k) => v[k] !== undefined).length === 0) { out.push(`${head} {}`); return; }
    if (head.trimStart().startsWith('-') && head.trim() === '-') { mapping(v, nested, out, `${head} `); return; }
    out.push(head);
    mapping(v, nested, out);
    return;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) { out.push(`${head} []`); return; }
    out.push(head);
    // Sequences sit two spaces in from their key, as cdk8s writes them.
    for (const item of v) value(`${nested}-`, item, nested, out);
    return;
  }
  out.push(`${head} ${scalar(v, nested)}`);
}

/** One YAML document (no `---`), ending in a newline. */
export function toYamlDocument(obj: Record<string, unknown>): string {
  const out: string[] = [];
  mapping(obj, '', out);
  return `${out.join('\n')}\n`;
}

/** Documents separated by `---`, the way cdk8s writes a file. */
export function toYamlDocuments(objects: Record<string, unknown>[]): string {
  return objects.map(toYamlDocument).join('---\n');
}
