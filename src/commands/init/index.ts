import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Context } from '../../context.js';
import { CliError, EXIT, failure, usageError } from '../../errors.js';
import { openTarget } from '../../target.js';
import { parseInitFlags, parseRole, DEFAULT_APP_NAME, DEFAULT_VALIDITY_DAYS, type InitFlags } from './options.js';
import { ADMIN_SCOPES, EXCHANGE_ROLES, GLOBAL_ADMIN_TEMPLATE_ID, KEY_SIZES, type DirectoryRole, type KeySize } from '../../constants.js';
import { parseAppName, parseIntIn } from '../../options.js';
import type { Profile } from '../../profiles.js';
import { validateProfileName } from '../../profiles.js';
import { survey, ensureApplication, ensureServicePrincipal, ensureGrant, ensureRole, ensureKeyUploaded, type Outcome } from './steps.js';
import { keyCredentialFor } from '../../keys.js';
import { plannedFiles, slug, clearTheWay, archiveDirFor, writeCertificateSet, recordOf } from '../../cert-store.js';
import { readCertificateInput, passwordFromEnv, loadRecordedCredential } from '../../credentials.js';
import { verifyConnection } from '../../verify.js';
import { signInAdmin } from '../../admin.js';
import type { Credential } from '../../cert.js';
import type { CommandResult, InitResult } from '../../render.js';

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
    const why = await ctx.files.whyNotWritable(flags.outDir);
    if (why) throw usageError(`The output directory cannot be used: ${why}.`, 'Choose a writable --out-dir.');
  }
  const envPassword = flags.pfxPasswordEnv ? passwordFromEnv(ctx, flags.pfxPasswordEnv) : undefined;
  let brought: Credential | undefined;
  if (flags.certFile) {
    const cert = await import('../../cert.js');
    const { bytes, label } = await readCertificateInput(ctx, flags.certFile, '--cert-file');
    brought = cert.requireCredential(cert.readCredential(bytes, label, envPassword), label);
    if (brought.notAfter.getTime() <= ctx.clock.now().getTime()) throw usageError(`The certificate in ${label} expired on ${brought.notAfter.toISOString()}.`, 'Bring a valid certificate, or let exo-cba make one.');
  }
  await ctx.profiles.load(); // a corrupt profiles file stops us here, not half-way
  return { envPassword, brought };
}

async function askAnswers(ctx: Context, flags: InitFlags, org: { initialDomain: string }, existing: Profile | undefined, envPassword: string | undefined, brought: Credential | undefined): Promise<Answers> {
  const { prompt } = ctx;
  const ask = ctx.interactive;
  const appName = flags.appName ?? existing?.app.displayName ?? (ask ? parseAppName(await prompt.text({ name: 'appName', message: 'App registration name', default: DEFAULT_APP_NAME, validate: (v) => { try { parseAppName(v); return true; } catch (e) { return (e as Error).message; } } })) : DEFAULT_APP_NAME);
  let role = flags.role ?? (existing ? parseRole(existing.role.templateId) : undefined);
  if (!role) {
    role = ask
      ? parseRole(await prompt.select({ name: 'role', message: 'Directory role for the app (least privilege first)', default: 'exchange-administrator', choices: EXCHANGE_ROLES.map((r) => ({ value: r.key, name: r.name, description: r.description })) }))
      : parseRole('exchange-administrator');
  }
  if (role.templateId === GLOBAL_ADMIN_TEMPLATE_ID && !flags.allowGlobalAdmin) {
    const sure = ask && (await prompt.confirm({ name: 'confirmGlobalAdmin', message: 'Global Administrator gives this app every right in the tenant. Exchange Administrator is enough for Exchange scripts. Really assign Global Administrator?', default: false }));
    if (!sure) throw usageError('Global Administrator was not confirmed.', 'Choose a narrower role (exchange-administrator), or confirm (--allow-global-admin).');
  }
  const needCert = !brought;
  const validityDays = flags.validityDays ?? (ask && needCert ? parseIntIn('validity', await prompt.text({ name: 'validityDays', message: 'Certificate validity (days)', default: String(DEFAULT_VALIDITY_DAYS) }), 1, 3650) : DEFAULT_VALIDITY_DAYS);
  const keySize = flags.keySize ?? (ask && needCert ? (Number(await prompt.select({ name: 'keySize', message: 'RSA key size', default: '2048', choices: KEY_SIZES.map((k) => ({ value: String(k), name: `${k} bits` })) })) as KeySize) : 2048);
  const defaultDir = existing?.certificate?.files.dir ?? path.join(ctx.configDir, 'certs', org.initialDomain);
  let outDir = flags.outDir ?? (ask ? await prompt.text({ name: 'outDir', message: 'Where to write the certificate files', default: defaultDir }) : defaultDir);
  outDir = path.resolve(outDir);
  const why = await ctx.files.whyNotWritable(outDir);
  if (why) throw usageError(`The output directory cannot be used: ${why}.`, 'Choose a writable --out-dir.');
  let pfxPassword = envPassword;
  if (pfxPassword === undefined && ask) {
    const first = await prompt.secret({ name: 'pfxPassword', message: 'PFX password (leave empty to generate one)' });
    if (first !== '') {
      const again = await prompt.secret({ name: 'pfxPasswordAgain', message: 'PFX password again' });
      if (again !== first) throw usageError('The two PFX passwords differ.', 'Run again and type the same password twice.');
      pfxPassword = first;
    }
  }
  return { appName, role, validityDays, keySize, outDir, ...(pfxPassword !== undefined ? { pfxPassword } : {}) };
}

export async function initCommand(raw: Record<string, unknown>, ctx: Context): Promise<CommandResult> {
  const flags = parseInitFlags(raw);
  const { envPassword, brought } = await preflight(ctx, flags);
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
    const answers = await askAnswers(ctx, flags, org, existing, envPassword, brought);
    if (existing && existing.app.displayName !== answers.appName) {
      throw usageError(`Profile '${profileName}' is for the app '${existing.app.displayName}', not '${answers.appName}'.`, `Use --profile with a new name for a second app, or 'exo-cba remove --profile ${profileName}' first.`);
    }
    const now = ctx.clock.now();
    const deadline = now.getTime() + flags.waitMs;
    const recent = existing?.state === 'incomplete' && now.getTime() - Date.parse(existing.updatedAt) < 15 * 60_000;
    const s = await survey(ctx, directory, { appName: answers.appName, knownObjectId: existing?.app.objectId, recent, role: answers.role, deadline });

    const stem = slug(answers.appName);
    const files = plannedFiles(answers.outDir, stem, answers.pfxPassword === undefined);
    const plan = [
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

    const outcomes: Record<string, Outcome> = {};
    let profile: Profile = existing ?? {
      name: profileName, tenantId: org.tenantId, organization: org.initialDomain, cloud: flags.cloud, ...(flags.sandbox ? { sandbox: true } : {}),
      app: { displayName: answers.appName }, role: { name: answers.role.name, templateId: answers.role.templateId }, state: 'incomplete', createdAt: now.toISOString(), updatedAt: now.toISOString(),
    };
    // Steps below run partly in parallel; profile writes are serialised so none is lost.
    let saving: Promise<void> = Promise.resolve();
    const journal = (patch: Partial<Profile>) => {
      profile = { ...profile, ...patch, role: { name: answers.role.name, templateId: answers.role.templateId }, updatedAt: ctx.clock.now().toISOString() };
      const snapshot = profile;
      saving = saving.then(() => ctx.profiles.save(snapshot, { makeDefault: !existing }));
      return saving;
    };
    const report = (what: string, o: Outcome, extra = '') => ctx.out.info(`${ctx.out.color.green('✔')} ${what} ${o}${extra}`);

    // The certificate first (local, and journaled): the one brought, else the profile's own if still good, else a new one.
    const cert = await import('../../cert.js');
    let cred: Credential | undefined = brought;
    let certFiles = files;
    let generatedPassword: string | undefined;
    const recorded = profile.certificate ?? profile.pendingCertificate;
    let keyId = recorded?.keyId;
    if (!cred && recorded) {
      const loaded = await loadRecordedCredential(ctx, recorded);
      if (typeof loaded !== 'string' && loaded.notAfter.getTime() - now.getTime() > 30 * 86_400_000) {
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
      const archived = await clearTheWay(ctx.files, files, archiveDirFor(files.dir, now, cred.thumbprint.slice(0, 8)));
      if (archived.length) ctx.out.info(`Archived ${archived.length} existing file(s) to ${path.dirname(archived[0]!)}`);
      certFiles = await writeCertificateSet(ctx.files, files, cred, pfx, generatedPassword);
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
    await ctx.profiles.save(profile, { makeDefault: !existing });
    if (generatedPassword && certFiles.pfxPasswordFile) {
      if (ctx.interactive) ctx.out.info(`PFX password (generated; shown once, also stored 0600 in ${certFiles.pfxPasswordFile}): ${ctx.out.color.bold(generatedPassword)}`);
      else ctx.out.info(`PFX password generated and stored 0600 in ${certFiles.pfxPasswordFile}.`);
    }
    const data: InitResult = {
      appId: app.appId, objectId: app.id, servicePrincipalId: sp.id, tenantId: org.tenantId, organization: org.initialDomain,
      thumbprint: credential.thumbprint, thumbprintSha256: credential.thumbprintSha256, notBefore: credential.notBefore.toISOString(), notAfter: credential.notAfter.toISOString(),
      files: certFiles, role: answers.role.name, roleCompliance: answers.role.compliance, cloud: flags.cloud, exchangeEnvironmentName: cloud.exchangeEnvironmentName, verified, profile: profileName, outcomes, appName: answers.appName,
    };
    return { command: 'init', exitCode: EXIT.ok, data };
  } finally {
    await target.close();
  }
}
