/**
 * Lays a CEL expression out over several lines for review: one clause per line at the top-level
 * `||` / `&&` / ternary, one argument per line inside calls and literals that do not fit. Only
 * whitespace between tokens changes (CEL ignores it), except that a message literal longer than a
 * line becomes concatenated pieces of the same text; formatCel re-reads its own output and throws
 * if a single token differs from what it meant to write.
 *
 * Rendered policies carry the formatted text as YAML block scalars, so a one-clause change to a
 * policy is a one-line diff in dist/.
 */

/** Characters per line (after indentation) that an expression or sub-expression may stay on one line within. */
export const CEL_LINE_WIDTH = 96;
const INDENT = '  ';
/** Bracket groups up to this long are never opened. */
const SHORT_GROUP = 32;

interface Token {
  readonly text: string;
  /** 'str' | 'num' | 'id' | 'op' | 'open' | 'close' | 'comma' */
  readonly kind: 'str' | 'num' | 'id' | 'op' | 'open' | 'close' | 'comma';
}

const OPERATORS = ['&&', '||', '==', '!=', '<=', '>=', '.?', '[?', '<', '>', '+', '-', '*', '/', '%', '!', '?', ':', '.'];

const STRING_START = /(?:[rRbB]{1,2})?('''|"""|'|")/y;
const NUMBER = /0x[0-9a-fA-F]+u?|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?u?|\.\d+(?:[eE][-+]?\d+)?/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

/** Sticky-regex match at `at`, or null. */
function matchAt(re: RegExp, src: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(src);
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '/' && src[i + 1] === '/') throw new CelFormatError('comments are kept as written');
    const str = matchAt(STRING_START, src, i);
    if (str) {
      const quote = str[1];
      const raw = /[rR]/.test(str[0].slice(0, str[0].length - quote.length));
      let j = i + str[0].length;
      for (;;) {
        if (j >= src.length) throw new CelFormatError('unterminated string literal');
        if (!raw && src[j] === '\\') { j += 2; continue; }
        if (src.startsWith(quote, j)) { j += quote.length; break; }
        j++;
      }
      tokens.push({ text: src.slice(i, j), kind: 'str' });
      i = j;
      continue;
    }
    const num = (c >= '0' && c <= '9') || (c === '.' && /\d/.test(src[i + 1] ?? '')) ? matchAt(NUMBER, src, i) : null;
    if (num) { tokens.push({ text: num[0], kind: 'num' }); i += num[0].length; continue; }
    const id = matchAt(IDENT, src, i);
    if (id) { tokens.push({ text: id[0], kind: 'id' }); i += id[0].length; continue; }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op === '[?') { tokens.push({ text: op, kind: 'open' }); i += 2; continue; }
    if (op) { tokens.push({ text: op, kind: 'op' }); i += op.length; continue; }
    if ('([{'.includes(c)) { tokens.push({ text: c, kind: 'open' }); i++; continue; }
    if (')]}'.includes(c)) { tokens.push({ text: c, kind: 'close' }); i++; continue; }
    if (c === ',') { tokens.push({ text: c, kind: 'comma' }); i++; continue; }
    throw new CelFormatError(`unexpected character '${c}'`);
  }
  return tokens;
}

/** A formatting failure: the expression is kept as written by the caller only where it says so. */
export class CelFormatError extends Error {}

/** A token sequence with its bracket groups as children: `[prefix tokens..., group, tokens..., group]`. */
type Node = Token | Group;
interface Group { readonly open: string; readonly close: string; readonly items: Node[][] }

function isGroup(n: Node): n is Group { return (n as Group).items !== undefined; }

function parse(tokens: Token[]): Node[] {
  let pos = 0;
  const seq = (closer?: string): Node[][] => {
    const items: Node[][] = [[]];
    while (pos < tokens.length) {
      const t = tokens[pos];
      if (t.kind === 'close') {
        if (t.text !== closer) throw new CelFormatError(`unbalanced '${t.text}'`);
        return items;
      }
      pos++;
      if (t.kind === 'comma' && closer) { items.push([]); continue; }
      if (t.kind === 'open') {
        const close = t.text === '(' ? ')' : t.text === '{' ? '}' : ']';
        const inner = seq(close);
        pos++;
        items[items.length - 1].push({ open: t.text, close, items: inner.length === 1 && inner[0].length === 0 ? [] : inner });
        continue;
      }
      items[items.length - 1].push(t);
    }
    if (closer) throw new CelFormatError(`missing '${closer}'`);
    return items;
  };
  const top = seq();
  if (top.length !== 1) throw new CelFormatError('a comma outside brackets');
  return top[0];
}

const BINARY = new Set(['&&', '||', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '?', ':', 'in']);

/**
 * Which nodes of `seq` are binary operators: not a unary minus or `!`, and, in a map or message
 * literal, not the colon between a key and its value (a colon closes a ternary only while a `?`
 * is open before it in the same item).
 */
function binaryMask(seq: Node[], inMap: boolean): boolean[] {
  let openTernaries = 0;
  return seq.map((t, i) => {
    if (isGroup(t) || !(t.kind === 'op' || (t.kind === 'id' && t.text === 'in')) || !BINARY.has(t.text)) return false;
    if (t.text === '-') {
      const prev = seq[i - 1];
      return prev !== undefined && (isGroup(prev) || !(prev.kind === 'op' || (prev.kind === 'id' && prev.text === 'in')));
    }
    if (t.text === '?') { openTernaries++; return true; }
    if (t.text === ':') {
      if (openTernaries > 0) { openTernaries--; return true; }
      return !inMap;
    }
    return true;
  });
}

const touches = (n: Node | undefined) => n !== undefined && !isGroup(n) && (n.kind === 'id' || n.kind === 'num' || n.kind === 'str');

/** One node as written on a single line, spacing included. */
function piece(seq: Node[], i: number, binary: boolean, text: string): string {
  const n = seq[i];
  if (binary) return ` ${text} `;
  if (!isGroup(n) && n.kind === 'op' && n.text === ':') return ': '; // a map entry
  // Identifiers, numbers and strings never touch; `Object{...}` keeps the brace on the type name.
  return touches(seq[i - 1]) && touches(n) ? ` ${text}` : text;
}

const FLAT_GROUPS = new WeakMap<Group, string>();

function flat(seq: Node[], inMap = false): string {
  const mask = binaryMask(seq, inMap);
  let out = '';
  for (let i = 0; i < seq.length; i++) {
    const n = seq[i];
    out += piece(seq, i, mask[i], isGroup(n) ? flatGroup(n) : n.text);
  }
  return out;
}

function flatGroup(g: Group): string {
  let text = FLAT_GROUPS.get(g);
  if (text === undefined) {
    text = g.open + g.items.map((item) => flat(item, g.open === '{')).join(', ') + g.close;
    FLAT_GROUPS.set(g, text);
  }
  return text;
}

/** Top-level split points of `seq` at the loosest operator present: ternary, then ||, then &&, then +. */
function splitPoints(seq: Node[], inMap: boolean): { op: string; at: number[] } | undefined {
  const mask = binaryMask(seq, inMap);
  for (const op of ['?', '||', '&&', '+']) {
    const at: number[] = [];
    seq.forEach((n, i) => { if (mask[i] && (n as Token).text === op) at.push(i); });
    if (at.length) return { op, at };
  }
  return undefined;
}

function layout(seq: Node[], indent: string, inMap = false): string {
  const one = flat(seq, inMap);
  if (indent.length + one.length <= CEL_LINE_WIDTH) return indent + one;
  const split = splitPoints(seq, inMap);
  if (split && split.op === '?') return layoutTernary(seq, split.at[0], indent, inMap);
  if (split) {
    const parts: string[] = [];
    let start = 0;
    for (const at of [...split.at, seq.length]) {
      const part = seq.slice(start, at);
      const lead = start === 0 ? '' : `${(seq[start - 1] as Token).text} `;
      parts.push(prefixFirst(layout(part, indent, inMap), indent, lead));
      start = at + 1;
    }
    return parts.join('\n');
  }
  return layoutGroups(seq, indent, inMap);
}

function layoutTernary(seq: Node[], q: number, indent: string, inMap: boolean): string {
  // The `:` that closes this `?`: the first top-level colon after it with nesting balanced.
  const mask = binaryMask(seq, inMap);
  let depth = 0;
  let colon = -1;
  for (let j = q + 1; j < seq.length; j++) {
    const t = seq[j];
    if (isGroup(t) || !mask[j]) continue;
    if (t.text === '?') depth++;
    if (t.text === ':') { if (depth === 0) { colon = j; break; } depth--; }
  }
  if (colon < 0) throw new CelFormatError('a ? without its :');
  // Each branch on its own line after `? ` / `: `, its continuation lines indented under its text.
  const deeper = indent + INDENT;
  const branch = (part: Node[], lead: string) => deeper + lead + layout(part, deeper + INDENT, inMap).slice(deeper.length + INDENT.length);
  return [layout(seq.slice(0, q), indent, inMap), branch(seq.slice(q + 1, colon), '? '), branch(seq.slice(colon + 1), ': ')].join('\n');
}

/** No operator to split at: open the bracket groups that are too long, one item per line. */
function layoutGroups(seq: Node[], indent: string, inMap: boolean): string {
  const mask = binaryMask(seq, inMap);
  let out = indent;
  seq.forEach((n, i) => {
    if (!isGroup(n)) { out += piece(seq, i, mask[i], n.text); return; }
    const one = flatGroup(n);
    const column = out.length - out.lastIndexOf('\n') - 1;
    // Short groups stay whole even past the width: `.orValue('')` split over three lines reads worse.
    if (n.items.length === 0 || one.length <= SHORT_GROUP || column + one.length <= CEL_LINE_WIDTH) { out += one; return; }
    const deeper = indent + INDENT;
    const items = n.items.map((item, k) => layout(item, deeper, n.open === '{') + (k < n.items.length - 1 ? ',' : ''));
    out += `${n.open}\n${items.join('\n')}\n${indent}${n.close}`;
  });
  return out;
}

function prefixFirst(text: string, indent: string, lead: string): string {
  return indent + lead + text.slice(indent.length);
}

const sameTokens = (a: Token[], b: Token[]) => a.length === b.length && a.every((t, i) => t.text === b[i].text);

/**
 * The expression laid out over several lines when it does not fit on one (otherwise unchanged,
 * apart from spacing). Throws CelFormatError where the text is not CEL this formatter can read.
 */
export function formatCel(expression: string): string {
  const tokens = splitLongLiterals(tokenize(expression));
  const formatted = layout(parse(tokens), '').split('\n').map((l) => l.trimEnd()).join('\n');
  if (!sameTokens(tokens, tokenize(formatted))) throw new CelFormatError('formatting would change the expression (a formatter bug)');
  return formatted;
}

/**
 * A quoted literal longer than the line width, standing as an operand of `+` (a message being
 * built), becomes a concatenation of pieces split at spaces: `'a b'` -> `'a ' + 'b'`. String `+`
 * associates left and the neighbours are `+` already, so the value is the same string.
 */
function splitLongLiterals(tokens: Token[]): Token[] {
  const out: Token[] = [];
  const isPlus = (t: Token | undefined) => t !== undefined && t.kind === 'op' && t.text === '+';
  const edge = (t: Token | undefined) => t === undefined || isPlus(t) || t.kind === 'open' || t.kind === 'close' || t.kind === 'comma';
  tokens.forEach((t, i) => {
    const quoted = t.kind === 'str' && (t.text[0] === "'" || t.text[0] === '"') && !t.text.startsWith("'''") && !t.text.startsWith('"""');
    const inConcat = (isPlus(tokens[i - 1]) || isPlus(tokens[i + 1])) && edge(tokens[i - 1]) && edge(tokens[i + 1]);
    if (!quoted || !inConcat || t.text.length <= CEL_LINE_WIDTH) { out.push(t); return; }
    const quote = t.text[0];
    let rest = t.text.slice(1, -1);
    while (rest.length > CEL_LINE_WIDTH - 4) {
      let cut = rest.lastIndexOf(' ', CEL_LINE_WIDTH - 6);
      // A space is never part of an escape, but the piece must not end in an unpaired backslash.
      while (cut > 0 && /(^|[^\\])(\\\\)*\\$/.test(rest.slice(0, cut))) cut = rest.lastIndexOf(' ', cut - 1);
      if (cut <= 0) break;
      out.push({ text: quote + rest.slice(0, cut + 1) + quote, kind: 'str' }, { text: '+', kind: 'op' });
      rest = rest.slice(cut + 1);
    }
    out.push({ text: quote + rest + quote, kind: 'str' });
  });
  return out;
}
