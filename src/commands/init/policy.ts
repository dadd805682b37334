import type { Context } from '../../context.js';
import { failure, usageError } from '../../core/errors.js';
import { GraphApiError, type Directory } from '../../adapters/graph.js';
import { fitToPolicy, keyPolicyOf } from '../../tenant/credential-policy.js';

/**
 * Before the certificate is made: the tenant's credential policy for keys (lifetime cap, trusted CA). Where
 * the policy cannot be read (the admin's token is refused it), say so and go on: Graph still enforces it.
 */
export async function applyKeyPolicy(
  ctx: Pick<Context, 'clock' | 'out'>,
  dir: Directory,
  want: { days: number; explicit: boolean },
): Promise<number> {
  let policy;
  try {
    policy = keyPolicyOf(await dir.getDefaultAppManagementPolicy(), ctx.clock.now());
  } catch (err) {
    if (!(err instanceof GraphApiError)) throw err;
    ctx.out.warn(
      `The tenant's credential policy could not be read (${err.status} ${err.code}); going on: ` +
        'if it caps certificate lifetimes, Graph will refuse a longer-lived certificate when it is added.',
    );
    return want.days;
  }
  const fit = fitToPolicy(policy, want);
  if (!fit.ok) {
    throw fit.rule === 'lifetime'
      ? usageError(fit.what, fit.fix, fit.why, 'EXO-POLICY-LIFETIME')
      : failure(fit.what, { code: 'EXO-POLICY-TRUSTED-CA', why: fit.why, fix: fit.fix });
  }
  if (fit.note) ctx.out.info(fit.note);
  return fit.days;
}
