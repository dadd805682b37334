import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Context } from '../../core/context.js';
import type { RotateOptions } from '../../cli/options.js';
import { CliError, EXIT, usageError, errorMessage } from '../../core/errors.js';
import { resolveTargets, type AppTarget } from '../../tenant/app-targets.js';
import { openTarget, type Target } from '../../tenant/target.js';
import { AuthError, type Identity } from '../../adapters/identity.js';
import { GraphApiError, type Directory } from '../../adapters/graph.js';
import { ADMIN_SCOPES } from '../../tenant/entra.js';
import { verifyConnection, diagnoseAuthError } from '../../workloads/exchange/index.js';
import { makeProof } from '../../certificate/proof.js';
import { signInAdmin } from '../../tenant/sign-in.js';
import { ensureKeyUploaded } from '../../certificate/upload.js';
import { strategyFor } from '../../rights/index.js';
import { keepKey, keyCredentialFor, thumbprintOfKey } from '../../certificate/keys.js';
import { explainGraphError } from '../../adapters/graph-errors.js';
import { slug, plannedFiles, writeCertificateSet, recordOf, archiveDirFor, filePaths } from '../../certificate/store.js';
import { loadRecordedCredential } from '../../certificate/credentials.js';
import type { CertificateRecord, Profile } from '../../profile/store.js';
import type { Credential } from '../../certificate/x509.js';
import type { CommandResult, RotateItem } from '../../output/render.js';

/** exo-cba rotate: a new certificate with no gap, normally with no admin (addKey/removeKey with proof of possession). */

interface Svc { target: Target; identity: Identity }

export async function rotateCommand(o: RotateOptions, ctx: Context): Promise<CommandResult> {
  for (const [flag, p] of [['--export-pfx-base64', o.exportPfxBase64 && path.dirname(o.exportPfxBase64)], ['--out-dir', o.outDir]] as const) {
    if (!p) continue;
    const why = await ctx.files.whyNotWritable(p);
    if (why) throw usageError(`${flag}: ${why}.`, `Choose a writable place for ${flag}.`);
  }
  const targets = await resolveTargets(o.target, ctx);
  const results: RotateItem[] = [];
  const opened = new Map<string, Svc>();
  try {
    for (const t of targets) {
      const key = `${t.cloud}|${t.sandbox}`;
      if (!opened.has(key)) {
        const target = await openTarget(ctx, { cloud: t.cloud, sandbox: t.sandbox });
        opened.set(key, { target, identity: await ctx.services.identity(target.cloud, target.http) });
      }
      try {
        results.push(await rotateOne(ctx, t, opened.get(key)!, o));
      } catch (err) {
        if (targets.length === 1 || !(err instanceof CliError)) throw err;
        results.push({ profile: t.label, action: 'failed', reason: `${err.message}${err.detail.fix ? ` (fix: ${err.detail.fix})` : ''}` });
      }
    }
  } finally {
    await Promise.all([...opened.values()].map((s) => s.target.close()));
  }
  const failed = results.some((r) => r.action === 'failed');
  return { command: 'rotate', exitCode: failed ? EXIT.failed : EXIT.ok, data: { results } };
}

const newPassword = async (ctx: Context, o: RotateOptions): Promise<{ password: string; generated: boolean }> => {
  const passwordVar = o.target.passwordEnvNamed ? o.target.passwordEnv : ctx.env[o.target.passwordEnv] !== undefined ? o.target.passwordEnv : undefined;
  if (passwordVar) {
    const v = ctx.env[passwordVar];
    if (!v) throw usageError(`The environment variable ${passwordVar} is not set or empty.`, 'Set it to the password for the new PFX.');
    return { password: v, generated: false };
  }
  return { password: (await import('../../certificate/x509.js')).generatePassword(), generated: true };
};

async function rotateOne(ctx: Context, t: AppTarget, svc: Svc, o: RotateOptions): Promise<RotateItem> {
  const { cloud } = svc.target;
  let current: Credential | undefined;
  try {
    current = await t.credential();
  } catch (err) {
    if (!(err instanceof CliError) || !o.admin) throw err;
    ctx.out.warn(`current certificate unusable (${err.message}); continuing with the admin path`);
  }
  let profile = t.profile ? await ctx.profiles.get(t.profile.name) : undefined;
  const save = async (patch: Partial<Profile>) => {
    if (!profile) return;
    profile = { ...profile, ...patch, updatedAt: ctx.clock.now().toISOString() };
    await ctx.profiles.save(profile);
  };
  const now = ctx.clock.now();
  const objectId = profile?.app.objectId ?? o.objectId;
  const base = { profile: t.label, appId: t.appId, organization: t.organization ?? t.tenant, cloud: t.cloud, exchangeEnvironmentName: cloud.exchangeEnvironmentName, roleCompliance: false };

  // An admin-free Graph connection as the app itself, signed with `cred`.
  const asApp = async (cred: Credential): Promise<Directory> => {
    let token: string;
    try {
      token = (await svc.identity.appToken({ clientId: t.appId, tenant: t.tenant, keyPem: cred.keyPem, thumbprintSha256: cred.thumbprintSha256 }, cloud.graphResource)).accessToken;
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      const d = diagnoseAuthError(err, { appId: t.appId, tenant: t.tenant });
      throw new CliError(EXIT.failed, `The app could not sign in to Graph with certificate ${cred.thumbprint}: ${d.what}`, { fix: `${d.fix} If no valid certificate is left, use --admin.` });
    }
    return ctx.services.directory(cloud, svc.target.http, async () => token);
  };
  const needObjectId = () => {
    if (!objectId) throw usageError("The app's object id is needed (addKey/removeKey address the application object, and the proof names it).", 'Pass --object-id (Entra ID > App registrations > Object ID) or EXO_CBA_APP_OBJECT_ID, or use a profile.');
    return objectId;
  };
  let adminDir: Directory | undefined;
  const asAdmin = async (): Promise<Directory> => {
    if (adminDir) return adminDir;
    const session = await signInAdmin(ctx, svc.identity, { tenant: t.tenant, clientId: o.clientId, method: o.auth, scopes: [...ADMIN_SCOPES.keys] });
    adminDir = await ctx.services.directory(cloud, svc.target.http, () => session.graphToken());
    return adminDir;
  };
  const removeKeyWith = async (signer: Credential, keyId: string, what: string) => {
    const dir = await asApp(signer);
    const proof = await makeProof({ keyPem: signer.keyPem, certDer: signer.der, objectId: needObjectId(), now: ctx.clock.now() });
    try {
      await dir.removeKey(needObjectId(), keyId, proof);
    } catch (err) {
      if (err instanceof GraphApiError && err.status === 404) return; // already gone
      throw explainGraphError(err, `remove ${what} (removeKey)`);
    }
  };
  const adminApp = async () => {
    const dir = await asAdmin();
    const app = objectId ? await dir.getApplication(objectId) : await dir.getApplicationByAppId(t.appId);
    if (!app) throw new CliError(EXIT.failed, `The app ${t.appId} was not found in the tenant.`, { fix: 'Run exo-cba init again.' });
    return { dir, app };
  };
  const removeKeysAsAdmin = async (thumbprints: string[]) => {
    const { dir, app } = await adminApp();
    const keys = await dir.getKeyCredentials(app.id);
    const keep = keys.filter((k) => !thumbprints.includes(thumbprintOfKey(k) ?? ''));
    if (keep.length === keys.length) return;
    await dir.updateApplication(app.id, { keyCredentials: keep.map(keepKey) });
  };
  const archiveFiles = async (rec: CertificateRecord) => ctx.files.archive(filePaths(rec.files).filter((p) => p.startsWith(rec.files.dir)), archiveDirFor(rec.files.dir, ctx.clock.now(), rec.thumbprint.slice(0, 8)));

  // Leftovers of an interrupted rotation, and --finish: old keys that should go now.
  const leftovers = (profile?.previousCertificates ?? []).filter((p) => o.finish || !p.keep);
  if (leftovers.length && current) {
    for (const old of leftovers) {
      if (o.admin) await removeKeysAsAdmin([old.thumbprint]);
      else if (old.keyId) await removeKeyWith(current, old.keyId, `the old key ${old.thumbprint}`);
      const archived = await archiveFiles(old);
      await save({ previousCertificates: (profile?.previousCertificates ?? []).filter((p) => p.thumbprint !== old.thumbprint) });
      ctx.out.info(`${ctx.out.color.green('✔')} Old key ${old.thumbprint} removed${archived.length ? `, ${archived.length} file(s) archived` : ''}`);
    }
  }
  if (o.finish) {
    return { ...base, action: 'finished', reason: leftovers.length ? `removed ${leftovers.length} old key(s)` : 'no old key was kept; nothing to remove', ...(current ? { thumbprint: current.thumbprint, notAfter: current.notAfter.toISOString() } : {}) };
  }

  if (o.ifExpiringWithin !== undefined && current && !profile?.pendingCertificate) {
    const days = Math.floor((current.notAfter.getTime() - now.getTime()) / 86_400_000);
    if (days > o.ifExpiringWithin) {
      return { ...base, action: 'skipped', reason: `certificate ${current.thumbprint} expires in ${days} days (${current.notAfter.toISOString().slice(0, 10)}), not within ${o.ifExpiringWithin}`, thumbprint: current.thumbprint, notAfter: current.notAfter.toISOString() };
    }
  }
  // Without an admin, addKey and its proof need the object id: refuse now, before any key is made or written.
  if (!o.admin) needObjectId();
  const currentValid = current !== undefined && current.notBefore.getTime() <= now.getTime() && current.notAfter.getTime() > now.getTime();
  if (!currentValid && !o.admin) {
    throw new CliError(EXIT.failed, `No valid certificate is left to sign the rotation${current ? ` (${current.thumbprint} expired on ${current.notAfter.toISOString()})` : ''}.`, {
      why: 'addKey needs a proof signed by a certificate the app still accepts.',
      fix: `Run 'exo-cba rotate${t.profile ? ` --profile ${t.profile.name}` : ''} --admin': an admin signs in and replaces the key.`,
    });
  }
  const useAdmin = o.admin;

  // The new certificate: the one an interrupted run left behind, or a fresh one.
  const cert = await import('../../certificate/x509.js');
  let fresh: Credential | undefined;
  let freshRecord: CertificateRecord | undefined;
  let generatedPassword: string | undefined;
  let pfxBytes: Buffer | undefined;
  if (profile?.pendingCertificate) {
    const loaded = await loadRecordedCredential(ctx, profile.pendingCertificate);
    if (typeof loaded !== 'string') {
      fresh = loaded;
      freshRecord = profile.pendingCertificate;
      ctx.out.info(`Resuming with the certificate ${fresh.thumbprint} made by an interrupted rotation`);
    }
  }
  if (!fresh || !freshRecord) {
    const progress = ctx.out.progress(`Generating a ${o.keySize}-bit RSA key`);
    const keyPem = await cert.generateKey(o.keySize);
    const name = profile?.app.displayName ?? `exo-cba ${t.appId}`;
    const certPem = cert.selfSignedCertificate({ keyPem, commonName: name, now, validityDays: o.validityDays });
    fresh = { ...cert.describeCertificate(certPem), keyPem };
    progress.succeed(`New certificate ${fresh.thumbprint}`);
    const { password, generated } = await newPassword(ctx, o);
    if (generated) generatedPassword = password;
    pfxBytes = cert.toPfx({ keyPem, certPem, password, legacy: o.pfxLegacy, friendlyName: name });
    const dir = o.outDir ?? profile?.certificate?.files.dir ?? path.join(ctx.configDir, 'certs', t.organization ?? t.tenant);
    const stem = `${slug(profile?.app.displayName ?? t.appId)}-${now.toISOString().slice(0, 10).replace(/-/g, '')}-${fresh.thumbprint.slice(0, 8).toLowerCase()}`;
    const files = await writeCertificateSet(ctx.files, plannedFiles(dir, stem, generated), fresh, pfxBytes, generatedPassword);
    // The keyId is chosen here and journaled before addKey, so a run cut off before addKey's answer still
    // knows which key to remove later.
    freshRecord = recordOf(fresh, files, randomUUID());
    await save({ pendingCertificate: freshRecord });
  }
  const next = fresh;
  const appName = profile?.app.displayName ?? 'exo-cba';

  // Add the new key.
  let newKeyId = freshRecord.keyId;
  if (useAdmin) {
    const { dir, app } = await adminApp();
    newKeyId = (await ensureKeyUploaded(ctx, dir, app, next, appName, ctx.clock.now().getTime() + o.waitMs)).keyId;
  } else {
    const dir = await asApp(current!);
    const proof = await makeProof({ keyPem: current!.keyPem, certDer: current!.der, objectId: needObjectId(), now: ctx.clock.now() });
    try {
      newKeyId = (await dir.addKey(needObjectId(), keyCredentialFor(next, appName, freshRecord.keyId), proof)).keyId;
    } catch (err) {
      const duplicate = err instanceof GraphApiError && err.status === 400 && /unique|already/i.test(err.message);
      if (!duplicate) throw explainGraphError(err, 'add the new key (addKey)');
    }
  }
  freshRecord = { ...freshRecord, ...(newKeyId ? { keyId: newKeyId } : {}) };
  await save({ pendingCertificate: freshRecord });
  ctx.out.info(`${ctx.out.color.green('✔')} New key added to the app${newKeyId ? ` (keyId ${newKeyId})` : ''}`);

  // Prove it works before touching the old one.
  const exchange = await ctx.services.exchange(cloud, svc.target.http);
  const outcome = await verifyConnection(ctx, { identity: svc.identity, exchange, cloud }, {
    cred: { clientId: t.appId, tenant: t.tenant, keyPem: next.keyPem, thumbprintSha256: next.thumbprintSha256 }, tenantId: profile?.tenantId ?? t.tenant, organization: t.organization ?? t.tenant, waitMs: o.waitMs,
  });
  if (!outcome.verified) {
    // Roll back: the app keeps its working key and loses the unproven one; the new files are archived, not deleted.
    let rollback = 'the new key was removed';
    try {
      if (useAdmin) await removeKeysAsAdmin([next.thumbprint]);
      else if (newKeyId) await removeKeyWith(current!, newKeyId, 'the unverified new key');
      else rollback = 'the new key could not be identified and is still registered';
    } catch (err) {
      rollback = `removing the new key failed: ${errorMessage(err)}`;
    }
    const archived = await archiveFiles(freshRecord);
    if (profile) {
      const { pendingCertificate: _dropped, ...rest } = profile;
      profile = { ...rest, updatedAt: ctx.clock.now().toISOString() };
      await ctx.profiles.save(profile);
    }
    throw new CliError(EXIT.failed, `The new certificate could not be verified within ${Math.round(o.waitMs / 1000)} s: ${outcome.diagnosis.what}`, {
      why: `Rolled back: ${rollback}; the current certificate${current ? ` ${current.thumbprint}` : ''} stays in use${archived.length ? `; the new files went to ${path.dirname(archived[0]!)}` : ''}.`,
      fix: `${outcome.diagnosis.fix} Then run rotate again (a longer --wait helps while Entra replicates).`,
    });
  }

  // Switch the profile to the new certificate first, then retire the old key: a run cut short here resumes cleanly.
  const old = profile?.certificate;
  const oldRecord: CertificateRecord | undefined = old ? { ...old, keep: o.keepOld } : undefined;
  if (profile) {
    const { pendingCertificate: _p, ...rest } = profile;
    profile = { ...rest, certificate: freshRecord, previousCertificates: [...(profile.previousCertificates ?? []).filter((p) => p.thumbprint !== old?.thumbprint), ...(oldRecord ? [oldRecord] : [])], state: 'ready', updatedAt: ctx.clock.now().toISOString() };
    await ctx.profiles.save(profile);
  }
  let archived: string[] = [];
  let oldNote = '';
  if (!o.keepOld && current && current.thumbprint !== next.thumbprint) {
    const oldKeyId = old?.keyId;
    try {
      if (useAdmin) await removeKeysAsAdmin([current.thumbprint]);
      else if (oldKeyId) await removeKeyWith(next, oldKeyId, `the old key ${current.thumbprint}`);
      else oldNote = ' (the old key id is unknown, so the old key is still registered: remove it in the portal)';
      if (oldRecord && !oldNote) {
        archived = await archiveFiles(oldRecord);
        await save({ previousCertificates: (profile?.previousCertificates ?? []).filter((p) => p.thumbprint !== oldRecord.thumbprint) });
      }
    } catch (err) {
      oldNote = ` (removing the old key failed: ${errorMessage(err)}; the next rotate retries it)`;
    }
  }
  if (o.exportPfxBase64) {
    const pfx = pfxBytes ?? (freshRecord.files.pfx ? await ctx.files.read(freshRecord.files.pfx) : undefined);
    if (pfx) {
      await ctx.files.archive([o.exportPfxBase64], archiveDirFor(path.dirname(o.exportPfxBase64), ctx.clock.now(), 'export'));
      await ctx.files.writeNew(o.exportPfxBase64, pfx.toString('base64') + '\n', 0o600);
    }
  }
  if (generatedPassword && freshRecord.files.pfxPasswordFile) ctx.out.info(`New PFX password generated and stored, readable only by you, in ${freshRecord.files.pfxPasswordFile}.`);
  return {
    ...base,
    action: 'rotated',
    reason: `verified in ${outcome.seconds} s${o.keepOld ? '; old key kept until rotate --finish' : ''}${oldNote}`,
    thumbprint: next.thumbprint, thumbprintSha256: next.thumbprintSha256, notAfter: next.notAfter.toISOString(),
    ...(current ? { oldThumbprint: current.thumbprint } : {}),
    oldKeyKept: o.keepOld || oldNote !== '',
    files: freshRecord.files, archived,
    roleCompliance: profile ? strategyFor(profile.rights).servesCompliance(profile.rights) : false,
    ...(o.exportPfxBase64 ? { exportedPfxBase64: o.exportPfxBase64 } : {}),
  };
}
