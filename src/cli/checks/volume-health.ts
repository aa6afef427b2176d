import { CLAIM_HEALTH_REPORTED_SINCE } from '../../catalog/volume-health';
import type { Finding } from '../findings';
import { CheckContext, listAll } from './context';

const CLAIMS = { group: '', version: 'v1', plural: 'persistentvolumeclaims' } as const;

interface HealthCondition {
  readonly status?: string;
  readonly reason?: string;
  readonly message?: string;
}

/**
 * Check 7: claims whose driver reports a health condition. From 1.37 the health monitor (v0.19+)
 * writes them to `status.healthStatus.healthConditions` (Inaccessible, DataLoss, Degraded); older
 * clusters report health only as events, which this command does not read.
 */
export async function checkVolumeHealth(ctx: CheckContext): Promise<Finding[]> {
  if (ctx.minor === undefined || ctx.minor < CLAIM_HEALTH_REPORTED_SINCE) {
    return [{ check: 'volume-health', id: 'volume-health.claims', status: 'skip',
      summary: `claims carry volume health in their status from Kubernetes 1.${CLAIM_HEALTH_REPORTED_SINCE}; this cluster reports it as events`,
      evidence: ctx.minor === undefined ? [] : [`server minor 1.${ctx.minor}`] }];
  }
  let total = 0;
  const unhealthy: string[] = [];
  for await (const claim of listAll(ctx, CLAIMS, 'persistentvolumeclaims')) {
    total++;
    const conditions: HealthCondition[] = (claim as any).status?.healthStatus?.healthConditions ?? [];
    if (conditions.length === 0) continue;
    const what = conditions.map((c) => `${c.status ?? '?'}/${c.reason ?? '?'}${c.message ? ` (${c.message})` : ''}`).join(', ');
    unhealthy.push(`${claim.metadata?.namespace}/${claim.metadata?.name}: ${what}`);
  }
  if (unhealthy.length === 0) {
    return [{ check: 'volume-health', id: 'volume-health.claims', status: 'pass',
      summary: `no claim reports a health condition (${total} claims)`,
      evidence: ['health appears only where the API server runs CSIVolumeHealth and the driver has a health monitor v0.19+'] }];
  }
  return [{ check: 'volume-health', id: 'volume-health.claims', status: 'warn', subject: `${unhealthy.length} of ${total} claims`,
    summary: `${unhealthy.length} claims report unhealthy volumes`,
    // One claim per line (messages may hold commas), cut at the list limit like every other check.
    evidence: [...unhealthy.sort().slice(0, ctx.listLimit), ...(unhealthy.length > ctx.listLimit ? [`… and ${unhealthy.length - ctx.listLimit} more`] : [])],
    fix: 'read each claim\'s status.healthStatus and its driver\'s logs; DataLoss and Inaccessible need the storage team before the pods do' }];
}
