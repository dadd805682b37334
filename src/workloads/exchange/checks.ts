import type { Context } from '../../context.js';
import { withRetries } from '../../core/retry.js';
import type { CheckOutcome, WorkloadCheck } from '../workload.js';
import { makeExchangeProbe, type ExchangeProbe, type ProbeResult } from './admin-api.js';
import { exchangeEndpoint } from './endpoints.js';
import { diagnoseProbe, verifyCmdlet, whenRefused } from './verify.js';
import { EXCHANGE_MANAGE_AS_APP, EXCHANGE_ROLES } from './facts.js';

/** How long check waits out throttling before it reports the check as failed. */
const CHECK_WAIT_MS = 120_000;

/**
 * Runs a read-only cmdlet through an admin API for check, with the service's 429 and 503 waited out under the
 * one retry policy (a CI check should not fail on one). Shared by every InvokeCommand workload.
 */
export async function cmdletCheck(
  ctx: Pick<Context, 'clock' | 'out'>,
  api: ExchangeProbe,
  call: { tenantId: string; organization: string; accessToken: string; cmdlet: string },
  said: Parameters<typeof diagnoseProbe>[1] & { where: string },
): Promise<CheckOutcome> {
  const busy = (p: ProbeResult) => !p.ok && (p.kind === 'throttled' || p.kind === 'unavailable');
  const probe = await withRetries(
    ctx,
    `${call.cmdlet} in ${said.where}`,
    async () => {
      const p = await api.invoke(call);
      if (busy(p)) throw Object.assign(new Error('busy'), { probe: p });
      return p;
    },
    {
      deadline: ctx.clock.now().getTime() + CHECK_WAIT_MS,
      decide: (e) => {
        const p = (e as { probe?: ProbeResult }).probe;
        return p && !p.ok
          ? {
              label: `${said.service} is busy (HTTP ${p.status})`,
              ...(p.retryAfterMs !== undefined ? { retryAfterMs: p.retryAfterMs } : {}),
            }
          : undefined;
      },
    },
  ).catch((e: unknown) => {
    const p = (e as { probe?: ProbeResult }).probe;
    if (p) return p;
    throw e;
  });
  if (probe.ok)
    return { status: 'pass', message: `${call.cmdlet} ran in ${said.where} (${probe.count} result(s))` };
  const d = diagnoseProbe(probe, said);
  return { status: 'fail', message: d.what, fix: d.fix };
}

/**
 * With Exchange RBAC, the app must hold no directory role Exchange accepts: Exchange adds rights up from
 * every source, so such a role defeats the scoping. The token's `wids` claim lists the app's directory roles.
 */
export const scoping: WorkloadCheck = {
  id: 'scoping',
  async run(_ctx, { token, rights, profileName }) {
    if (rights?.kind !== 'exchange-rbac') return undefined;
    const wids = Array.isArray(token.claims['wids']) ? (token.claims['wids'] as string[]) : [];
    const roles = EXCHANGE_ROLES.accepted.filter((x) => wids.includes(x.templateId));
    if (!roles.length)
      return {
        status: 'pass',
        message: 'no directory role: the Exchange roles alone decide what the app may run',
      };
    return {
      status: 'warn',
      message:
        `the app also holds the directory role ${roles.map((x) => x.name).join(', ')}, which ` +
        `defeats the Exchange RBAC scoping`,
      fix:
        `Remove it (Entra ID > Roles and administrators), or re-run 'exo-cba init` +
        `${profileName ? ` --profile ${profileName}` : ''}' and let it remove the role.`,
    };
  },
};

/** Exchange runs a read-only cmdlet the app's rights allow. */
export const exchangeCmdlet: WorkloadCheck = {
  id: 'exchange',
  async run(ctx, { token, tenantId, organization, rights, deps }) {
    const api = makeExchangeProbe(exchangeEndpoint(deps.cloud.name, deps.env).url, deps.http);
    const cmdlet = verifyCmdlet(rights);
    return cmdletCheck(
      ctx,
      api,
      { tenantId, organization, accessToken: token.accessToken, cmdlet },
      {
        service: 'Exchange',
        where: 'Exchange Online',
        refused: whenRefused(rights),
        cmdlet,
        permission: EXCHANGE_MANAGE_AS_APP,
      },
    );
  },
};
