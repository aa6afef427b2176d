/**
 * Every case of every policy (src/policies), replayed as real requests on the real API server.
 * The server's decision and message must be what the case expects. The offline harness
 * (csi-snapshot-guard/testing) runs the same cases in the unit suite; where the two disagreed, the
 * server was taken as right and the policy or the harness was fixed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MUTATING_POLICIES, VALIDATING_POLICIES } from '../../src/policies';
import type { MutatingPolicyCase, PolicyCase } from '../../src/policies/types';
import { evaluateCase } from '../../src/testing/harness';
import { Cluster, crdEstablished, eventually, removePolicyBindings } from './support/cluster';
import { renderedCrds } from './support/render';
import { CaseReplayer, differenceIn, renderPolicy, writableParts } from './support/replay';

const cluster = new Cluster();
const minor = cluster.env.minor;
let replayed = 0;

/** This project's snapshot CRDs, Established (the CRD policy's cases replace and delete the content CRD). */
async function ensureCrds(): Promise<void> {
  for (const crd of renderedCrds(minor)) {
    await cluster.put(crd);
    await eventually(() => crdEstablished(cluster, crd.metadata.name), `${crd.metadata.name} Established`);
  }
}

beforeAll(async () => {
  // Only the snapshot CRDs: each policy is installed alone below, so no other policy acts on a case.
  await ensureCrds();
  await removePolicyBindings(cluster);
});
afterAll(async () => {
  console.log(`replayed ${replayed} policy cases on ${cluster.env.version}`);
});

for (const def of Object.values(VALIDATING_POLICIES)) {
  describe.skipIf(minor < def.minKubernetesMinor)(`${def.name} on ${cluster.env.version}`, () => {
    let replayer: CaseReplayer;
    beforeAll(async () => { replayer = new CaseReplayer(cluster, def, renderPolicy(def, minor)); await replayer.install(); });
    afterAll(async () => { await replayer.uninstall(); await ensureCrds(); });
    for (const c of def.cases as readonly PolicyCase[]) {
      it(`${c.expect}: ${c.name}`, async () => {
        const out = await replayer.run(c, c.expect === 'denied' ? (o) => o.verdict === 'denied' : undefined);
        replayed++;
        const expected = c.expect === 'denied' ? 'denied' : 'allowed';
        expect(out.verdict, `${out.status} ${out.message}`).toBe(expected);
        // The exported offline harness must reach the server's decision on the same case.
        const offline = evaluateCase(def, c).verdict;
        expect(offline === 'denied' || offline === 'error' ? 'denied' : 'allowed', `offline harness said ${offline}`).toBe(out.verdict);
        const message = c.serverMessage ?? c.message;
        if (c.expect === 'denied' && message !== undefined) {
          if (typeof message === 'string') expect(out.message).toBe(message);
          else expect(out.message).toMatch(message);
        }
      });
    }
  });
}

const mutatingServed = minor >= 34;
for (const def of Object.values(MUTATING_POLICIES)) {
  describe.skipIf(!mutatingServed || minor < def.minKubernetesMinor)(`${def.name} on ${cluster.env.version}`, () => {
    let replayer: CaseReplayer;
    beforeAll(async () => { replayer = new CaseReplayer(cluster, def, renderPolicy(def, minor)); await replayer.install(); });
    afterAll(async () => { await replayer.uninstall(); await ensureCrds(); });
    for (const c of def.cases as readonly MutatingPolicyCase[]) {
      it(`${c.expect}: ${c.name}`, async () => {
        const sent = (c.object ?? {}) as Record<string, any>;
        const asSent = { spec: sent.spec, metadata: { annotations: sent.metadata?.annotations ?? {} } };
        const wanted = c.expectObject ?? {};
        const out = await replayer.run(c, c.expect === 'mutated' ? (o) => o.object !== undefined && differenceIn(wanted, o.object) === undefined : undefined);
        replayed++;
        expect(out.verdict, `${out.status} ${out.message}`).toBe('allowed');
        const offline = evaluateCase(def, c);
        expect(offline.verdict === 'mutated', `offline harness said ${offline.verdict}`).toBe(c.expect === 'mutated');
        if (c.expect === 'mutated') {
          expect(differenceIn(wanted, offline.patchedObject)).toBeUndefined();
          expect(differenceIn(wanted, sent), 'the case expects what was sent: nothing to prove').toBeDefined();
          expect(differenceIn(wanted, out.object)).toBeUndefined();
        } else {
          // Nothing the request set was changed (the server only adds defaults), and nothing was
          // added where the mutating policies write: annotations and container arguments.
          expect(differenceIn(asSent, out.object)).toBeUndefined();
          expect(writableParts(out.object!)).toEqual(writableParts(sent));
        }
      });
    }
  });
}
