import { AuthError } from '../../../adapters/identity.js';
import { GraphApiError } from '../../../adapters/graph.js';
import { explainGraphError } from '../../../adapters/graph-errors.js';
import { CliError } from '../../../core/errors.js';
import { thumbprintOfKey } from '../../../certificate/keys.js';
import { graphTokenOf, skip, type Check, type CheckRun } from './types.js';
import type { Context } from '../../../context.js';
import type { KeyCredentialView } from '../../../adapters/graph.js';
import { describeUntracked, untrackedKeys, UNTRACKED_FIX } from '../../../profile/untracked.js';

/** With --graph: the keys registered on the app, read by the app itself (needs Application.Read.All or to own itself). */
export const keys: Check = {
  id: 'keys',
  async run(ctx, r) {
    if (!r.o.graph) return skip('not asked (--graph)');
    const cred = r.cred;
    if (!cred) return skip('no usable certificate');
    const cloud = r.svc.target.cloud;
    let graphToken: string;
    try {
      graphToken = (await graphTokenOf(r, cred)).accessToken;
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      return skip(`no Graph token: ${err.description}`);
    }
    const dir = await ctx.services.directory(cloud, r.svc.target.http, async () => graphToken);
    try {
      const app = await dir.getApplicationByAppId(r.t.appId);
      if (!app) return skip('the app cannot see its own registration');
      const mine = app.keyCredentials.find((k) => thumbprintOfKey(k) === cred.thumbprint);
      if (!mine)
        return {
          status: 'fail',
          message: `the app has ${app.keyCredentials.length} key(s) and none is this certificate`,
          fix: 'Upload it (exo-cba rotate --admin) or use the registered certificate.',
        };
      const warning = await othersWarning(ctx, r, app.keyCredentials, mine);
      if (warning) return warning;
      return {
        status: 'pass',
        message:
          `registered as key ${mine.keyId}; ${app.keyCredentials.length - 1} other key(s), ` +
          `none expiring within ${r.o.warnDays} days`,
      };
    } catch (err) {
      if (err instanceof GraphApiError && (err.status === 403 || err.status === 401))
        return skip(
          'the app may not read its own registration (needs Application.Read.All); nothing to compare',
        );
      if (!(err instanceof GraphApiError)) throw err;
      // Throttled past the wait, or failing: this profile's check fails with the reason; the others go on.
      const e = explainGraphError(err, "read the app's registered keys");
      return {
        status: 'fail',
        message: e.message,
        ...(e instanceof CliError && e.detail.fix ? { fix: e.detail.fix } : {}),
      };
    }
  },
};

/**
 * The other keys on the app: one that no profile of it tracks (two rotations at once, or added by hand), or
 * that expires within --warn-days, is a warning.
 */
async function othersWarning(
  ctx: Pick<Context, 'profiles' | 'clock'>,
  r: CheckRun,
  keys: KeyCredentialView[],
  mine: KeyCredentialView,
): Promise<{ status: 'warn'; message: string; fix: string } | undefined> {
  const stray = r.t.profile
    ? untrackedKeys(keys, r.t.appId, await ctx.profiles.list()).filter((k) => k !== mine)
    : [];
  if (stray.length) return { status: 'warn', message: describeUntracked(stray), fix: UNTRACKED_FIX };
  const now = ctx.clock.now().getTime();
  const soon = keys.filter((k) => k !== mine && Date.parse(k.endDateTime) - now < r.o.warnDays * 86_400_000);
  if (!soon.length) return undefined;
  return {
    status: 'warn',
    message:
      `registered; other keys expiring soon: ` +
      soon.map((k) => `${thumbprintOfKey(k) ?? k.keyId} (${k.endDateTime.slice(0, 10)})`).join(', '),
    fix: 'Remove or rotate them (exo-cba rotate --finish removes the old keys of a rotation).',
  };
}
