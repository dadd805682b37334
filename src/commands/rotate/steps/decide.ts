import type { Context } from '../../../context.js';
import type { Step } from '../../../core/steps.js';
import { CliError, EXIT } from '../../../core/errors.js';
import type { RotateRun } from '../run.js';

/** Whether a new certificate is due (--if-expiring-within), and whether one can be added without an admin. */
export const decide: Step<RotateRun, Pick<Context, 'clock'>> = {
  id: 'decide',
  plan: (ctx, r) => {
    if (r.done) return undefined;
    const days = r.current
      ? Math.floor((r.current.notAfter.getTime() - ctx.clock.now().getTime()) / 86_400_000)
      : undefined;
    if (
      r.o.ifExpiringWithin !== undefined &&
      days !== undefined &&
      days > r.o.ifExpiringWithin &&
      !r.profile?.pendingCertificate
    )
      return `nothing due: the certificate expires in ${days} days, not within ${r.o.ifExpiringWithin}`;
    return undefined;
  },
  async run(ctx, r) {
    if (r.done) return;
    const now = ctx.clock.now().getTime();
    const { current, o, t } = r;
    if (o.ifExpiringWithin !== undefined && current && !r.profile?.pendingCertificate) {
      const days = Math.floor((current.notAfter.getTime() - now) / 86_400_000);
      if (days > o.ifExpiringWithin) {
        r.done = {
          ...r.base,
          action: 'skipped',
          reason:
            `certificate ${current.thumbprint} expires in ${days} days ` +
            `(${current.notAfter.toISOString().slice(0, 10)}), not within ${o.ifExpiringWithin}`,
          thumbprint: current.thumbprint,
          notAfter: current.notAfter.toISOString(),
        };
        return;
      }
    }
    // Without an admin, addKey and its proof need the object id: refuse now, before any key is made or written.
    if (!o.admin && !r.objectId) {
      throw new CliError(
        EXIT.usage,
        "The app's object id is needed (addKey/removeKey address the application object, and the proof names it).",
        {
          fix:
            'Pass --object-id (Entra ID > App registrations > Object ID) or ' +
            'EXO_CBA_APP_OBJECT_ID, or use a profile.',
        },
      );
    }
    const valid =
      current !== undefined && current.notBefore.getTime() <= now && current.notAfter.getTime() > now;
    // With an admin (after an expiry, or a leak), a current key the token service refuses gets no overlap.
    if (o.admin && current && valid && !(await r.keys.signsIn(current))) r.currentRefused = true;
    if (!valid && !o.admin) {
      throw new CliError(
        EXIT.failed,
        `No valid certificate is left to sign the ` +
          `rotation${current ? ` (${current.thumbprint} expired on ${current.notAfter.toISOString()})` : ''}.`,
        {
          why: 'addKey needs a proof signed by a certificate the app still accepts.',
          fix:
            `Run 'exo-cba rotate${t.profile ? ` --profile ${t.profile.name}` : ''} --admin': an ` +
            `admin signs in and replaces the key.`,
        },
      );
    }
  },
};
