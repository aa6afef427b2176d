/**
 * Small builders for CEL source text, so that names and values from the catalog enter expressions
 * through one quoting rule instead of being pasted by hand.
 */
import { GO_PARSE_BOOL } from '../catalog';

/** A CEL single-quoted string literal. */
export function celString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** A CEL list literal of strings. */
export function celStrings(values: readonly string[]): string {
  return `[${values.map(celString).join(', ')}]`;
}

/** `<obj>.metadata.?annotations[?'<key>']`: an optional string, none when the annotation is absent. */
export function annotationOf(objectExpr: string, key: string): string {
  return `${objectExpr}.metadata.?annotations[?${celString(key)}]`;
}

/** Every string Go's strconv.ParseBool accepts, true words first. */
export const PARSE_BOOL_WORDS: readonly string[] = [...GO_PARSE_BOOL.true, ...GO_PARSE_BOOL.false];

/** Regex alternation of the ParseBool words of one polarity (or both). */
export function parseBoolAlternation(which: 'true' | 'false' | 'any'): string {
  const words = which === 'any' ? PARSE_BOOL_WORDS : GO_PARSE_BOOL[which];
  return `(${words.join('|')})`;
}

/** The default requesting user of a case (an ordinary authenticated user without extra rights). */
export const CASE_USER = { username: 'jane', groups: ['system:authenticated'] } as const;
