import { skip, type Check } from './types.js';

/** Its dates: failing when expired or not yet valid, warning within --warn-days. */
export const validity: Check = {
  id: 'validity',
  async run(ctx, r) {
    const cred = r.cred;
    if (!cred) return skip('no certificate to inspect');
    const now = ctx.clock.now().getTime();
    const days = Math.floor((cred.notAfter.getTime() - now) / 86_400_000);
    r.report.daysLeft = days;
    r.report.notAfter = cred.notAfter.toISOString();
    const rotate = `exo-cba rotate${r.t.profile ? ` --profile ${r.t.profile.name}` : ''}`;
    if (cred.notAfter.getTime() <= now)
      return {
        status: 'fail',
        message: `expired on ${r.report.notAfter} (${days} days left)`,
        fix: `${rotate} --admin (no valid certificate is left to sign a rotation)`,
      };
    if (cred.notBefore.getTime() > now)
      return {
        status: 'fail',
        message: `not valid before ${cred.notBefore.toISOString()}; notAfter ${r.report.notAfter}`,
        fix: "Check this machine's clock, or the certificate's dates.",
      };
    if (days < r.o.warnDays)
      return {
        status: 'warn',
        message: `expires in ${days} days (notAfter ${r.report.notAfter})`,
        fix: rotate,
      };
    return { status: 'pass', message: `${days} days left (notAfter ${r.report.notAfter})` };
  },
};
