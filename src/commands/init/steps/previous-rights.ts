import type { Context } from '../../../context.js';
import type { Step } from '../../../core/steps.js';
import { strategyFor } from '../../../workloads/index.js';
import type { InitRun } from '../run.js';

/**
 * A profile that switches how its app holds its rights (a directory role → Exchange RBAC, say): the old
 * rights are offered for removal once the new ones are in place, after a confirmation (--yes unattended).
 * Exchange adds rights up from every source, so a directory role left behind defeats the RBAC scoping.
 */
export const previousRights: Step<InitRun, Pick<Context, 'clock' | 'out' | 'interactive' | 'prompt'>> = {
  id: 'previousRights',
  plan: (_ctx, s) => {
    const old = s.existing?.rights;
    return old && old.kind !== s.answers.rights.kind
      ? `then remove the earlier ${strategyFor(s.workload, old).describe(old)} from the app ` +
          '(asked first; --yes unattended)'
      : undefined;
  },
  async run(ctx, s) {
    const old = s.existing?.rights;
    if (!old || old.kind === s.answers.rights.kind) return;
    const oldStrategy = strategyFor(s.workload, old);
    const on = {
      dir: s.deps.dir,
      sp: { id: s.sp!.id, appId: s.app!.appId, displayName: s.app!.displayName },
      admin: s.deps.admin,
    };
    if (!(await oldStrategy.isHeld(on, old))) return;
    const go = ctx.interactive
      ? await ctx.prompt.confirm({
          name: 'removePreviousRights',
          message:
            `Remove the earlier ${oldStrategy.describe(old)} from the app? (Left in place, ` +
            `it defeats the new scoping.)`,
          default: true,
        })
      : s.flags.yes;
    if (!go) {
      ctx.out.warn(
        `The app still holds ${oldStrategy.describe(old)}: ${s.workload.service} adds rights up, so ` +
          `${strategyFor(s.workload, s.answers.rights).describe(s.answers.rights)} limits nothing until it is removed.`,
      );
      return;
    }
    await oldStrategy.revoke(ctx, on, old);
    s.outcomes['previousRights'] = 'removed';
  },
};
