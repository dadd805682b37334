import path from 'node:path';
import type { Context } from '../../context.js';
import { CliError, usageError } from '../../core/errors.js';
import { KEY_SIZES, parseAppName, parseIntIn, parseKeySize } from '../../core/values.js';
import { GLOBAL_ADMIN_TEMPLATE_ID } from '../../tenant/entra.js';
import { directoryRoleRights } from '../../rights/directory-role.js';
import { parseRole, roleByTemplateId, type DirectoryRole } from '../../rights/roles.js';
import type { Rights } from '../../rights/types.js';
import { allWorkloads, DEFAULT_WORKLOAD, workloadNamed, type Workload } from '../../workloads/index.js';
import type { Profile } from '../../profile/store.js';
import type { Credential } from '../../certificate/x509.js';
import { DEFAULT_VALIDITY_DAYS, type InitOptions as InitFlags } from './options.js';
import type { Answers } from './run.js';

/** The wizard's questions: each one also a flag, each invalid answer asked again with the reason. */

/** Turns a parser that throws a usage error into a prompt validator: the reason is shown and the question asked again. */
const validator =
  (parse: (v: string) => unknown) =>
  (v: string): string | true => {
    try {
      parse(v);
      return true;
    } catch (e) {
      return e instanceof CliError
        ? [e.message, e.detail.fix].filter(Boolean).join(' ')
        : (e as Error).message;
    }
  };

const MIN_TYPED_PASSWORD = 12;

/**
 * The workload comes first (the wizard's first question, or --workload; unattended, Exchange), and with it the
 * roles --role may name: a role the workload does not accept is a usage error before anything else happens.
 */
export async function chooseWorkload(
  ctx: Context,
  flags: InitFlags,
  existing?: { workload?: string },
): Promise<{ workload: Workload; role?: DirectoryRole }> {
  let workload: Workload;
  if (flags.workload) workload = workloadNamed(flags.workload);
  else if (!ctx.interactive) workload = workloadNamed(DEFAULT_WORKLOAD);
  else
    workload = workloadNamed(
      (await ctx.prompt.select({
        name: 'workload',
        message: 'Which workload is this app for? (each workload gets an app of its own)',
        default: DEFAULT_WORKLOAD,
        choices: allWorkloads().map((w) => ({ value: w.name, name: w.service, description: w.purpose })),
      })) as Parameters<typeof workloadNamed>[0],
    );
  if (existing?.workload && existing.workload !== workload.name)
    throw usageError(
      `This profile is for the ${existing.workload} workload, not ${workload.name}.`,
      'Use --profile with a new name for the other workload: each workload gets an app and a profile of its own.',
    );
  const role = flags.role !== undefined ? parseRole(workload.roles, workload.service, flags.role) : undefined;
  return { workload, ...(role ? { role } : {}) };
}

async function askRole(
  ctx: Context,
  w: { workload: Workload; role?: DirectoryRole },
  flags: InitFlags,
  existing: Profile | undefined,
): Promise<DirectoryRole> {
  const { roles } = w.workload;
  const preset =
    w.role ??
    (existing?.rights.kind === 'directory-role'
      ? roleByTemplateId(roles, existing.rights.templateId)
      : undefined);
  const byDefault = parseRole(roles, w.workload.service, roles.defaultKey);
  if (preset || !ctx.interactive) return preset ?? byDefault;
  for (;;) {
    const role = parseRole(
      roles,
      w.workload.service,
      await ctx.prompt.select({
        name: 'role',
        message: 'Directory role for the app (least privilege first)',
        default: roles.defaultKey,
        choices: roles.accepted.map((r) => ({ value: r.key, name: r.name, description: r.description })),
      }),
    );
    if (role.templateId !== GLOBAL_ADMIN_TEMPLATE_ID || flags.allowGlobalAdmin) return role;
    ctx.out.warn(
      `Global Administrator gives this app every right in the tenant; ${byDefault.name} is ` +
        `enough for ${w.workload.service} scripts.`,
    );
    const sure = await ctx.prompt.confirm({
      name: 'confirmGlobalAdmin',
      message: 'Really assign Global Administrator?',
      default: false,
    });
    if (sure) return role;
    ctx.out.info('Global Administrator not chosen: pick another role.');
  }
}

async function askPassword(ctx: Context): Promise<string | undefined> {
  for (;;) {
    const first = await ctx.prompt.secret({
      name: 'pfxPassword',
      message: `PFX password (at least ${MIN_TYPED_PASSWORD} characters; leave empty to generate one)`,
      validate: (v) =>
        v === '' || v.length >= MIN_TYPED_PASSWORD
          ? true
          : `The password has ${v.length} characters; use at least ${MIN_TYPED_PASSWORD}, or leave ` +
            `it empty to have one generated.`,
    });
    if (first === '') return undefined;
    const again = await ctx.prompt.secret({ name: 'pfxPasswordAgain', message: 'PFX password again' });
    if (again === first) return first;
    ctx.out.warn('The two passwords differ. Type them again.');
  }
}

/**
 * How the app gets its rights: flags first, then the profile's own (a re-run keeps its model), then the
 * wizard's question, where the workload takes more than a directory role. The default stays the workload's
 * default directory role, as Microsoft's procedure has it; each other strategy asks its own questions.
 */
async function askRights(
  ctx: Context,
  w: { workload: Workload; role?: DirectoryRole },
  flags: InitFlags,
  existing: Profile | undefined,
): Promise<Rights> {
  const rbacFlags = flags.exchangeRoleGroup ?? flags.exchangeRoles;
  const rbac = w.workload.strategies.find((x) => x.kind === 'exchange-rbac');
  if (rbacFlags && !rbac)
    throw usageError(
      `${w.workload.service} does not take Exchange RBAC (--exchange-role-group, --exchange-role).`,
      `Give the app a directory role instead: --role ${w.workload.roles.defaultKey}.`,
    );
  if (flags.exchangeRoleGroup) return { kind: 'exchange-rbac', roleGroup: flags.exchangeRoleGroup };
  if (flags.exchangeRoles)
    return {
      kind: 'exchange-rbac',
      roles: flags.exchangeRoles,
      ...(flags.exchangeScope ? { scope: flags.exchangeScope } : {}),
    };
  const byDefault = parseRole(w.workload.roles, w.workload.service, w.workload.roles.defaultKey);
  const others = w.workload.strategies.filter((x) => x.kind !== 'directory-role' && x.ask);
  if (w.role || !ctx.interactive || existing?.rights.kind === 'directory-role' || !others.length)
    return directoryRoleRights(await askRole(ctx, w, flags, existing));
  if (existing) return existing.rights;
  const how = await ctx.prompt.select({
    name: 'rightsModel',
    message: `How should the app get its ${w.workload.service} rights?`,
    default: 'directory-role',
    choices: [
      {
        value: 'directory-role',
        name: 'An Entra directory role',
        description: `simplest; ${byDefault.name}: ${byDefault.description}`,
      },
      ...others.map((x) => ({
        value: x.kind,
        name: x.choice?.name ?? x.kind,
        description: x.choice?.description ?? '',
      })),
    ],
  });
  const chosen = others.find((x) => x.kind === how);
  if (!chosen?.ask) return directoryRoleRights(await askRole(ctx, w, flags, existing));
  return chosen.ask(ctx.prompt);
}

export async function askAnswers(
  ctx: Context,
  w: { workload: Workload; role?: DirectoryRole },
  flags: InitFlags,
  profileName: string,
  existing: Profile | undefined,
  envPassword: string | undefined,
  brought: Credential | undefined,
): Promise<Answers> {
  const { prompt } = ctx;
  const ask = ctx.interactive;
  const appName =
    flags.appName ??
    existing?.app.displayName ??
    (ask
      ? parseAppName(
          await prompt.text({
            name: 'appName',
            message: 'App registration name',
            default: w.workload.defaultAppName,
            validate: validator(parseAppName),
          }),
        )
      : w.workload.defaultAppName);
  const rights = await askRights(ctx, w, flags, existing);
  if (rights.kind === 'directory-role' && rights.templateId === GLOBAL_ADMIN_TEMPLATE_ID)
    ctx.out.warn(
      'The app will hold Global Administrator: every right in the tenant. Keep its certificate like ' +
        'a domain admin password, and prefer a narrower role.',
    );
  const needCert = !brought;
  const parseValidity = (v: string) => parseIntIn('The validity', v, 1, 3650);
  const validityDays =
    flags.validityDays ??
    (ask && needCert
      ? parseValidity(
          await prompt.text({
            name: 'validityDays',
            message: 'Certificate validity in days (1-3650)',
            default: String(DEFAULT_VALIDITY_DAYS),
            validate: validator(parseValidity),
          }),
        )
      : DEFAULT_VALIDITY_DAYS);
  const keySize =
    flags.keySize ??
    (ask && needCert
      ? parseKeySize(
          await prompt.select({
            name: 'keySize',
            message: 'RSA key size',
            default: '2048',
            choices: KEY_SIZES.map((k) => ({
              value: String(k),
              name: `${k} bits`,
              description:
                k === 2048
                  ? "what Microsoft's examples use; fast"
                  : k === 4096
                    ? 'stronger, slower to make and use'
                    : 'stronger',
            })),
          }),
        )
      : 2048);
  // One directory per profile (the profile is named after the tenant unless --profile says otherwise), so two
  // profiles never write over each other's files.
  const defaultDir = existing?.certificate?.files.dir ?? path.join(ctx.configDir, 'certs', profileName);
  const outDirWhyNot = async (v: string) => {
    if (v.trim() === '') return 'Give a directory.';
    const why =
      (await ctx.files.whyNotWritable(path.resolve(v.trim()))) ??
      (await ctx.files.whyNotSafe(path.resolve(v.trim())));
    return why ? `That directory cannot be used: ${why}.` : true;
  };
  const outDir = path.resolve(
    (
      flags.outDir ??
      (ask
        ? await prompt.text({
            name: 'outDir',
            message: 'Where to write the certificate files',
            default: defaultDir,
            validate: outDirWhyNot,
          })
        : defaultDir)
    ).trim(),
  );
  const why = (await ctx.files.whyNotWritable(outDir)) ?? (await ctx.files.whyNotSafe(outDir));
  if (why)
    throw usageError(
      `The output directory cannot be used: ${why}.`,
      'Choose a writable, real directory with --out-dir.',
    );
  let pfxPassword = envPassword;
  if (pfxPassword === undefined && ask) pfxPassword = await askPassword(ctx);
  return {
    appName,
    rights,
    validityDays,
    keySize,
    outDir,
    ...(pfxPassword !== undefined ? { pfxPassword } : {}),
  };
}
