import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Context } from '../../../context.js';
import type { Step } from '../../../core/steps.js';
import { usageError } from '../../../core/errors.js';
import type { Credential } from '../../../certificate/x509.js';
import { loadRecordedCredential } from '../../../certificate/credentials.js';
import {
  archiveDirFor,
  clearTheWay,
  filePaths,
  plannedFiles,
  recordOf,
  slug,
  writeCertificateSet,
} from '../../../certificate/store.js';
import { recordsOf } from '../../../tenant/ownership.js';
import type { InitRun } from '../run.js';

/**
 * The certificate, first (local, and journaled before the tenant is touched): the one brought with
 * --cert-file, else the profile's own while it has a good part of its life left (a resumed run keeps the one
 * it just made, whatever its validity), else a new one. Its files are written in a private directory, with
 * whatever stands in the way archived.
 */

type Ctx = Pick<Context, 'clock' | 'out' | 'files' | 'env'>;

async function reusable(ctx: Ctx, s: InitRun): Promise<Credential | undefined> {
  const recorded = s.existing?.certificate ?? s.existing?.pendingCertificate;
  if (s.brought || !recorded) return undefined;
  const loaded = await loadRecordedCredential(ctx, recorded);
  if (typeof loaded === 'string') {
    ctx.out.verbose(`not reusing the recorded certificate: ${loaded}`);
    return undefined;
  }
  const now = ctx.clock.now().getTime();
  const life = loaded.notAfter.getTime() - loaded.notBefore.getTime();
  return loaded.notAfter.getTime() - now > Math.min(30 * 86_400_000, life / 2) ? loaded : undefined;
}

export const certificate: Step<InitRun, Ctx> = {
  id: 'certificate',
  async plan(ctx, s) {
    if (s.brought)
      return (
        `use the certificate ${s.brought.thumbprint} from ${s.flags.certFile}; write its files ` +
        `to ${s.answers.outDir}`
      );
    const kept = await reusable(ctx, s);
    if (kept)
      return (
        `reuse the profile's certificate ${kept.thumbprint} (valid until ` +
        `${kept.notAfter.toISOString().slice(0, 10)})`
      );
    return (
      `make a ${s.answers.keySize}-bit RSA certificate valid ${s.answers.validityDays} days; ` +
      `write its files to ${s.answers.outDir} (anything in the way is archived)`
    );
  },
  async run(ctx, s) {
    const kept = await reusable(ctx, s);
    const recorded = s.existing?.certificate ?? s.existing?.pendingCertificate;
    if (kept && recorded) {
      s.credential = kept;
      s.files = recorded.files;
      s.keyId = recorded.keyId;
      s.outcomes['certificate'] = 'reused';
      s.report('Certificate files', 'reused', ` in ${recorded.files.dir}`);
      return;
    }
    const cert = await import('../../../certificate/x509.js');
    const now = ctx.clock.now();
    let cred = s.brought;
    if (!cred) {
      const progress = ctx.out.progress(`Generating a ${s.answers.keySize}-bit RSA key`);
      const keyPem = await cert.generateKey(s.answers.keySize);
      const certPem = cert.selfSignedCertificate({
        keyPem,
        commonName: s.answers.appName,
        now,
        validityDays: s.answers.validityDays,
      });
      cred = { ...cert.describeCertificate(certPem), keyPem };
      progress.succeed(`Certificate made (thumbprint ${cred.thumbprint})`);
    }
    const files = plannedFiles(
      s.answers.outDir,
      slug(s.answers.appName),
      s.answers.pfxPassword === undefined,
    );
    const owner = s.allProfiles.find(
      (p) =>
        p.name !== s.profileName &&
        recordsOf(p).some((r) => filePaths(r.files).some((f) => filePaths(files).includes(f))),
    );
    if (owner)
      throw usageError(
        `The files at ${files.dir} belong to profile '${owner.name}'; writing there would take them from it.`,
        `Choose another --out-dir for profile '${s.profileName}'.`,
      );
    s.generatedPassword = s.answers.pfxPassword === undefined ? cert.generatePassword() : undefined;
    const pfx = cert.toPfx({
      keyPem: cred.keyPem,
      certPem: cred.certPem,
      password: s.answers.pfxPassword ?? s.generatedPassword!,
      legacy: s.flags.pfxLegacy,
      friendlyName: s.answers.appName,
    });
    const was = await ctx.files.tighten(files.dir);
    if (was !== undefined)
      ctx.out.info(
        `${files.dir} was open to other users (mode ${was.toString(8)}); made it private (700) ` +
          `before writing key material.`,
      );
    const archived = await clearTheWay(
      ctx.files,
      files,
      archiveDirFor(files.dir, now, cred.thumbprint.slice(0, 8)),
    );
    if (archived.length)
      ctx.out.info(`Archived ${archived.length} existing file(s) to ${path.dirname(archived[0]!)}`);
    // A key brought in under a password stays under that password on disk (the PFX's, from --pfx-password-env).
    const keyProtection =
      cred.keyWasProtected && s.flags.pfxPasswordEnv && s.answers.pfxPassword
        ? { password: s.answers.pfxPassword, env: s.flags.pfxPasswordEnv }
        : undefined;
    s.files = await writeCertificateSet(ctx.files, files, cred, pfx, s.generatedPassword, keyProtection);
    s.credential = cred;
    s.outcomes['certificate'] = 'created';
    // The keyId is chosen here and journaled before the create that carries it, so a resumed run knows the key.
    s.keyId = randomUUID();
    await s.journal({ pendingCertificate: recordOf(cred, s.files, s.keyId) });
    s.report('Certificate files', 'created', ` in ${s.files.dir}`);
  },
};
