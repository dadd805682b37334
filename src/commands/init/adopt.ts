import type { Context } from '../../context.js';
import { usageError } from '../../core/errors.js';
import type { Directory } from '../../adapters/graph.js';
import { knownRoleName } from '../../rights/roles.js';
import { permissionNames } from '../../tenant/permissions.js';
import { describeForeign } from '../../tenant/ownership.js';
import type { InitOptions as InitFlags } from './options.js';
import type { Survey } from './survey.js';

/**
 * Taking over an app exo-cba did not create: show what is on it, ask (or require --yes) before granting
 * anything, and decide what happens to the credentials exo-cba did not make. Nothing is kept silently.
 */
export async function decideAdoption(
  ctx: Context,
  flags: InitFlags,
  dir: Directory,
  s: Survey,
  rightsText: string,
): Promise<'declined' | { removeForeign: boolean }> {
  const app = s.app!;
  const v = s.verdict!;
  const creds = await dir.getCredentials(app.id);
  const grants = s.sp ? await dir.listAppRoleAssignments(s.sp.id) : [];
  const roles = s.sp ? await dir.listRoleAssignments(s.sp.id) : [];
  ctx.out.warn(
    [
      `Adopting '${app.displayName}' (appId ${app.appId}, created ` +
        `${app.createdDateTime?.slice(0, 10) ?? 'on an unknown date'}), which exo-cba did not create.`,
      `  owners (they can add credentials at any time): ` +
        (creds.owners.map((o) => o.userPrincipalName ?? o.displayName ?? o.id).join(', ') || 'none'),
      `  credentials exo-cba did not make: ${v.foreign.length ? '' : 'none'}`,
      ...v.foreign.map((f) => `    ${describeForeign(f)}`),
      `  app role grants it holds: ` +
        (grants.length ? grants.map((g) => `${g.appRoleId} on ${g.resourceId}`).join(', ') : 'none'),
      `  directory roles it holds: ` +
        (roles.length
          ? roles.map((r) => knownRoleName(r.roleDefinitionId) ?? r.roleDefinitionId).join(', ')
          : 'none'),
    ].join('\n'),
  );
  if (ctx.interactive) {
    if (
      !(await ctx.prompt.confirm({
        name: 'confirmAdopt',
        message: `Take over '${app.displayName}' and grant it ${permissionNames(s.permissions)} and ${rightsText}?`,
        default: false,
      }))
    )
      return 'declined';
  } else if (!flags.yes) {
    throw usageError(
      `Adopting '${app.displayName}' needs a confirmation and this run is not interactive.`,
      'Review the credentials and grants listed above, then pass --yes.',
    );
  }
  if (!v.foreign.length) return { removeForeign: false };
  if (flags.foreignCredentials) return { removeForeign: flags.foreignCredentials === 'remove' };
  if (!ctx.interactive) {
    throw usageError(
      `'${app.displayName}' has ${v.foreign.length} credential(s) exo-cba did not make; anyone ` +
        `holding one would get the rights too.`,
      'Pass --foreign-credentials remove (recommended) or --foreign-credentials keep.',
    );
  }
  return {
    removeForeign: await ctx.prompt.confirm({
      name: 'removeForeign',
      message:
        `Remove the ${v.foreign.length} credential(s) exo-cba did not make? (Keeping them ` +
        `lets their holders use the rights.)`,
      default: true,
    }),
  };
}
