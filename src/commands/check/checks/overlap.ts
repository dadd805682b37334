import { skip, type Check } from './types.js';

/** Old keys a rotation left registered for its overlap, and when they go. */
export const overlap: Check = {
  id: 'overlap',
  async run(ctx, r) {
    const previous = r.t.profile?.previousCertificates ?? [];
    if (!r.t.profile) return skip('no profile');
    if (!previous.length) return skip('no old key waits for removal');
    const now = ctx.clock.now().getTime();
    const overdue = previous.filter((p) => p.retireAfter && Date.parse(p.retireAfter) <= now);
    const line = previous
      .map(
        (p) =>
          `${p.thumbprint} ` +
          (p.retireAfter
            ? `goes after ${p.retireAfter.slice(0, 16).replace('T', ' ')} UTC`
            : 'goes at rotate --finish'),
      )
      .join('; ');
    if (overdue.length)
      return {
        status: 'warn',
        message: `old key(s) past their overlap are still registered: ${line}`,
        fix: `Run 'exo-cba rotate --profile ${r.t.profile.name} --finish' (a scheduled rotate does it too).`,
      };
    return { status: 'pass', message: `old key(s) still registered for the overlap: ${line}` };
  },
};
