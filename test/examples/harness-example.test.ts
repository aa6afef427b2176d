import { describe, expect, it } from 'vitest';
import type { PolicyDefinition } from '../../src';
import { checkPolicy, runPolicyCases } from '../../src/testing';

const noLatest: PolicyDefinition = {
  type: 'validating', name: 'no-latest-tag', description: 'Images must be pinned.',
  minKubernetesMinor: 30, celLibraries: [],
  matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'] }] },
  validations: [{ expression: "object.spec.containers.all(c, !c.image.endsWith(':latest'))", message: 'pin your images' }],
  cases: [
    { name: 'pinned', request: { operation: 'CREATE' }, expect: 'allowed',
      object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' }, spec: { containers: [{ name: 'a', image: 'nginx:1.27' }] } } },
    { name: 'latest', request: { operation: 'CREATE' }, expect: 'denied', message: 'pin your images',
      object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b' }, spec: { containers: [{ name: 'b', image: 'nginx:latest' }] } } },
  ],
};

describe('no-latest-tag', () => {
  it('type-checks', () => expect(checkPolicy(noLatest)).toEqual([]));
  it.each(runPolicyCases(noLatest).map((r) => [r.case, r] as const))('%s', (_n, r) => expect(r.problem).toBeUndefined());
});
