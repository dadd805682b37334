import { withRetries } from '../../../core/retry.js';
import { strategyFor } from '../../../rights/index.js';
import { diagnoseProbe, VERIFY_CMDLET, type ProbeResult } from '../../../workloads/exchange/index.js';
import { skip, type Check } from './types.js';

/** How long check waits out Exchange throttling before it reports the check as failed. */
const CHECK_WAIT_MS = 120_000;

/** Exchange runs a read-only cmdlet the app's rights allow. */
export const exchange: Check = {
  id: 'exchange',
  async run(ctx, r) {
    const token = r.token;
    if (!token) return skip('no token');
    const tid = typeof token.claims['tid'] === 'string' ? token.claims['tid'] : r.t.tenant;
    const org = r.t.organization ?? r.t.tenant;
    // The cmdlet the profile's rights allow (a scoped app may not run every cmdlet).
    const rights = r.t.profile?.rights;
    const cmdlet = rights ? strategyFor(rights).verifyCmdlet(rights) : VERIFY_CMDLET;
    // Exchange's 429 and 503 are waited out under the one retry policy (a CI check should not fail on one).
    const busy = (p: ProbeResult) => !p.ok && (p.kind === 'throttled' || p.kind === 'unavailable');
    const probe = await withRetries(
      ctx,
      `${cmdlet} in Exchange Online`,
      async () => {
        const p = await r.svc.exchange.invoke({
          tenantId: tid,
          organization: org,
          accessToken: token.accessToken,
          cmdlet,
        });
        if (busy(p)) throw Object.assign(new Error('busy'), { probe: p });
        return p;
      },
      {
        deadline: ctx.clock.now().getTime() + CHECK_WAIT_MS,
        decide: (e) => {
          const p = (e as { probe?: ProbeResult }).probe;
          return p && !p.ok
            ? {
                label: `Exchange is busy (HTTP ${p.status})`,
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
      return { status: 'pass', message: `${cmdlet} ran in Exchange Online (${probe.count} result(s))` };
    const d = diagnoseProbe(probe, rights ? strategyFor(rights).whenRefused(rights) : undefined, cmdlet);
    return { status: 'fail', message: d.what, fix: d.fix };
  },
};
