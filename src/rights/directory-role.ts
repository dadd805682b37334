import type { RightsStrategy } from './strategy.js';
import type { DirectoryRoleRights } from './types.js';
import { GraphApiError } from '../adapters/graph.js';
import { explainGraphError, untilReplicated } from '../adapters/graph-errors.js';
import {
  EXCHANGE_ROLES,
  findExchangeRole,
  roleByTemplateId,
  type DirectoryRole,
} from '../workloads/exchange/index.js';
import { failure, usageError } from '../core/errors.js';
import { ROLES } from '../tenant/admin-rights.js';

/**
 * Rights through an Entra directory role that Exchange Online accepts for app-only access (Exchange
 * Administrator by default): simplest, and as broad as the role.
 */

/** A --role value: one of the roles Exchange Online accepts for app-only access. */
export function parseRole(value: string): DirectoryRole {
  const role = findExchangeRole(value);
  if (!role)
    throw usageError(
      `'${value}' is not a directory role Exchange Online accepts for app-only access.`,
      `Use one of: ${EXCHANGE_ROLES.map((r) => r.key).join(', ')}.`,
    );
  return role;
}

export function directoryRoleRights(role: DirectoryRole): DirectoryRoleRights {
  return { kind: 'directory-role', templateId: role.templateId, name: role.name };
}

function roleOf(r: DirectoryRoleRights): DirectoryRole {
  const role = roleByTemplateId(r.templateId);
  if (!role)
    throw usageError(
      `The directory role ${r.templateId} (${r.name}) is not one Exchange Online accepts for app-only access.`,
      `Use one of: ${EXCHANGE_ROLES.map((x) => x.key).join(', ')}.`,
    );
  return role;
}

const isDuplicate = (err: unknown) =>
  err instanceof GraphApiError &&
  (err.status === 409 || (err.status === 400 && /already exists|conflicting object/i.test(err.message)));

export const directoryRole: RightsStrategy<DirectoryRoleRights> = {
  kind: 'directory-role',
  describe: (r) => `${r.name} (Entra directory role)`,
  graphScopes: ['RoleManagement.ReadWrite.Directory'],
  adminNeeds: [{ what: 'assign a directory role to the app', anyOf: [ROLES.privilegedRole, ROLES.global] }],
  isHeld: async (on, r) =>
    (await on.dir.listRoleAssignments(on.sp.id)).some(
      (a) => a.roleDefinitionId === r.templateId && a.directoryScopeId === '/',
    ),
  async revoke(ctx, on, r) {
    const held = (await on.dir.listRoleAssignments(on.sp.id)).filter(
      (a) => a.roleDefinitionId === r.templateId,
    );
    for (const a of held) {
      await on.dir.removeRoleAssignment(a.id).catch((e: unknown) => {
        throw explainGraphError(e, `remove the ${r.name} role from the app`);
      });
    }
    if ((await on.dir.listRoleAssignments(on.sp.id)).some((a) => a.roleDefinitionId === r.templateId)) {
      throw failure(`The ${r.name} role is still assigned to the app after removing it.`, {
        fix: 'Remove it in Entra ID > Roles and administrators, then run the command again.',
      });
    }
    ctx.out.info(
      `${ctx.out.color.green('✔')} Directory role ${r.name} removed from the app (read back: gone)`,
    );
  },
  async grant(ctx, on, r, deadline) {
    const { dir } = on;
    const spId = on.sp.id;
    try {
      await untilReplicated(
        ctx,
        'assign the directory role',
        () => dir.assignDirectoryRole(spId, r.templateId),
        { deadline },
      );
      return 'created';
    } catch (err) {
      if (!isDuplicate(err)) throw explainGraphError(err, `assign the ${r.name} role`);
    }
    // A conflict is read back, never assumed: go on only if the assignment asked for is there.
    if (await directoryRole.isHeld(on, r)) return 'reused';
    try {
      await dir.assignDirectoryRole(spId, r.templateId);
    } catch (err) {
      if (!isDuplicate(err)) throw explainGraphError(err, `assign the ${r.name} role`);
      if (await directoryRole.isHeld(on, r)) return 'reused';
      throw failure(
        `Graph says the ${r.name} role assignment conflicts with one already there, but none is.`,
        {
          why: `The app holds no tenant-wide ${r.name} assignment when read back, after asking twice.`,
          fix: 'Look in Entra ID > Roles and administrators for an assignment of this role to the app, then re-run.',
        },
      );
    }
    return 'created';
  },
  plan: (r, held) =>
    held
      ? `reuse the ${r.name} role assignment`
      : `assign the ${r.name} directory role: POST /roleManagement/directory/roleAssignments`,
  servesCompliance: (r) => roleOf(r).compliance,
  // Recipient-only roles may not read the organisation's configuration: prove them with a recipient read.
  verifyCmdlet: (r) =>
    ['exchange-recipient-administrator', 'helpdesk-administrator'].includes(roleOf(r).key)
      ? 'Get-Recipient'
      : 'Get-AcceptedDomain',
  whenRefused: (r) => ({
    what: `it holds no directory role Exchange accepts (it should hold ${r.name})`,
    fix:
      `Assign one of: ${EXCHANGE_ROLES.map((x) => x.name).join(', ')} (re-run exo-cba init, or ` +
      `Entra ID > Roles); a new assignment takes a few minutes to reach Exchange.`,
  }),
};
