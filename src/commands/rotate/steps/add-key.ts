import path from 'node:path';
import type { Context } from '../../../context.js';
import type { Step } from '../../../core/steps.js';
import { archiveDirFor, filePaths } from '../../../certificate/store.js';
import { KeyRefused } from '../../../certificate/upload.js';
import { stablePaths } from './certificate.js';
import type { RotateRun } from '../run.js';

type Ctx = Pick<Context, 'out' | 'clock' | 'files' | 'profiles' | 'configDir'>;

/**
 * The new key on the app: as the app itself (addKey, with a proof signed by the current certificate), or with
 * an admin (PATCH, read back). A certificate that already signs in is not added again (a resumed run). A key
 * Graph refuses (a tenant policy, a bad key) is not kept for the next run to resume: its files go to archive/
 * and the profile forgets it, so the next rotate makes a new certificate with that run's options.
 */
export const addKey: Step<RotateRun, Ctx> = {
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
    let keyId: string | undefined;
    try {
      keyId = await r.keys.add(p.cred, p.record.keyId);
    } catch (err) {
      if (err instanceof KeyRefused) throw await dropRefused(ctx, r, p, err);
      throw err;
    }
    p.record = { ...p.record, ...(keyId ? { keyId } : {}) };
    await r.save({ pendingCertificate: p.record });
    ctx.out.info(`${ctx.out.color.green('✔')} New key added to the app${keyId ? ` (keyId ${keyId})` : ''}`);
  },
};

/** Moves the refused certificate's files to archive/ and takes it out of the profile; says so in the error. */
async function dropRefused(
  ctx: Ctx,
  r: RotateRun,
  p: NonNullable<RotateRun['pending']>,
  err: KeyRefused,
): Promise<KeyRefused> {
  const dir = archiveDirFor(
    stablePaths(ctx, r).dir,
    ctx.clock.now(),
    `refused-${p.cred.thumbprint.slice(0, 8).toLowerCase()}`,
  );
  const moved = await ctx.files.archive(filePaths(p.record.files), dir);
  if (r.profile?.pendingCertificate) {
    const { pendingCertificate: _refused, ...rest } = r.profile;
    r.profile = { ...rest, updatedAt: ctx.clock.now().toISOString() };
    await ctx.profiles.save(r.profile);
  }
  delete r.pending;
  const kept = moved[0] ? path.dirname(moved[0]) : dir;
  return new KeyRefused(err.exitCode, err.message, {
    ...err.detail,
    why:
      `${err.detail.why ? `${err.detail.why} ` : ''}Graph did not add the key, so nothing changed on the ` +
      `app and the current certificate is still in use; the refused certificate was moved to ${kept}.`,
    fix: `${err.detail.fix ?? ''}${err.detail.fix ? ' ' : ''}The next rotate makes a new certificate.`,
  });
}
