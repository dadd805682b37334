import type { Context } from '../../../context.js';
import path from 'node:path';
import type { Step } from '../../../core/steps.js';
import { CliError, EXIT } from '../../../core/errors.js';
import { archiveDirFor, filePaths } from '../../../certificate/store.js';
import type { RotateRun } from '../run.js';
import { stablePaths } from './certificate.js';

/**
 * The new certificate must work before anything else changes. If it does not within --wait, the rotation
 * is rolled back: the unproven key is removed (and read back), the new files archived, the current
 * certificate stays in use; the message says what really happened.
 */
export const verify: Step<RotateRun, Context> = {
  id: 'verify',
  plan: (_ctx, r) =>
    r.done
      ? undefined
      : `verify the new certificate: an app-only token, then ` +
        `${r.t.workload.verifyCall(r.profile?.rights)} (up to ${Math.round(r.o.waitMs / 1000)} s)`,
  async run(ctx, r) {
    if (r.done || !r.pending) return;
    const p = r.pending;
    const rights = r.profile?.rights;
    const outcome = await r.t.workload.verify(
      ctx,
      { identity: r.svc.identity, http: r.svc.target.http, cloud: r.cloud, env: r.svc.target.env },
      {
        cred: {
          clientId: r.t.appId,
          tenant: r.t.tenant,
          keyPem: p.cred.keyPem,
          thumbprintSha256: p.cred.thumbprintSha256,
        },
        tenantId: r.profile?.tenantId ?? r.t.tenant,
        organization: r.t.organization ?? r.t.tenant,
        waitMs: r.o.waitMs,
        ...(rights ? { rights } : {}),
      },
    );
    if (outcome.verified) {
      r.verifiedSeconds = outcome.seconds;
      return;
    }
    let rollback: string;
    try {
      const res = await r.keys.remove(p.record, 'the unverified new key', {
        ...(r.current ? { signer: r.current } : {}),
        removed: p.cred,
      });
      rollback = res.confirmed
        ? 'the new key was removed (read back: gone)'
        : `the new key may still be registered: ${res.note}`;
    } catch (err) {
      rollback = `removing the new key failed (${(err as Error).message}); it may still be registered`;
    }
    const archived = await ctx.files.archive(
      filePaths(p.record.files),
      archiveDirFor(stablePaths(ctx, r).dir, ctx.clock.now(), `unverified-${p.cred.thumbprint.slice(0, 8)}`),
    );
    if (r.profile) {
      const { pendingCertificate: _dropped, ...rest } = r.profile;
      r.profile = { ...rest, updatedAt: ctx.clock.now().toISOString() };
      await ctx.profiles.save(r.profile);
    }
    throw new CliError(
      EXIT.failed,
      `The new certificate could not be verified within ${Math.round(r.o.waitMs / 1000)} s: ${outcome.diagnosis.what}`,
      {
        why:
          `Rolled back: ${rollback}; the current ` +
          `certificate${r.current ? ` ${r.current.thumbprint}` : ''} stays in ` +
          `use${archived.length ? `; the new files went to ${path.dirname(archived[0]!)}` : ''}.`,
        fix: `${outcome.diagnosis.fix} Then run rotate again (a longer --wait helps while Entra replicates).`,
      },
    );
  },
};
