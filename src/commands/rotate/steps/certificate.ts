import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Context } from '../../../context.js';
import type { Step } from '../../../core/steps.js';
import { loadRecordedCredential } from '../../../certificate/credentials.js';
import { plannedFiles, recordOf, slug, writeCertificateSet } from '../../../certificate/store.js';
import type { CertificateFiles } from '../../../profile/store.js';
import { passwordForNewPfx } from '../password.js';
import type { RotateRun } from '../run.js';

type Ctx = Pick<Context, 'clock' | 'out' | 'files' | 'env' | 'configDir' | 'interactive' | 'prompt'>;

/** Where the current certificate's files are (what jobs use), and so where the new one goes after the switch. */
export function stablePaths(ctx: Pick<Context, 'configDir'>, r: RotateRun): CertificateFiles {
  const current = r.profile?.certificate?.files;
  if (current && !r.o.outDir) return current;
  const dir =
    r.o.outDir ??
    current?.dir ??
    path.join(ctx.configDir, 'certs', r.profile?.name ?? r.t.organization ?? r.t.tenant);
  return plannedFiles(dir, slug(r.appName), true);
}

/**
 * The new certificate: the one an interrupted rotation left, or a fresh one, written to pending/ beside the
 * current files (never over them: the switch happens only once the new key is verified). Its PFX gets the
 * password of the current one (password.ts).
 */
export const certificate: Step<RotateRun, Ctx> = {
  id: 'certificate',
  plan: (ctx, r) =>
    r.done
      ? undefined
      : `make a ${r.o.keySize}-bit certificate valid ${r.o.validityDays} days, in ` +
        `${path.join(stablePaths(ctx, r).dir, 'pending')} until it is verified`,
  async run(ctx, r) {
    if (r.done) return;
    const recorded = r.profile?.pendingCertificate;
    const password = await passwordForNewPfx(ctx, r);
    if (recorded) {
      const loaded = await loadRecordedCredential(ctx, recorded);
      if (typeof loaded !== 'string') {
        ctx.out.info(`Resuming with the certificate ${loaded.thumbprint} made by an interrupted rotation`);
        r.pending = {
          cred: loaded,
          record: recorded,
          password: password.password,
          ...(password.file ? { newPasswordFile: password.file } : {}),
        };
        r.passwordSource = password.source;
        return;
      }
      ctx.out.verbose(`not resuming the pending certificate: ${loaded}`);
    }
    const x509 = await import('../../../certificate/x509.js');
    const now = ctx.clock.now();
    const progress = ctx.out.progress(`Generating a ${r.o.keySize}-bit RSA key`);
    const keyPem = await x509.generateKey(r.o.keySize);
    const certPem = x509.selfSignedCertificate({
      keyPem,
      commonName: r.appName,
      now,
      validityDays: r.o.validityDays,
    });
    const cred = { ...x509.describeCertificate(certPem), keyPem };
    progress.succeed(`New certificate ${cred.thumbprint}`);
    const stable = stablePaths(ctx, r);
    const staging = plannedFiles(
      path.join(stable.dir, 'pending', cred.thumbprint.slice(0, 8).toLowerCase()),
      path.basename(stable.pfx ?? slug(r.appName), '.pfx'),
      false,
    );
    const pfx = x509.toPfx({
      keyPem,
      certPem,
      password: password.password,
      legacy: r.o.pfxLegacy,
      friendlyName: r.appName,
    });
    const files = await writeCertificateSet(ctx.files, staging, cred, pfx, undefined);
    // The keyId is chosen here and journaled before addKey, so a run cut off before addKey's answer still
    // knows which key to remove later.
    const record = recordOf(cred, files, randomUUID());
    await r.save({ pendingCertificate: record });
    r.pending = {
      cred,
      record,
      password: password.password,
      ...(password.file !== undefined
        ? {
            newPasswordFile:
              password.file ||
              stable.pfxPasswordFile ||
              path.join(stable.dir, `${slug(r.appName)}.pfx.password`),
          }
        : {}),
    };
    r.passwordSource =
      password.source.kind === 'file' ? { kind: 'file', path: r.pending.newPasswordFile! } : password.source;
  },
};
