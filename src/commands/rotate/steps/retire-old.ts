import type { Context } from '../../../context.js';
import type { Step } from '../../../core/steps.js';
import { due, retireRecords } from './retire.js';
import type { RotateRun } from '../run.js';

/** With --overlap 0 (a suspected leak), or when the old key has expired, the old key goes now, read back. */
export const retireOld: Step<RotateRun, Pick<Context, 'clock' | 'out' | 'files' | 'env'>> = {
  id: 'retireOld',
  plan: (_ctx, r) =>
    r.done || ((r.o.keepOld || r.o.overlapMs > 0) && !r.currentRefused)
      ? undefined
      : 'remove the old key at once, and read the app back',
  async run(ctx, r) {
    if (r.done || !r.pending) return;
    const now = ctx.clock.now().getTime();
    const old = (r.profile?.previousCertificates ?? []).filter(
      (p) => p.thumbprint !== r.pending!.cred.thumbprint && due(p, now, false),
    );
    await retireRecords(ctx, r, old);
  },
};
