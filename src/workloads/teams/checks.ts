import type { Context } from '../../context.js';
import { withRetries } from '../../core/retry.js';
import type { CheckOutcome, WorkloadCheck } from '../workload.js';
import type { CallAnswer } from './api.js';
import { makeTeamsApi } from './api.js';
import { teamsApiOrigin } from './endpoints.js';
import { diagnoseTenants, roleInToken, teamsRolesIn } from './verify.js';

/** How long check waits out throttling before it reports the check as failed. */
const CHECK_WAIT_MS = 120_000;

/** A read with the service's 429 and 503 waited out under the one retry policy (a CI check should not fail on one). */
async function patiently(
  ctx: Pick<Context, 'clock' | 'out'>,
  what: string,
  call: () => Promise<CallAnswer>,
): Promise<CallAnswer> {
  const busy = (a: CallAnswer) => !a.ok && (a.kind === 'throttled' || a.kind === 'unavailable');
  return withRetries(
    ctx,
    what,
    async () => {
      const a = await call();
      if (busy(a)) throw Object.assign(new Error('busy'), { answer: a });
      return a;
    },
    {
      deadline: ctx.clock.now().getTime() + CHECK_WAIT_MS,
      decide: (e) => {
        const a = (e as { answer?: CallAnswer }).answer;
        return a && !a.ok
          ? {
              label: `busy (HTTP ${a.status})`,
              ...(a.retryAfterMs !== undefined ? { retryAfterMs: a.retryAfterMs } : {}),
            }
          : undefined;
      },
    },
  ).catch((e: unknown) => {
    const a = (e as { answer?: CallAnswer }).answer;
    if (a) return a;
    throw e;
  });
}

/** The Teams token carries a role Teams accepts, and the tenant admin API reads the tenant with it. */
export const teamsTenant: WorkloadCheck = {
  id: 'teams',
  async run(ctx, { token, tenantId, rights, deps }): Promise<CheckOutcome> {
    const noRole = roleInToken(token.claims, rights);
    if (noRole) return { status: 'fail', message: noRole.what, fix: noRole.fix };
    const held = teamsRolesIn(token.claims, rights);
    const origin = teamsApiOrigin(deps.cloud.name, deps.env);
    if (!origin)
      return {
        status: 'warn',
        message:
          `the Teams token carries ${held.join(', ')}; the tenant admin API was not called: no source ` +
          `names its host in the ${deps.cloud.name} cloud`,
        fix: 'Set EXO_CBA_TEAMS_ENDPOINT to the tenant admin API of your cloud to have check call it.',
      };
    const api = makeTeamsApi({ teams: origin, graph: deps.cloud.graphEndpoint }, deps.http);
    const a = await patiently(ctx, 'Teams.Tenant/tenants', () => api.tenants(token.accessToken, tenantId));
    if (a.ok)
      return {
        status: 'pass',
        message: `Teams read the tenant with ${held.join(', ')} (Teams.Tenant/tenants)`,
      };
    const d = diagnoseTenants(a, held, rights);
    return { status: 'fail', message: d.what, fix: d.fix };
  },
};
