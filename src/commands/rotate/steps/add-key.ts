import type { Context } from '../../../context.js';
import type { Step } from '../../../core/steps.js';
import type { RotateRun } from '../run.js';

/**
 * The new key on the app: as the app itself (addKey, with a proof signed by the current certificate), or with
 * an admin (PATCH, read back). A certificate that already signs in is not added again (a resumed run).
 */
export const addKey: Step<RotateRun, Pick<Context, 'out'>> = {
  id: 'addKey',
  plan: (_ctx, r) =>
    r.done
      ? undefined
      : r.o.admin
        ? 'add the new key with an admin: PATCH /applications/{id} keyCredentials, keeping the others (read back)'
        : 'add the new key as the app itself: POST /applications/{id}/addKey with a proof signed by ' +
          'the current certificate',
  async run(ctx, r) {
    if (r.done || !r.pending) return;
    const p = r.pending;
    if (r.profile?.pendingCertificate && (await r.keys.signsIn(p.cred))) {
      ctx.out.info(
        `${ctx.out.color.green('✔')} The new key is registered already (an interrupted run added ` +
          `it); not adding it again`,
      );
      return;
    }
    const keyId = await r.keys.add(p.cred, p.record.keyId);
    p.record = { ...p.record, ...(keyId ? { keyId } : {}) };
    await r.save({ pendingCertificate: p.record });
    ctx.out.info(`${ctx.out.color.green('✔')} New key added to the app${keyId ? ` (keyId ${keyId})` : ''}`);
  },
};
