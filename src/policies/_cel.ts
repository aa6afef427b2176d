/**
 * Small builders for CEL source text, so that names and values from the catalog enter expressions
 * through one quoting rule instead of being pasted by hand.
 */
import { GO_PARSE_BOOL, SNAPSHOT_NAME_ALPHABET, SNAPSHOT_NAME_BUCKET_COUNT } from '../catalog';

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

/**
 * True when the request adds, changes or removes any of the annotations `keys` (on CREATE: sets
 * any). Written for a matchCondition, which cannot read variables, so each object's lookup is
 * spelled once, with the key as the comprehension variable.
 */
export function annotationsChange(keys: readonly string[]): string {
  const now = "object.metadata.?annotations[?k]";
  const before = "oldObject.metadata.?annotations[?k]";
  return `${celStrings(keys)}.exists(k, oldObject == null ? ${now}.hasValue() : `
    + `${now}.hasValue() != ${before}.hasValue() || ${now}.orValue('') != ${before}.orValue(''))`;
}

/** `'add'`, `'change'` or `'remove'`: what a request that changes annotation `key` does to it. */
export function annotationAction(key: string): string {
  return `!${annotationOf('object', key)}.hasValue() ? 'remove' : `
    + `(oldObject == null || !${annotationOf('oldObject', key)}.hasValue() ? 'add' : 'change')`;
}

/**
 * The bucket (as a string) of the snapshot name `nameExpr` evaluates to: positions of its last two
 * characters in SNAPSHOT_NAME_ALPHABET, summed, modulo SNAPSHOT_NAME_BUCKET_COUNT.
 */
export function snapshotNameBucket(nameExpr: string): string {
  const n = nameExpr;
  const at = (from: string, to: string) => `${celString(SNAPSHOT_NAME_ALPHABET)}.indexOf(${n}.substring(${from}, ${to}))`;
  return `size(${n}) < 2 ? '0' : string((${at(`size(${n}) - 2`, `size(${n}) - 1`)} + ${at(`size(${n}) - 1`, `size(${n})`)}) % ${SNAPSHOT_NAME_BUCKET_COUNT})`;
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
