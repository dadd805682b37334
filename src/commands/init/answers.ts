import path from 'node:path';
import type { Context } from '../../context.js';
import { CliError, usageError } from '../../core/errors.js';
import { parseAppName, parseIntIn, parseKeySize } from '../../core/values.js';
import { EXCHANGE_ROLES, type DirectoryRole } from '../../workloads/exchange/index.js';
import { GLOBAL_ADMIN_TEMPLATE_ID } from '../../tenant/entra.js';
import { KEY_SIZES } from '../../certificate/x509.js';
import { directoryRoleRights, parseRole } from '../../rights/directory-role.js';
import { COMMON_ROLE_GROUPS, COMMON_ROLES } from '../../rights/exchange-rbac.js';
import type { Rights } from '../../rights/types.js';
import type { Profile } from '../../profile/store.js';
import type { Credential } from '../../certificate/x509.js';
import { DEFAULT_APP_NAME, DEFAULT_VALIDITY_DAYS, type InitOptions as InitFlags } from './options.js';
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

async function askRole(
  ctx: Context,
  flags: InitFlags,
  existing: Profile | undefined,
): Promise<DirectoryRole> {
  const preset =
    flags.role ??
    (existing?.rights.kind === 'directory-role' ? parseRole(existing.rights.templateId) : undefined);
  if (preset || !ctx.interactive) return preset ?? parseRole('exchange-administrator');
  for (;;) {
    const role = parseRole(
      await ctx.prompt.select({
        name: 'role',
        message: 'Directory role for the app (least privilege first)',
        default: 'exchange-administrator',
        choices: EXCHANGE_ROLES.map((r) => ({ value: r.key, name: r.name, description: r.description })),
      }),
    );
    if (role.templateId !== GLOBAL_ADMIN_TEMPLATE_ID || flags.allowGlobalAdmin) return role;
    ctx.out.warn(
      'Global Administrator gives this app every right in the tenant; Exchange Administrator is ' +
        'enough for Exchange scripts.',
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
 * How the app gets its Exchange rights: flags first, then the profile's own (a re-run keeps its model), then
 * the wizard's question. The default stays the Exchange Administrator directory role, as Microsoft's procedure
 * has it; the wizard says what that allows and that Exchange RBAC is the least-privilege way.
 */
async function askRights(ctx: Context, flags: InitFlags, existing: Profile | undefined): Promise<Rights> {
  if (flags.exchangeRoleGroup) return { kind: 'exchange-rbac', roleGroup: flags.exchangeRoleGroup };
  if (flags.exchangeRoles)
    return {
      kind: 'exchange-rbac',
      roles: flags.exchangeRoles,
      ...(flags.exchangeScope ? { scope: flags.exchangeScope } : {}),
    };
  if (flags.role || !ctx.interactive || existing?.rights.kind === 'directory-role')
    return directoryRoleRights(await askRole(ctx, flags, existing));
  if (existing) return existing.rights;
  const how = await ctx.prompt.select({
    name: 'rightsModel',
    message: 'How should the app get its Exchange rights?',
    default: 'directory-role',
    choices: [
      {
        value: 'directory-role',
        name: 'An Entra directory role',
        description: 'simplest; Exchange Administrator can run every Exchange cmdlet in the tenant',
      },
      {
        value: 'exchange-rbac',
        name: 'Exchange RBAC on the app',
        description: 'least privilege: only the cmdlets of the roles you choose; recommended for production',
      },
    ],
  });
  if (how === 'directory-role') return directoryRoleRights(await askRole(ctx, flags, existing));
  const pick = await ctx.prompt.select({
    name: 'exchangeRights',
    message: 'Which Exchange role group or role? (least privilege first)',
    default: `group:${COMMON_ROLE_GROUPS[0]!.name}`,
    choices: [
      ...COMMON_ROLE_GROUPS.map((g) => ({
        value: `group:${g.name}`,
        name: `role group ${g.name}`,
        description: g.description,
      })),
      ...COMMON_ROLES.map((r) => ({
        value: `role:${r.name}`,
        name: `role ${r.name}`,
        description: r.description,
      })),
      { value: 'custom', name: 'a custom role group', description: 'type its name' },
    ],
  });
  if (pick === 'custom') {
    const name = await ctx.prompt.text({
      name: 'exchangeRoleGroup',
      message: 'Role group name',
      validate: (v) => (v.trim() ? true : 'Give the name of the role group.'),
    });
    return { kind: 'exchange-rbac', roleGroup: name.trim() };
  }
  return pick.startsWith('group:')
    ? { kind: 'exchange-rbac', roleGroup: pick.slice(6) }
    : { kind: 'exchange-rbac', roles: [pick.slice(5)] };
}

export async function askAnswers(
  ctx: Context,
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
            default: DEFAULT_APP_NAME,
            validate: validator(parseAppName),
          }),
        )
      : DEFAULT_APP_NAME);
  const rights = await askRights(ctx, flags, existing);
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
