import type { Context } from '../../../context.js';
import type { Step } from '../../../core/steps.js';
import type { CertificateRecord } from '../../../profile/store.js';
import type { RotateRun } from '../run.js';
import { loadRecordedCredential } from '../../../certificate/credentials.js';

/**
 * Old keys whose overlap is over are removed, by any rotate (a daily scheduled run finishes the cycle on its
 * own), and at once with --finish. A key is never kept past its own expiry. Each removal is read back.
 */
export function due(rec: CertificateRecord, now: number, finish: boolean): boolean {
  if (finish || Date.parse(rec.notAfter) <= now) return true;
  if (rec.keep) return false;
  // A record without a date was left by a rotation that stopped before it could remove the key: remove it now.
  return rec.retireAfter === undefined || Date.parse(rec.retireAfter) <= now;
}

export async function retireRecords(
  ctx: Pick<Context, 'clock' | 'out' | 'files' | 'env'>,
  r: RotateRun,
  records: CertificateRecord[],
): Promise<void> {
  for (const old of records) {
    if (old.thumbprint === r.current?.thumbprint && !r.pending) continue; // never the key in use
    const signer = r.pending?.cred ?? r.current;
    // Its own certificate (archived at the switch) proves the removal: the token service must now refuse it.
    const source = r.profile?.passwordSource;
    const removed = await loadRecordedCredential(ctx, old, {
      ...(source?.kind === 'env' ? { passwordEnv: source.name } : {}),
    });
    const res = await r.keys.remove(old, `the old key ${old.thumbprint}`, {
      ...(signer ? { signer } : {}),
      ...(typeof removed !== 'string' ? { removed } : { why: removed }),
    });
    if (!res.confirmed) {
      r.notes.push(`the old key ${old.thumbprint} may still be registered: ${res.note}`);
      continue;
    }
    await r.save({
      previousCertificates: (r.profile?.previousCertificates ?? []).filter(
        (p) => p.thumbprint !== old.thumbprint,
      ),
    });
    r.retired.push(old.thumbprint);
    ctx.out.info(`${ctx.out.color.green('✔')} Old key ${old.thumbprint} removed (read back: gone)`);
  }
}

export const retireDue: Step<RotateRun, Pick<Context, 'clock' | 'out' | 'files' | 'env'>> = {
  id: 'retire',
  plan: (ctx, r) => {
    const now = ctx.clock.now().getTime();
    const list = (r.profile?.previousCertificates ?? []).filter((p) => due(p, now, r.o.finish));
    return list.length
      ? `remove ${list.length} old key(s) whose overlap is over: ${list.map((p) => p.thumbprint).join(', ')}`
      : undefined;
  },
  async run(ctx, r) {
    const now = ctx.clock.now().getTime();
    await retireRecords(
      ctx,
      r,
      (r.profile?.previousCertificates ?? []).filter((p) => due(p, now, r.o.finish)),
    );
    if (r.o.finish) {
      r.done = {
        ...r.base,
        action: 'finished',
        reason: r.retired.length
          ? `removed ${r.retired.length} old key(s)`
          : 'no old key was waiting; nothing to remove',
        ...(r.current
          ? { thumbprint: r.current.thumbprint, notAfter: r.current.notAfter.toISOString() }
          : {}),
      };
    }
  },
};
