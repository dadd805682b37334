import type { Context } from '../../context.js';
import { EXIT, failure, usageError } from '../../core/errors.js';
import { planSteps, runSteps } from '../../core/steps.js';
import { openTarget } from '../../tenant/target.js';
import { signInAdmin } from '../../tenant/sign-in.js';
import { ADMIN_SCOPES, GLOBAL_ADMIN_TEMPLATE_ID } from '../../tenant/entra.js';
import type { WorkloadAdmin } from '../../rights/index.js';
import { nameOf, strategyFor, type Workload } from '../../workloads/index.js';
import { appNeeds, checkAdminRights } from '../../tenant/admin-rights.js';
import { permissionNames } from '../../tenant/permissions.js';
import type { DirectoryRole } from '../../rights/roles.js';
import { applyKeyPolicy } from './policy.js';
import { validateProfileName, type Profile } from '../../profile/store.js';
import { takeProfileLock } from '../../profile/lock.js';
import { readCertificateInput, passwordFromEnv } from '../../certificate/credentials.js';
import { recordOf } from '../../certificate/store.js';
import type { Credential } from '../../certificate/x509.js';
import type { CommandResult, InitResult } from '../../output/render.js';
import type { InitOptions as InitFlags } from './options.js';
import { askAnswers, chooseWorkload } from './answers.js';
import { decideAdoption } from './adopt.js';
import { survey } from './survey.js';
import { INIT_STEPS } from './steps/index.js';
import type { InitRun } from './run.js';

/**
 * exo-cba init: from nothing to a verified connection for one workload and paste-ready PowerShell, idempotent
 * and resumable.
 */

/** Checks everything that can be checked before signing in; nothing changes until these pass. */
async function preflight(
  ctx: Context,
  flags: InitFlags,
  chosen: { workload: Workload; role?: DirectoryRole },
) {
  if (chosen.role?.templateId === GLOBAL_ADMIN_TEMPLATE_ID && !ctx.interactive && !flags.allowGlobalAdmin) {
    throw usageError(
      '--role global-administrator needs --allow-global-admin when nobody is there to confirm.',
      `Prefer ${chosen.workload.roles.defaultKey} (least privilege); Global Administrator is for emergencies only.`,
    );
  }
  if (flags.outDir) {
    const why = (await ctx.files.whyNotWritable(flags.outDir)) ?? (await ctx.files.whyNotSafe(flags.outDir));
    if (why)
      throw usageError(
        `The output directory cannot be used: ${why}.`,
        'Choose a writable, real directory with --out-dir.',
      );
  }
  const envPassword = flags.pfxPasswordEnv ? passwordFromEnv(ctx, flags.pfxPasswordEnv) : undefined;
  let brought: Credential | undefined;
  if (flags.certFile) {
    const cert = await import('../../certificate/x509.js');
    const { bytes, label } = await readCertificateInput(ctx, flags.certFile, '--cert-file');
    brought = cert.requireCredential(cert.readCredential(bytes, label, envPassword), label);
    if (brought.notAfter.getTime() <= ctx.clock.now().getTime())
      throw usageError(
        `The certificate in ${label} expired on ${brought.notAfter.toISOString()}.`,
        'Bring a valid certificate, or let exo-cba make one.',
      );
    if (brought.notBefore.getTime() > ctx.clock.now().getTime()) {
      throw usageError(
        `The certificate in ${label} is not valid yet: it starts on ${brought.notBefore.toISOString()}.`,
        'Wait until then, bring a certificate that is valid now, or let exo-cba make one. If the ' +
          "date looks wrong, check this machine's clock.",
        'Entra refuses a key whose start date is in the future.',
      );
    }
  }
  await ctx.profiles.load(); // a corrupt profiles file stops us here, not half-way
  return { envPassword, brought };
}

function summary(ctx: Context, s: InitRun): string {
  const c = ctx.out.color;
  const app = s.survey.app;
  return [
    '',
    c.bold('About to set up:'),
    `  Tenant        ${s.org.displayName} (${s.org.initialDomain}, ${s.org.tenantId})`,
    `  App           ${s.answers.appName}${app ? ` (existing, appId ${app.appId})` : ' (new, single tenant)'}`,
    `  Workload      ${s.workload.service}`,
    `  Permission    ${permissionNames(s.survey.permissions)} (application permission, admin consent)`,
    `  Role          ${s.strategy.describe(s.answers.rights)}`,
    `  Certificate   ${s.brought ? `${s.brought.thumbprint}, from ${s.flags.certFile}` : `new ${s.answers.keySize}-bit RSA, valid ${s.answers.validityDays} days`}`,
    `  Files         ${s.answers.outDir}${s.answers.pfxPassword === undefined ? ' (PFX password generated)' : ''}`,
    `  Profile       ${s.profileName}`,
    '',
  ].join('\n');
}

export async function initCommand(flags: InitFlags, ctx: Context): Promise<CommandResult> {
  const chosen = await chooseWorkload(ctx, flags);
  const { workload } = chosen;
  const { envPassword, brought } = await preflight(ctx, flags, chosen);
  // What a Ctrl-C during the network phase says: nothing changed yet, or how to pick up where it stopped.
  let onStop = 'Cancelled: nothing was changed in the tenant or on disk.';
  const unregister = ctx.services.onInterrupt(() => onStop);
  const target = await openTarget(ctx, { cloud: flags.cloud, sandbox: flags.sandbox });
  let unlock: (() => Promise<void>) | undefined;
  try {
    const { cloud } = target;
    const identity = await ctx.services.identity(cloud, target.http);
    const session = await signInAdmin(ctx, identity, {
      tenant: flags.tenant ?? target.sandboxDomain ?? 'organizations',
      clientId: flags.clientId,
      method: flags.auth,
      waitMs: flags.waitMs,
      scopes: [...new Set([...ADMIN_SCOPES.init, ...workload.strategies.flatMap((x) => x.graphScopes)])],
    });
    const dir = await ctx.services.directory(cloud, target.http, () => session.graphToken());
    const org = await dir.organization().catch((err: unknown) => {
      throw failure(`Could not read the tenant's organization: ${(err as Error).message}`, {
        fix: 'Check that the admin consented to Organization.Read.All (or User.Read).',
      });
    });
    ctx.out.info(
      `Tenant: ${org.displayName} (${org.tenantId}), organization ${ctx.out.color.bold(org.initialDomain)}`,
    );
    const profileName = validateProfileName(flags.profile ?? workload.profileName(org.initialDomain));
    // One run at a time on a profile: a rotation or another init of it finishes first (profile/lock.ts).
    if (!flags.dryRun)
      unlock = await takeProfileLock(ctx, { profile: profileName, command: 'init', waitMs: flags.waitMs });
    const existing = await ctx.profiles.get(profileName);
    if (existing && existing.workload !== workload.name)
      throw usageError(
        `Profile '${profileName}' is for the ${existing.workload} workload, not ${workload.name}.`,
        'Use --profile with a new name: each workload gets an app and a profile of its own.',
      );
    if (existing && existing.tenantId !== org.tenantId) {
      throw usageError(
        `Profile '${profileName}' belongs to tenant ${existing.tenantId}, not ${org.tenantId}.`,
        'Use another --profile name.',
      );
    }
    const answers = await askAnswers(ctx, chosen, flags, profileName, existing, envPassword, brought);
    // Graph treats display names without regard to case, and so does this check: a re-run typed in other case is the same app.
    if (
      existing &&
      existing.app.displayName.toLowerCase() !== answers.appName.toLowerCase() &&
      !flags.adoptApp
    ) {
      throw usageError(
        `Profile '${profileName}' is for the app '${existing.app.displayName}', not '${answers.appName}'.`,
        `Use --profile with a new name for a second app, or 'exo-cba remove --profile ${profileName}' first.`,
      );
    }
    const strategy = strategyFor(workload, answers.rights);
    // The admin's own rights, before the first write: stop now rather than half-way (the dry run says the same).
    const rightsCheck = checkAdminRights(session.activeRoles, [
      ...appNeeds(permissionNames(workload.permissions(cloud.name))),
      ...strategy.adminNeeds,
    ]);
    const rightsLine =
      rightsCheck.verdict === 'enough'
        ? `the signed-in admin holds ${rightsCheck.held.join(', ')}: enough for every step`
        : rightsCheck.verdict === 'unknown'
          ? `the admin's rights could not be checked first (${rightsCheck.why}); Graph will refuse ` +
            `a step the admin may not do`
          : undefined;
    if (rightsCheck.verdict === 'missing' && !flags.dryRun) {
      throw failure(`${session.username} may not ${rightsCheck.missing.map((m) => m.what).join(', nor ')}.`, {
        code: 'EXO-ADMIN-RIGHTS',
        why:
          `That needs ` +
          `${rightsCheck.missing.map((m) => m.anyOf.map((r) => r.name).join(' or ')).join('; and ')}; the admin ` +
          `holds ${rightsCheck.held.join(', ') || 'no directory role'}. Nothing was changed.`,
        fix:
          'Sign in with an account that holds the role (or activate it in Privileged Identity ' +
          'Management first), then run the command again.',
      });
    }
    // The tenant's credential policy, before the certificate is made (a brought certificate is Graph's to judge).
    if (!brought && !(existing?.certificate ?? existing?.pendingCertificate))
      answers.validityDays = await applyKeyPolicy(ctx, dir, {
        days: answers.validityDays,
        explicit: flags.validityDays !== undefined,
      });
    const now = ctx.clock.now();
    const deadline = now.getTime() + flags.waitMs;
    const recent =
      existing?.state === 'incomplete' && now.getTime() - Date.parse(existing.updatedAt) < 15 * 60_000;
    const allProfiles = await ctx.profiles.list();
    // The admin's session with the workload, opened the first time a step needs it (Exchange RBAC).
    const workloadDeps = { identity, http: target.http, cloud, env: target.env };
    let admin: WorkloadAdmin | undefined;
    const openAdmin = async () => {
      if (!workload.adminSession) throw new Error(`${workload.service} has no admin session.`);
      return (admin ??= workload.adminSession(workloadDeps, {
        tenantId: org.tenantId,
        organization: org.initialDomain,
        token: (resource) => session.tokenFor(resource),
      }));
    };
    const found = await survey(ctx, dir, {
      workload,
      cloud: cloud.name,
      appName: answers.appName,
      knownObjectId: existing?.app.objectId,
      recent,
      rights: answers.rights,
      deadline,
      profiles: allProfiles,
      tenantId: org.tenantId,
      knownThumbprints: brought ? [brought.thumbprint] : [],
      ...(flags.adoptApp ? { adoptAppId: flags.adoptApp } : {}),
      admin: openAdmin,
    });
    if (found.app && flags.adoptApp) answers.appName = found.app.displayName;
    const sharedWith = (found.verdict?.profiles ?? []).filter((p) => p !== profileName);
    if (sharedWith.length)
      ctx.out.info(
        `The app '${found.app!.displayName}' is already used by profile ${sharedWith.join(', ')}: ` +
          `profile '${profileName}' shares it, with a certificate of its own beside theirs.`,
      );
    const adoption = found.adopting
      ? await decideAdoption(ctx, flags, dir, found, strategy.describe(answers.rights))
      : { removeForeign: false };
    const notChanged = (plan: string[], declined: boolean) => ({
      command: 'init' as const,
      exitCode: EXIT.ok,
      data: {
        dryRun: true as const,
        ...(declined ? { declined: true as const } : {}),
        profile: profileName,
        workload: nameOf(workload),
        tenantId: org.tenantId,
        organization: org.initialDomain,
        plan,
      },
    });
    if (adoption === 'declined') return notChanged([], true);

    let profile: Profile = existing ?? {
      name: profileName,
      tenantId: org.tenantId,
      organization: org.initialDomain,
      cloud: flags.cloud,
      workload: nameOf(workload),
      ...(flags.sandbox ? { sandbox: true } : {}),
      app: { displayName: answers.appName },
      rights: answers.rights,
      state: 'incomplete',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    // Steps run partly in parallel; profile writes are serialised so none is lost.
    let saving: Promise<void> = Promise.resolve();
    const run: InitRun = {
      flags,
      answers,
      workload,
      strategy,
      profileName,
      org,
      ...(existing ? { existing } : {}),
      allProfiles,
      ...(brought ? { brought } : {}),
      deadline,
      survey: found,
      removeForeign: adoption.removeForeign,
      deps: {
        dir,
        identity,
        cloud,
        http: target.http,
        env: target.env,
        admin: openAdmin,
      },
      outcomes: {},
      verified: false,
      journal: (patch) => {
        profile = { ...profile, ...patch, rights: answers.rights, updatedAt: ctx.clock.now().toISOString() };
        const snapshot = profile;
        saving = saving.then(() => ctx.profiles.save(snapshot));
        return saving;
      },
      report: (what, o, extra = '') => ctx.out.info(`${ctx.out.color.green('✔')} ${what} ${o}${extra}`),
    };

    const plan = [
      ...(rightsCheck.verdict === 'missing'
        ? [
            `STOP: the signed-in admin may not ` +
              rightsCheck.missing
                .map((m) => `${m.what} (needs ${m.anyOf.map((r) => r.name).join(' or ')})`)
                .join('; nor '),
          ]
        : rightsLine
          ? [`check: ${rightsLine}`]
          : []),
      ...(found.adopting
        ? [
            `adopt application '${found.app!.displayName}' (appId ${found.app!.appId}), which exo-cba did not create`,
          ]
        : []),
      ...(await planSteps(ctx, INIT_STEPS, run)),
      `save profile '${profileName}'`,
    ];
    if (flags.dryRun) return notChanged(plan, false);
    if (ctx.interactive) {
      ctx.out.info(summary(ctx, run));
      if (
        !(await ctx.prompt.confirm({
          name: 'confirmPlan',
          message: `Make these changes in ${org.initialDomain}?`,
          default: true,
        }))
      )
        return notChanged(plan, true);
    }
    onStop =
      `Cancelled. What finished is recorded in profile '${profileName}'; run the same ` +
      `command again to resume (exo-cba init --profile ` +
      `${profileName}${flags.sandbox ? ' --sandbox' : ''}): finished steps are reused.`;

    await runSteps(ctx, INIT_STEPS, run);

    await saving;
    const record = recordOf(run.credential!, run.files!, run.keyId);
    const { pendingCertificate: _done, ...finished } = profile;
    const passwordSource: Profile['passwordSource'] = flags.pfxPasswordEnv
      ? { kind: 'env', name: flags.pfxPasswordEnv }
      : run.files!.pfxPasswordFile
        ? { kind: 'file', path: run.files!.pfxPasswordFile }
        : { kind: 'typed' };
    profile = {
      ...finished,
      certificate: record,
      passwordSource,
      state: 'ready',
      updatedAt: ctx.clock.now().toISOString(),
    };
    await ctx.profiles.save(profile);
    const theDefault = await ctx.profiles.defaultName();
    if (theDefault && theDefault !== profileName)
      ctx.out.info(
        `The default profile stays '${theDefault}': use --profile ${profileName} with check, rotate ` +
          `and remove (or 'exo-cba status --set-default ${profileName}').`,
      );
    if (run.generatedPassword && run.files!.pfxPasswordFile) {
      if (ctx.interactive)
        ctx.out.info(
          `PFX password (generated; shown once, also stored, readable only by you, in ` +
            `${run.files!.pfxPasswordFile}): ${ctx.out.color.bold(run.generatedPassword)}`,
        );
      else
        ctx.out.info(
          `PFX password generated and stored, readable only by you, in ${run.files!.pfxPasswordFile}.`,
        );
    }
    const app = run.app!;
    const credential = run.credential!;
    const data: InitResult = {
      appId: app.appId,
      objectId: app.id,
      servicePrincipalId: run.sp!.id,
      tenantId: org.tenantId,
      organization: org.initialDomain,
      thumbprint: credential.thumbprint,
      thumbprintSha256: credential.thumbprintSha256,
      notBefore: credential.notBefore.toISOString(),
      notAfter: credential.notAfter.toISOString(),
      files: run.files!,
      role:
        answers.rights.kind === 'directory-role' ? answers.rights.name : strategy.describe(answers.rights),
      rights: answers.rights,
      workload: nameOf(workload),
      cloud: flags.cloud,
      verified: run.verified,
      profile: profileName,
      outcomes: run.outcomes,
      appName: answers.appName,
    };
    return { command: 'init', exitCode: EXIT.ok, data };
  } finally {
    unregister();
    await unlock?.();
    await target.close();
  }
}
