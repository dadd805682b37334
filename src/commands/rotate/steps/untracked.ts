import type { Context } from '../../../context.js';
import type { Step } from '../../../core/steps.js';
import type { RotateRun } from '../run.js';
import { thumbprintOfKey } from '../../../certificate/keys.js';
import { describeUntracked, untrackedKeys, UNTRACKED_FIX } from '../../../profile/untracked.js';

/**
 * Last, when the run can read the app's keys (--admin, or an app that may read its own registration): a key
 * that no profile of the app tracks is named and explained, never removed (a job may use it).
 */
export const untracked: Step<RotateRun, Pick<Context, 'out' | 'profiles'>> = {
  id: 'untracked',
  plan: () => undefined,
  async run(ctx, r) {
    if (!r.profile || r.o.dryRun) return;
    let keys;
    try {
      keys = await r.keys.list(r.pending?.cred ?? r.current);
    } catch (err) {
      ctx.out.verbose(`could not read the app's keys to look for untracked ones: ${(err as Error).message}`);
      return;
    }
    if (!keys) return;
    const stray = untrackedKeys(keys, r.t.appId, await ctx.profiles.list());
    if (!stray.length) return;
    r.untracked = stray.map((k) => {
      const thumbprint = thumbprintOfKey(k);
      return { keyId: k.keyId, ...(thumbprint ? { thumbprint } : {}), endDateTime: k.endDateTime };
    });
    ctx.out.warn(`${r.t.label}: ${describeUntracked(stray)}. ${UNTRACKED_FIX}`);
  },
};
