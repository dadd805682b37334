import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Context } from '../../core/context.js';
import { CliError, EXIT, failure, usageError } from '../../core/errors.js';
import { openTarget } from '../../tenant/target.js';
import { parseInitFlags, parseRole, DEFAULT_APP_NAME, DEFAULT_VALIDITY_DAYS, type InitFlags } from './options.js';
import { ADMIN_SCOPES, EXCHANGE_ROLES, GLOBAL_ADMIN_TEMPLATE_ID, KEY_SIZES, roleByTemplateId, type DirectoryRole, type KeySize } from '../../workloads/exchange/facts.js';
import { parseAppName, parseIntIn, parseKeySize } from '../../core/values.js';
import type { Profile } from '../../profile/store.js';
import { validateProfileName } from '../../profile/store.js';
import { survey, type Survey, ensureApplication, ensureServicePrincipal, ensureGrant, ensureRole, ensureKeyUploaded, type Outcome } from './steps.js';
import { keyCredentialFor, keepKey } from '../../certificate/keys.js';
import { describeForeign, recordsOf, type ForeignCredential } from '../../tenant/ownership.js';
import type { Directory, GraphApplication } from '../../adapters/graph.js';
import { plannedFiles, slug, clearTheWay, archiveDirFor, writeCertificateSet, recordOf, filePaths } from '../../certificate/store.js';
import { readCertificateInput, passwordFromEnv, loadRecordedCredential } from '../../certificate/credentials.js';
import { verifyConnection } from '../../workloads/exchange/verify.js';
import { signInAdmin } from '../../tenant/sign-in.js';
import type { Credential } from '../../certificate/x509.js';
import type { CommandResult, InitResult } from '../../output/render.js';

/** exo-cba init: from nothing to a verified Connect-ExchangeOnline line, idempotent and resumable. */

interface Answers {
  appName: string;
  role: DirectoryRole;
  validityDays: number;
  keySize: KeySize;
  outDir: string;
  /** undefined: generate one. */
  pfxPassword?: string;
}

/** Checks everything that can be checked before signing in; nothing changes until these pass. */
async function preflight(ctx: Context, flags: InitFlags) {
  if (flags.role?.templateId === GLOBAL_ADMIN_TEMPLATE_ID && !ctx.interactive && !flags.allowGlobalAdmin) {
    throw usageError('--role global-administrator needs --allow-global-admin when nobody is there to confirm.', 'Prefer exchange-administrator (least privilege); Global Administrator is for emergencies only.');
  }
  if (flags.outDir) {
    const why = (await ctx.files.whyNotWritable(flags.outDir)) ?? (await ctx.files.whyNotSafe(flags.outDir));
    if (why) throw usageError(`The output directory cannot be used: ${why}.`, 'Choose a writable, real directory with --out-dir.');
  }
  const envPassword = flags.pfxPasswordEnv ? passwordFromEnv(ctx, flags.pfxPasswordEnv) : undefined;
  let brought: Credential | undefined;
  if (flags.certFile) {
    const cert = await import('../../certificate/x509.js');
    const { bytes, label } = await readCertificateInput(ctx, flags.certFile, '--cert-file');
    brought = cert.requireCredential(cert.readCredential(bytes, label, envPassword), label);
    if (brought.notAfter.getTime() <= ctx.clock.now().getTime()) throw usageError(`The certificate in ${label} expired on ${brought.notAfter.toISOString()}.`, 'Bring a valid certificate, or let exo-cba make one.');
    if (brought.notBefore.getTime() > ctx.clock.now().getTime()) {
      throw usageError(`The certificate in ${label} is not valid yet: it starts on ${brought.notBefore.toISOString()}.`, "Wait until then, bring a certificate that is valid now, or let exo-cba make one. If the date looks wrong, check this machine's clock.", 'Entra refuses a key whose start date is in the future.');
    }
  }
  await ctx.profiles.load(); // a corrupt profiles file stops us here, not half-way
  return { envPassword, brought };
}

/** Turns a parser that throws a usage error into a prompt validator: the reason is shown and the question asked again. */
const validator = (parse: (v: string) => unknown) => (v: string): string | true => {
  try {
    parse(v);
    return true;
  } catch (e) {
    return e instanceof CliError ? [e.message, e.detail.fix].filter(Boolean).join(' ') : (e as Error).message;
  }
};

export const MIN_TYPED_PASSWORD = 12;

async function askRole(ctx: Context, flags: InitFlags, existing: Profile | undefined): Promise<DirectoryRole> {
  const preset = flags.role ?? (existing ? parseRole(existing.role.templateId) : undefined);
  if (preset || !ctx.interactive) return preset ?? parseRole('exchange-administrator');
  for (;;) {
    const role = parseRole(await ctx.prompt.select({
      name: 'role',
      message: 'Directory role for the app (least privilege first)',
      default: 'exchange-administrator',
      choices: EXCHANGE_ROLES.map((r) => ({ value: r.key, name: r.name, description: r.description })),
    }));
    if (role.templateId !== GLOBAL_ADMIN_TEMPLATE_ID || flags.allowGlobalAdmin) return role;
    ctx.out.warn('Global Administrator gives this app every right in the tenant; Exchange Administrator is enough for Exchange scripts.');
    const sure = await ctx.prompt.confirm({ name: 'confirmGlobalAdmin', message: 'Really assign Global Administrator?', default: false });
    if (sure) return role;
    ctx.out.info('Global Administrator not chosen: pick another role.');
  }
}

async function askPassword(ctx: Context): Promise<string | undefined> {
  for (;;) {
    const first = await ctx.prompt.secret({
      name: 'pfxPassword',
      message: `PFX password (at least ${MIN_TYPED_PASSWORD} characters; leave empty to generate one)`,
      validate: (v) => (v === '' || v.length >= MIN_TYPED_PASSWORD ? true : `The password has ${v.length} characters; use at least ${MIN_TYPED_PASSWORD}, or leave it empty to have one generated.`),
    });
    if (first === '') return undefined;
    const again = await ctx.prompt.secret({ name: 'pfxPasswordAgain', message: 'PFX password again' });
    if (again === first) return first;
    ctx.out.warn('The two passwords differ. Type them again.');
  }
}

async function askAnswers(ctx: Context, flags: InitFlags, profileName: string, existing: Profile | undefined, envPassword: string | undefined, brought: Credential | undefined): Promise<Answers> {
  const { prompt } = ctx;
  const ask = ctx.interactive;
  const appName = flags.appName ?? existing?.app.displayName ?? (ask ? parseAppName(await prompt.text({ name: 'appName', message: 'App registration name', default: DEFAULT_APP_NAME, validate: validator(parseAppName) })) : DEFAULT_APP_NAME);
  const role = await askRole(ctx, flags, existing);
  if (role.templateId === GLOBAL_ADMIN_TEMPLATE_ID) ctx.out.warn('The app will hold Global Administrator: every right in the tenant. Keep its certificate like a domain admin password, and prefer a narrower role.');
  const needCert = !brought;
  const parseValidity = (v: string) => parseIntIn('The validity', v, 1, 3650);
  const validityDays = flags.validityDays ?? (ask && needCert ? parseValidity(await prompt.text({ name: 'validityDays', message: 'Certificate validity in days (1-3650)', default: String(DEFAULT_VALIDITY_DAYS), validate: validator(parseValidity) })) : DEFAULT_VALIDITY_DAYS);
  const keySize = flags.keySize ?? (ask && needCert ? parseKeySize(await prompt.select({ name: 'keySize', message: 'RSA key size', default: '2048', choices: KEY_SIZES.map((k) => ({ value: String(k), name: `${k} bits`, description: k === 2048 ? 'what Microsoft\'s examples use; fast' : k === 4096 ? 'stronger, slower to make and use' : 'stronger' })) })) : 2048);
  // One directory per profile (the profile is named after the tenant unless --profile says otherwise), so two
  // profiles never write over each other's files.
  const defaultDir = existing?.certificate?.files.dir ?? path.join(ctx.configDir, 'certs', profileName);
  const outDirWhyNot = async (v: string) => {
    if (v.trim() === '') return 'Give a directory.';
    const why = (await ctx.files.whyNotWritable(path.resolve(v.trim()))) ?? (await ctx.files.whyNotSafe(path.resolve(v.trim())));
    return why ? `That directory cannot be used: ${why}.` : true;
  };
  const outDir = path.resolve((flags.outDir ?? (ask ? await prompt.text({ name: 'outDir', message: 'Where to write the certificate files', default: defaultDir, validate: outDirWhyNot }) : defaultDir)).trim());
  const why = (await ctx.files.whyNotWritable(outDir)) ?? (await ctx.files.whyNotSafe(outDir));
  if (why) throw usageError(`The output directory cannot be used: ${why}.`, 'Choose a writable, real directory with --out-dir.');
  let pfxPassword = envPassword;
  if (pfxPassword === undefined && ask) pfxPassword = await askPassword(ctx);
  return { appName, role, validityDays, keySize, outDir, ...(pfxPassword !== undefined ? { pfxPassword } : {}) };
}

/**
 * Taking over an app exo-cba did not create: show what is on it, ask (or require --yes) before granting
 * anything, and decide what happens to the credentials exo-cba did not make. Nothing is kept silently.
 */
async function decideAdoption(ctx: Context, flags: InitFlags, dir: Directory, s: Survey, role: DirectoryRole): Promise<'declined' | { removeForeign: boolean }> {
  const app = s.app!;
  const v = s.verdict!;
  const creds = await dir.getCredentials(app.id);
  const grants = s.sp ? await dir.listAppRoleAssignments(s.sp.id) : [];
  const roles = s.sp ? await dir.listRoleAssignments(s.sp.id) : [];
  ctx.out.warn([
    `Adopting '${app.displayName}' (appId ${app.appId}, created ${app.createdDateTime?.slice(0, 10) ?? 'on an unknown date'}), which exo-cba did not create.`,
    `  owners (they can add credentials at any time): ${creds.owners.map((o) => o.userPrincipalName ?? o.displayName ?? o.id).join(', ') || 'none'}`,
    `  credentials exo-cba did not make: ${v.foreign.length ? '' : 'none'}`,
    ...v.foreign.map((f) => `    ${describeForeign(f)}`),
    `  app role grants it holds: ${grants.length ? grants.map((g) => `${g.appRoleId} on ${g.resourceId}`).join(', ') : 'none'}`,
    `  directory roles it holds: ${roles.length ? roles.map((r) => roleByTemplateId(r.roleDefinitionId)?.name ?? r.roleDefinitionId).join(', ') : 'none'}`,
  ].join('\n'));
  if (ctx.interactive) {
    if (!(await ctx.prompt.confirm({ name: 'confirmAdopt', message: `Take over '${app.displayName}' and grant it Exchange.ManageAsApp and ${role.name}?`, default: false }))) return 'declined';
  } else if (!flags.yes) {
    throw usageError(`Adopting '${app.displayName}' needs a confirmation and this run is not interactive.`, 'Review the credentials and grants listed above, then pass --yes.');
  }
  if (!v.foreign.length) return { removeForeign: false };
  if (flags.foreignCredentials) return { removeForeign: flags.foreignCredentials === 'remove' };
  if (!ctx.interactive) {
    throw usageError(`'${app.displayName}' has ${v.foreign.length} credential(s) exo-cba did not make; anyone holding one would get the Exchange rights too.`, 'Pass --foreign-credentials remove (recommended) or --foreign-credentials keep.');
  }
  return { removeForeign: await ctx.prompt.confirm({ name: 'removeForeign', message: `Remove the ${v.foreign.length} credential(s) exo-cba did not make? (Keeping them lets their holders use the Exchange rights.)`, default: true }) };
}

/** Removes the credentials listed, then reads the app again: what is still there is reported, not assumed gone. */
async function removeForeignCredentials(ctx: Pick<Context, 'out'>, dir: Directory, app: GraphApplication, foreign: ForeignCredential[]): Promise<void> {
  const ids = new Set(foreign.map((f) => f.id));
  const keys = await dir.getKeyCredentials(app.id);
  if (keys.some((k) => ids.has(k.keyId))) await dir.updateApplication(app.id, { keyCredentials: keys.filter((k) => !ids.has(k.keyId)).map(keepKey) });
  for (const f of foreign) {
    if (f.kind === 'secret') await dir.removePassword(app.id, f.id);
    if (f.kind === 'federated') await dir.deleteFederatedCredential(app.id, f.id);
  }
  const after = await dir.getCredentials(app.id);
  const left = [...after.keys.map((k) => k.keyId), ...after.passwords.map((p) => p.keyId), ...after.federated.map((f) => f.id)].filter((id) => ids.has(id));
  if (left.length) throw failure(`${left.length} of the credentials to remove are still on '${app.displayName}' after removing them (${left.join(', ')}).`, { fix: 'Remove them in Entra ID > App registrations > Certificates & secrets, then re-run init.' });
  ctx.out.info(`${ctx.out.color.green('✔')} Removed ${foreign.length} credential(s) exo-cba did not make (read back: gone)`);
}

export async function initCommand(raw: Record<string, unknown>, ctx: Context): Promise<CommandResult> {
  const flags = parseInitFlags(raw);
  const { envPassword, brought } = await preflight(ctx, flags);
  // What a Ctrl-C during the network phase says: nothing changed yet, or how to pick up where it stopped.
  let onStop = 'Cancelled: nothing was changed in the tenant or on disk.';
  const unregister = ctx.services.onInterrupt(() => onStop);
  const target = await openTarget(ctx, { cloud: flags.cloud, sandbox: flags.sandbox });
  try {
    const { cloud } = target;
    const identity = await ctx.services.identity(cloud, target.http);
    const session = await signInAdmin(ctx, identity, { tenant: flags.tenant ?? target.sandboxDomain ?? 'organizations', clientId: flags.clientId, method: flags.auth, scopes: [...ADMIN_SCOPES.init] });
    const directory = await ctx.services.directory(cloud, target.http, () => session.graphToken());
    const org = await directory.organization().catch((err: unknown) => {
      throw failure(`Could not read the tenant's organization: ${(err as Error).message}`, { fix: 'Check that the admin consented to Organization.Read.All (or User.Read).' });
    });
    ctx.out.info(`Tenant: ${org.displayName} (${org.tenantId}), organization ${ctx.out.color.bold(org.initialDomain)}`);
    const profileName = validateProfileName(flags.profile ?? org.initialDomain);
    const existing = await ctx.profiles.get(profileName);
    if (existing && existing.tenantId !== org.tenantId) {
      throw usageError(`Profile '${profileName}' belongs to tenant ${existing.tenantId}, not ${org.tenantId}.`, 'Use another --profile name.');
    }
    const answers = await askAnswers(ctx, flags, profileName, existing, envPassword, brought);
    // Graph treats display names without regard to case, and so does this check: a re-run typed in other case is the same app.
    if (existing && existing.app.displayName.toLowerCase() !== answers.appName.toLowerCase() && !flags.adoptApp) {
      throw usageError(`Profile '${profileName}' is for the app '${existing.app.displayName}', not '${answers.appName}'.`, `Use --profile with a new name for a second app, or 'exo-cba remove --profile ${profileName}' first.`);
    }
    const now = ctx.clock.now();
    const deadline = now.getTime() + flags.waitMs;
    const recent = existing?.state === 'incomplete' && now.getTime() - Date.parse(existing.updatedAt) < 15 * 60_000;
    const allProfiles = await ctx.profiles.list();
    const s = await survey(ctx, directory, {
      appName: answers.appName, knownObjectId: existing?.app.objectId, recent, role: answers.role, deadline,
      profiles: allProfiles, tenantId: org.tenantId, knownThumbprints: brought ? [brought.thumbprint] : [], ...(flags.adoptApp ? { adoptAppId: flags.adoptApp } : {}),
    });
    if (s.app && flags.adoptApp) answers.appName = s.app.displayName;
    const sharedWith = (s.verdict?.profiles ?? []).filter((p) => p !== profileName);
    if (sharedWith.length) ctx.out.info(`The app '${s.app!.displayName}' is already used by profile ${sharedWith.join(', ')}: profile '${profileName}' shares it, with a certificate of its own beside theirs.`);
    const adoption = s.adopting ? await decideAdoption(ctx, flags, directory, s, answers.role) : { removeForeign: false };
    if (adoption === 'declined') return { command: 'init', exitCode: EXIT.ok, data: { dryRun: true, declined: true, profile: profileName, tenantId: org.tenantId, organization: org.initialDomain, plan: [] } };
    const removeForeign = adoption.removeForeign;

    const stem = slug(answers.appName);
    const files = plannedFiles(answers.outDir, stem, answers.pfxPassword === undefined);
    const plan = [
      ...(s.adopting ? [`adopt application '${s.app!.displayName}' (appId ${s.app!.appId}), which exo-cba did not create`] : []),
      ...(removeForeign ? s.verdict!.foreign.map((f) => `remove ${describeForeign(f)}`) : []),
      s.app ? `reuse application '${s.app.displayName}' (appId ${s.app.appId})` : `create application '${answers.appName}' (single tenant, requiredResourceAccess Exchange.ManageAsApp): POST /applications`,
      s.sp ? 'reuse its service principal' : 'create its service principal: POST /servicePrincipals',
      s.granted ? 'reuse the Exchange.ManageAsApp grant' : 'grant Exchange.ManageAsApp (admin consent): POST /servicePrincipals/{exo}/appRoleAssignedTo',
      s.roleAssigned ? `reuse the ${answers.role.name} role assignment` : `assign ${answers.role.name}: POST /roleManagement/directory/roleAssignments`,
      brought ? `use the certificate ${brought.thumbprint} from ${flags.certFile}` : `make a ${answers.keySize}-bit certificate valid ${answers.validityDays} days (or reuse the profile's)`,
      `write the certificate files to ${answers.outDir} (anything in the way is archived)`,
      'upload the certificate, keeping existing keys: PATCH /applications/{id} keyCredentials',
      flags.verify ? `verify: app-only token + ${'Get-AcceptedDomain'} in Exchange (wait up to ${Math.round(flags.waitMs / 1000)} s)` : 'skip verification (--no-verify)',
      `save profile '${profileName}'`,
    ];
    if (flags.dryRun) return { command: 'init', exitCode: EXIT.ok, data: { dryRun: true, profile: profileName, tenantId: org.tenantId, organization: org.initialDomain, plan } };
    if (ctx.interactive) {
      const c = ctx.out.color;
      ctx.out.info([
        '',
        c.bold('About to set up:'),
        `  Tenant        ${org.displayName} (${org.initialDomain}, ${org.tenantId})`,
        `  App           ${answers.appName}${s.app ? ` (existing, appId ${s.app.appId})` : ' (new, single tenant)'}`,
        `  Permission    Exchange.ManageAsApp (application permission, admin consent)`,
        `  Role          ${answers.role.name} (Entra directory role)`,
        `  Certificate   ${brought ? `${brought.thumbprint}, from ${flags.certFile}` : `new ${answers.keySize}-bit RSA, valid ${answers.validityDays} days`}`,
        `  Files         ${answers.outDir}${answers.pfxPassword === undefined ? ' (PFX password generated)' : ''}`,
        `  Profile       ${profileName}`,
        '',
      ].join('\n'));
      if (!(await ctx.prompt.confirm({ name: 'confirmPlan', message: `Make these changes in ${org.initialDomain}?`, default: true }))) {
        return { command: 'init', exitCode: EXIT.ok, data: { dryRun: true, declined: true, profile: profileName, tenantId: org.tenantId, organization: org.initialDomain, plan } };
      }
    }

    const outcomes: Record<string, Outcome> = {};
    let profile: Profile = existing ?? {
      name: profileName, tenantId: org.tenantId, organization: org.initialDomain, cloud: flags.cloud, ...(flags.sandbox ? { sandbox: true } : {}),
      app: { displayName: answers.appName }, role: { name: answers.role.name, templateId: answers.role.templateId }, state: 'incomplete', createdAt: now.toISOString(), updatedAt: now.toISOString(),
    };
    // Steps below run partly in parallel; profile writes are serialised so none is lost.
    let saving: Promise<void> = Promise.resolve();
    onStop = `Cancelled. What finished is recorded in profile '${profileName}'; run the same command again to resume (exo-cba init --profile ${profileName}${flags.sandbox ? ' --sandbox' : ''}): finished steps are reused.`;
    const journal = (patch: Partial<Profile>) => {
      profile = { ...profile, ...patch, role: { name: answers.role.name, templateId: answers.role.templateId }, updatedAt: ctx.clock.now().toISOString() };
      const snapshot = profile;
      saving = saving.then(() => ctx.profiles.save(snapshot));
      return saving;
    };
    const report = (what: string, o: Outcome, extra = '') => ctx.out.info(`${ctx.out.color.green('✔')} ${what} ${o}${extra}`);

    // The certificate first (local, and journaled): the one brought, else the profile's own if still good, else a new one.
    const cert = await import('../../certificate/x509.js');
    let cred: Credential | undefined = brought;
    let certFiles = files;
    let generatedPassword: string | undefined;
    const recorded = profile.certificate ?? profile.pendingCertificate;
    let keyId = recorded?.keyId;
    if (!cred && recorded) {
      const loaded = await loadRecordedCredential(ctx, recorded);
      // Reused while it has a good part of its life left: a resumed run keeps the certificate it just made
      // (whatever its validity), a re-run months later does not hand out one that is about to expire.
      if (typeof loaded !== 'string' && loaded.notAfter.getTime() - now.getTime() > Math.min(30 * 86_400_000, (loaded.notAfter.getTime() - loaded.notBefore.getTime()) / 2)) {
        cred = loaded;
        certFiles = recorded.files;
        outcomes['certificate'] = 'reused';
      } else if (typeof loaded === 'string') {
        ctx.out.verbose(`not reusing the recorded certificate: ${loaded}`);
      }
    }
    if (!outcomes['certificate']) {
      if (!cred) {
        const progress = ctx.out.progress(`Generating a ${answers.keySize}-bit RSA key`);
        const keyPem = await cert.generateKey(answers.keySize);
        const certPem = cert.selfSignedCertificate({ keyPem, commonName: answers.appName, now, validityDays: answers.validityDays });
        cred = { ...cert.describeCertificate(certPem), keyPem };
        progress.succeed(`Certificate made (thumbprint ${cred.thumbprint})`);
      }
      generatedPassword = answers.pfxPassword === undefined ? cert.generatePassword() : undefined;
      const pfx = cert.toPfx({ keyPem: cred.keyPem, certPem: cred.certPem, password: answers.pfxPassword ?? generatedPassword!, legacy: flags.pfxLegacy, friendlyName: answers.appName });
      const owner = allProfiles.find((p) => p.name !== profileName && recordsOf(p).some((r) => filePaths(r.files).some((f) => filePaths(files).includes(f))));
      if (owner) throw usageError(`The files at ${files.dir} belong to profile '${owner.name}'; writing there would take them from it.`, `Choose another --out-dir for profile '${profileName}'.`);
      const was = await ctx.files.tighten(files.dir);
      if (was !== undefined) ctx.out.info(`${files.dir} was open to other users (mode ${was.toString(8)}); made it private (700) before writing key material.`);
      const archived = await clearTheWay(ctx.files, files, archiveDirFor(files.dir, now, cred.thumbprint.slice(0, 8)));
      if (archived.length) ctx.out.info(`Archived ${archived.length} existing file(s) to ${path.dirname(archived[0]!)}`);
      // A key brought in under a password stays under that password on disk (the PFX's, from --pfx-password-env).
      const keyProtection = cred.keyWasProtected && flags.pfxPasswordEnv && answers.pfxPassword ? { password: answers.pfxPassword, env: flags.pfxPasswordEnv } : undefined;
      certFiles = await writeCertificateSet(ctx.files, files, cred, pfx, generatedPassword, keyProtection);
      outcomes['certificate'] = 'created';
      keyId = randomUUID();
      await journal({ pendingCertificate: recordOf(cred, certFiles, keyId) });
    }
    report('Certificate files', outcomes['certificate'], ` in ${certFiles.dir}`);
    const credential = cred!;

    // A new app is created with its key in the same request: one write less, and one replication less to wait for.
    const { app, outcome: appOutcome } = await ensureApplication(ctx, directory, s, answers.appName, deadline, keyCredentialFor(credential, answers.appName, keyId), async (created) => {
      // Written the moment the app exists, so a run killed now resumes with this app instead of making another.
      await journal({ state: 'incomplete', app: { displayName: answers.appName, objectId: created.id, appId: created.appId } });
    });
    outcomes['application'] = appOutcome;
    report(`Application '${app.displayName}'`, appOutcome, ` (appId ${app.appId})`);
    await journal({ app: { displayName: app.displayName, objectId: app.id, appId: app.appId } });

    if (removeForeign) await removeForeignCredentials(ctx, directory, app, s.verdict!.foreign);
    // Two independent chains: service principal -> (grant, role), and the key on the app.
    const principalChain = async () => {
      const { sp, outcome: spOutcome } = await ensureServicePrincipal(ctx, directory, s, app, deadline);
      outcomes['servicePrincipal'] = spOutcome;
      report('Service principal', spOutcome, ` (${sp.id})`);
      await journal({ app: { ...profile.app, servicePrincipalId: sp.id } });
      const [grant, role] = await Promise.all([ensureGrant(ctx, directory, s, sp, deadline), ensureRole(ctx, directory, s, sp, answers.role, deadline)]);
      outcomes['grant'] = grant;
      outcomes['role'] = role;
      report('Exchange.ManageAsApp admin consent', grant);
      report(`Directory role ${answers.role.name}`, role);
      return sp;
    };
    const keyChain = async () => {
      if (appOutcome === 'created') return { keyId: keyId!, outcome: 'created' as Outcome };
      return ensureKeyUploaded(ctx, directory, app, credential, answers.appName, deadline);
    };
    const [sp, uploaded] = await Promise.all([principalChain(), keyChain()]);
    keyId = uploaded.keyId;
    outcomes['key'] = uploaded.outcome;
    report('Key credential on the app', uploaded.outcome, ` (keyId ${keyId})`);
    const record = recordOf(credential, certFiles, keyId);
    await journal({ pendingCertificate: record });

    let verified = false;
    if (flags.verify) {
      const exchange = await ctx.services.exchange(cloud, target.http);
      const outcome = await verifyConnection(ctx, { identity, exchange, cloud }, {
        cred: { clientId: app.appId, tenant: org.tenantId, keyPem: credential.keyPem, thumbprintSha256: credential.thumbprintSha256 }, tenantId: org.tenantId, organization: org.initialDomain, waitMs: Math.max(0, deadline - ctx.clock.now().getTime()),
      });
      if (!outcome.verified) {
        throw new CliError(EXIT.failed, `Set up, but not verified within ${Math.round(flags.waitMs / 1000)} s: ${outcome.diagnosis.what}`, {
          why: 'Entra and Exchange can take several minutes to see a new app, grant and role.',
          fix: `Re-run the same 'exo-cba init' to keep waiting (everything done so far is reused), or try 'exo-cba check --profile ${profileName}' later. ${outcome.diagnosis.fix}`,
        });
      }
      verified = true;
    }
    const { pendingCertificate: _done, ...finished } = profile;
    profile = { ...finished, certificate: record, state: 'ready', updatedAt: ctx.clock.now().toISOString() };
    await ctx.profiles.save(profile);
    const theDefault = await ctx.profiles.defaultName();
    if (theDefault && theDefault !== profileName) ctx.out.info(`The default profile stays '${theDefault}': use --profile ${profileName} with check, rotate and remove (or 'exo-cba status --set-default ${profileName}').`);
    if (generatedPassword && certFiles.pfxPasswordFile) {
      if (ctx.interactive) ctx.out.info(`PFX password (generated; shown once, also stored, readable only by you, in ${certFiles.pfxPasswordFile}): ${ctx.out.color.bold(generatedPassword)}`);
      else ctx.out.info(`PFX password generated and stored, readable only by you, in ${certFiles.pfxPasswordFile}.`);
    }
    const data: InitResult = {
      appId: app.appId, objectId: app.id, servicePrincipalId: sp.id, tenantId: org.tenantId, organization: org.initialDomain,
      thumbprint: credential.thumbprint, thumbprintSha256: credential.thumbprintSha256, notBefore: credential.notBefore.toISOString(), notAfter: credential.notAfter.toISOString(),
      files: certFiles, role: answers.role.name, roleCompliance: answers.role.compliance, cloud: flags.cloud, exchangeEnvironmentName: cloud.exchangeEnvironmentName, verified, profile: profileName, outcomes, appName: answers.appName,
    };
    return { command: 'init', exitCode: EXIT.ok, data };
  } finally {
    unregister();
    await target.close();
  }
}
