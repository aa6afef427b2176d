/**
 * MutatingAdmissionPolicy expressions build typed objects: `Object{spec: Object.spec{...}}` and
 * `JSONPatch{op: 'add', ...}`. Neither cel-js nor a plain cel-go environment declares those types,
 * so the harness rewrites each construction into a map literal with quoted field names before
 * type-checking and evaluating. Only the construction syntax changes; every other token is kept.
 * The API server additionally checks the type path (`Object.spec.template`) against the schema;
 * that part is not reproduced here.
 */

const TYPE_NAME = /^(Object(\.[A-Za-z_][A-Za-z0-9_]*)*|JSONPatch)$/;

/**
 * The expression with every `Object…{f: v}` / `JSONPatch{f: v}` turned into `{'f': dyn(v)}`; the
 * `dyn` stands in for the typed field, so that fields of different types can share one literal.
 */
export function rewriteObjectConstruction(expression: string): string {
  let out = '';
  const stack: ('msg' | 'map' | '(' | '[')[] = [];
  // Per open message literal: whether a `dyn(` wraps the current field value.
  const openDyn: boolean[] = [];
  let expectField = false;
  let i = 0;
  while (i < expression.length) {
    const ch = expression[i];
    if (ch === '"' || ch === "'") {
      const end = skipString(expression, i);
      out += expression.slice(i, end);
      i = end;
      expectField = false;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*(\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*/.exec(expression.slice(i));
    if (ident && !/[A-Za-z0-9_.]/.test(expression[i - 1] ?? '')) {
      const text = ident[0];
      const after = expression.slice(i + text.length);
      const brace = /^\s*\{/.exec(after);
      if (brace && TYPE_NAME.test(text.replace(/\s+/g, ''))) {
        out += '{';
        stack.push('msg');
        openDyn.push(false);
        expectField = true;
        i += text.length + brace[0].length;
        continue;
      }
      if (expectField && stack[stack.length - 1] === 'msg' && /^\s*:/.test(after) && !text.includes('.')) {
        out += `'${text}'`;
        i += text.length;
        expectField = false;
        continue;
      }
      out += text;
      i += text.length;
      expectField = false;
      continue;
    }
    const top = stack[stack.length - 1];
    if (top === 'msg' && (ch === ',' || ch === '}') && openDyn[openDyn.length - 1]) {
      out += ')';
      openDyn[openDyn.length - 1] = false;
    }
    if (top === 'msg' && ch === ':' && !openDyn[openDyn.length - 1]) {
      out += ': dyn(';
      openDyn[openDyn.length - 1] = true;
      i++;
      continue;
    }
    if (ch === '{') stack.push('map');
    else if (ch === '(' || ch === '[') stack.push(ch);
    else if (ch === '}' || ch === ')' || ch === ']') { if (stack.pop() === 'msg') openDyn.pop(); }
    if (ch === ',') expectField = stack[stack.length - 1] === 'msg';
    else if (!/\s/.test(ch)) expectField = false;
    out += ch;
    i++;
  }
  if (stack.length !== 0) throw new Error(`unbalanced brackets in '${expression}'`);
  return out;
}

function skipString(s: string, start: number): number {
  const quote = s[start];
  const triple = s.startsWith(quote.repeat(3), start);
  let i = start + (triple ? 3 : 1);
  while (i < s.length) {
    if (s[i] === '\\') { i += 2; continue; }
    if (triple ? s.startsWith(quote.repeat(3), i) : s[i] === quote) return i + (triple ? 3 : 1);
    i++;
  }
  throw new Error(`unterminated string in '${s}'`);
}
