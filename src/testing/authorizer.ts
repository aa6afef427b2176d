/**
 * An `authorizer` for the offline harness that answers from a fixed allow-list, the permissions a
 * case grants its requesting user. It implements the chain the policies use:
 * `authorizer.group(g).resource(r)[.subresource(s)][.namespace(n)][.name(x)].check(verb).allowed()`.
 * Matching mirrors RBAC: group, resource and verb equal or `*`; unset namespace/name grant any.
 */
import type { CasePermission } from '../policies/types';

/** The `authorizer` variable. */
export class Authorizer {
  constructor(readonly permissions: readonly CasePermission[]) {}
}

/** `authorizer.group(g)`. */
export class GroupCheck {
  constructor(readonly authorizer: Authorizer, readonly group: string) {}
}

/** `…resource(r)` and its refinements. */
export class ResourceCheck {
  constructor(
    readonly authorizer: Authorizer, readonly group: string, readonly resource: string,
    readonly subresource = '', readonly namespace = '', readonly name = '',
  ) {}

  /** A copy with one field changed. */
  with(field: 'subresource' | 'namespace' | 'name', value: string): ResourceCheck {
    const next = { subresource: this.subresource, namespace: this.namespace, name: this.name, [field]: value };
    return new ResourceCheck(this.authorizer, this.group, this.resource, next.subresource, next.namespace, next.name);
  }

  /** Decision for `verb`. */
  check(verb: string): Decision {
    const eq = (granted: string | undefined, asked: string, emptyIsAny: boolean) =>
      granted === '*' || granted === asked || (emptyIsAny && (granted === undefined || granted === ''));
    const hit = this.authorizer.permissions.find((p) => eq(p.group, this.group, false) && eq(p.resource, this.resource, false)
      && eq(p.verb, verb, false) && (p.subresource === '*' || (p.subresource ?? '') === this.subresource)
      && eq(p.namespace, this.namespace, true) && eq(p.name, this.name, true));
    return new Decision(hit !== undefined);
  }
}

/** Result of `check(verb)`. */
export class Decision {
  constructor(readonly allowed: boolean) {}
}

/** cel-js type names and functions of the authorizer library (only what policies here use, plus reason()). */
export const AUTHORIZER_FUNCTIONS: readonly [string, (...args: any[]) => unknown][] = [
  ['Authorizer.group(string): GroupCheck', (a: Authorizer, g: string) => new GroupCheck(a, g)],
  ['GroupCheck.resource(string): ResourceCheck', (g: GroupCheck, r: string) => new ResourceCheck(g.authorizer, g.group, r)],
  ['ResourceCheck.subresource(string): ResourceCheck', (r: ResourceCheck, v: string) => r.with('subresource', v)],
  ['ResourceCheck.namespace(string): ResourceCheck', (r: ResourceCheck, v: string) => r.with('namespace', v)],
  ['ResourceCheck.name(string): ResourceCheck', (r: ResourceCheck, v: string) => r.with('name', v)],
  ['ResourceCheck.check(string): Decision', (r: ResourceCheck, verb: string) => r.check(verb)],
  ['Decision.allowed(): bool', (d: Decision) => d.allowed],
  ['Decision.reason(): string', () => ''],
];
