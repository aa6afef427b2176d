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

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '/' && src[i + 1] === '/') throw new CelFormatError('comments are kept as written');
    const str = /^(?:[rRbB]{0,2})('''|"""|'|")/.exec(src.slice(i, i + 5));
    if (str && (str[0].length === str[1].length || /^[rRbB]/.test(c))) {
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
    const num = /^(?:0x[0-9a-fA-F]+u?|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?u?|\.\d+(?:[eE][-+]?\d+)?)/.exec(src.slice(i));
    if (num && (c !== '.' || /\d/.test(src[i + 1] ?? ''))) { tokens.push({ text: num[0], kind: 'num' }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
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

/** Whether `t` at index i of `seq` is a binary operator (not unary minus, not a map key's colon). */
function isBinary(seq: Node[], i: number, inMap: boolean): boolean {
  const t = seq[i];
  if (isGroup(t) || !(t.kind === 'op' || (t.kind === 'id' && t.text === 'in'))) return false;
  if (!BINARY.has(t.text)) return false;
  if (t.text === '-') {
    const prev = seq[i - 1];
    return prev !== undefined && (isGroup(prev) || !(prev.kind === 'op' || (prev.kind === 'id' && prev.text === 'in')));
  }
  if (t.text === ':' && inMap) {
    // In a map or message literal, a colon with no open `?` before it in this item separates key and value.
    let pending = 0;
    for (let j = 0; j < i; j++) {
      const x = seq[j];
      if (!isGroup(x) && x.kind === 'op' && x.text === '?') pending++;
      if (!isGroup(x) && x.kind === 'op' && x.text === ':') pending--;
    }
    return pending > 0;
  }
  return true;
}

function flat(seq: Node[], inMap = false): string {
  let out = '';
  seq.forEach((n, i) => {
    const piece = isGroup(n) ? flatGroup(n) : n.text;
    if (isBinary(seq, i, inMap)) { out += ` ${piece} `; return; }
    if (!isGroup(n) && n.kind === 'op' && n.text === ':') { out += ': '; return; } // map entry
    const prev = seq[i - 1];
    // `Object{...}` and `JSONPatch{...}` keep the brace on the type name; identifiers never touch.
    if (prev && !isGroup(prev) && (prev.kind === 'id' || prev.kind === 'num' || prev.kind === 'str') && !isGroup(n) && (n.kind === 'id' || n.kind === 'num' || n.kind === 'str')) out += ' ';
    out += piece;
  });
  return out;
}

function flatGroup(g: Group): string {
  const inMap = g.open === '{';
  return g.open + g.items.map((item) => flat(item, inMap)).join(', ') + g.close;
}

/** Top-level split points of `seq` at the loosest operator present: ternary, then ||, then &&, then +. */
function splitPoints(seq: Node[], inMap: boolean): { op: string; at: number[] } | undefined {
  for (const ops of [['?'], ['||'], ['&&'], ['+']]) {
    const at: number[] = [];
    seq.forEach((n, i) => { if (!isGroup(n) && ops.includes(n.text) && isBinary(seq, i, inMap)) at.push(i); });
    if (at.length) return { op: ops[0], at };
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
  let depth = 0;
  let colon = -1;
  for (let j = q + 1; j < seq.length; j++) {
    const t = seq[j];
    if (isGroup(t) || !isBinary(seq, j, inMap)) continue;
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
  let out = indent;
  seq.forEach((n, i) => {
    if (!isGroup(n)) {
      if (isBinary(seq, i, inMap)) { out += ` ${n.text} `; return; }
      if (n.kind === 'op' && n.text === ':') { out += ': '; return; }
      const prev = seq[i - 1];
      if (prev && !isGroup(prev) && ['id', 'num', 'str'].includes(prev.kind) && ['id', 'num', 'str'].includes(n.kind)) out += ' ';
      out += n.text;
      return;
    }
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
