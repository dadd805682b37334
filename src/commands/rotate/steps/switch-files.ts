import path from 'node:path';
import type { Context } from '../../../context.js';
import type { Step } from '../../../core/steps.js';
import { archiveDirFor, filePaths, recordOf } from '../../../certificate/store.js';
import type { CertificateFiles, CertificateRecord } from '../../../profile/store.js';
import { stablePaths } from './certificate.js';
import type { RotateRun } from '../run.js';

/**
 * Only now, with the new key verified: the current files go to archive/ with their date, and the new ones take
 * their paths (a rename each, in the same directory), so a job that uses the printed path keeps working. The
 * profile switches to the new certificate; the old key stays registered for the overlap.
 */
export const switchFiles: Step<
  RotateRun,
  Pick<Context, 'clock' | 'out' | 'files' | 'configDir' | 'profiles'>
> = {
  id: 'switch',
  plan: (ctx, r) => {
    if (r.done) return undefined;
    const stable = stablePaths(ctx, r);
    const overlap = r.o.keepOld
      ? 'until rotate --finish'
      : r.o.overlapMs === 0
        ? 'none: it is removed at once'
        : `${Math.round((r.o.overlapMs / 86_400_000) * 10) / 10} days, then any rotate removes it`;
    return (
      `archive the current files and put the new certificate at the same paths in ` +
      `${stable.dir}; the old key stays registered for the overlap (${overlap})`
    );
  },
  async run(ctx, r) {
    if (r.done || !r.pending) return;
    const p = r.pending;
    const now = ctx.clock.now();
    const stable = stablePaths(ctx, r);
    const old = r.profile?.certificate;
    // The files in the way (the current set, or strays) go to archive/; the new ones are renamed into place.
    const targets: CertificateFiles = {
      dir: stable.dir,
      cer: stable.cer!,
      pem: stable.pem!,
      key: stable.key!,
      pfx: stable.pfx!,
      ...(p.newPasswordFile ? { pfxPasswordFile: p.newPasswordFile } : {}),
    };
    const archiveDir = archiveDirFor(stable.dir, now, (old?.thumbprint ?? 'previous').slice(0, 8));
    const archived = await ctx.files.archive(
      filePaths({
        ...targets,
        ...(old?.files.dir === stable.dir && old.files.pfxPasswordFile
          ? { pfxPasswordFile: old.files.pfxPasswordFile }
          : {}),
      }),
      archiveDir,
    );
    for (const k of ['cer', 'pem', 'key', 'pfx'] as const)
      await ctx.files.rename(p.record.files[k]!, targets[k]!);
    // The password file is rewritten at its stable path (the same password, unless --new-password changed it).
    if (p.newPasswordFile) await ctx.files.writeNew(p.newPasswordFile, p.password + '\n', 0o600);
    const files: CertificateFiles = {
      ...targets,
      ...(p.record.files.keyEncrypted
        ? { keyEncrypted: true, passwordEnv: p.record.files.passwordEnv! }
        : {}),
    };
    const record: CertificateRecord = { ...recordOf(p.cred, files, p.record.keyId) };
    r.files = files;
    r.archived = archived;
    // The old record now points at its archived files, and says when its key goes.
    const moved = (f: string | undefined) => (f ? path.join(archiveDir, path.basename(f)) : undefined);
    const previous: CertificateRecord[] =
      old && old.thumbprint !== p.cred.thumbprint
        ? [
            {
              ...old,
              files: {
                dir: archiveDir,
                ...Object.fromEntries(
                  (['cer', 'pem', 'key', 'pfx', 'pfxPasswordFile'] as const).flatMap((k) =>
                    old.files[k] ? [[k, moved(old.files[k])]] : [],
                  ),
                ),
                // An encrypted key keeps its password source: retiring it later opens it to confirm the removal.
                ...(old.files.keyEncrypted ? { keyEncrypted: true } : {}),
                ...(old.files.passwordEnv ? { passwordEnv: old.files.passwordEnv } : {}),
              },
              ...(r.o.keepOld && !r.currentRefused
                ? { keep: true }
                : {
                    retireAfter: new Date(
                      r.currentRefused
                        ? now.getTime()
                        : Math.min(now.getTime() + r.o.overlapMs, Date.parse(old.notAfter)),
                    ).toISOString(),
                  }),
            },
          ]
        : [];
    if (r.profile) {
      const { pendingCertificate: _p, ...rest } = r.profile;
      r.profile = {
        ...rest,
        certificate: record,
        state: 'ready',
        updatedAt: now.toISOString(),
        previousCertificates: [
          ...(r.profile.previousCertificates ?? []).filter((x) => x.thumbprint !== old?.thumbprint),
          ...previous,
        ],
        ...(r.passwordSource ? { passwordSource: r.passwordSource } : {}),
      };
      await ctx.profiles.save(r.profile);
    }
    ctx.out.info(
      `${ctx.out.color.green('✔')} The new certificate is in place at ` +
        `${stable.pfx}${archived.length ? `; the previous files are in ${archiveDir}` : ''}`,
    );
  },
};
