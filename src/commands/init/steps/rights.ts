import type { Context } from '../../../context.js';
import type { Step } from '../../../core/steps.js';
import type { InitRun } from '../run.js';

/** The workload's rights, through the chosen strategy (rights/, or the workload's own). */
export const rights: Step<InitRun, Pick<Context, 'clock' | 'out'>> = {
  id: 'rights',
  plan: (_ctx, s) => s.strategy.plan(s.answers.rights, s.survey.rightsHeld),
  async run(ctx, s) {
    const outcome = s.survey.rightsHeld
      ? 'reused'
      : await s.strategy.grant(
          ctx,
          {
            dir: s.deps.dir,
            sp: { id: s.sp!.id, appId: s.app!.appId, displayName: s.app!.displayName },
            admin: s.deps.admin,
          },
          s.answers.rights,
          s.deadline,
        );
    s.outcomes['rights'] = outcome;
    s.report(s.strategy.describe(s.answers.rights), outcome);
  },
};
