import type { RightsStrategy } from './strategy.js';
import type { DirectoryRoleRights } from './types.js';
import { GraphApiError } from '../adapters/graph.js';
import { explainGraphError, untilReplicated } from '../adapters/graph-errors.js';
import { failure } from '../core/errors.js';
import type { DirectoryRole } from './roles.js';
import { ROLES } from '../tenant/admin-rights.js';

/**
 * Rights through an Entra directory role that the workload accepts for app-only access (the workload's own
 * list, workloads/<name>/): simplest, and as broad as the role. Generic: the same for every workload.
 */

export function directoryRoleRights(role: DirectoryRole): DirectoryRoleRights {
  return { kind: 'directory-role', templateId: role.templateId, name: role.name };
}

const isDuplicate = (err: unknown) =>
  err instanceof GraphApiError &&
  (err.status === 409 || (err.status === 400 && /already exists|conflicting object/i.test(err.message)));

export const directoryRole: RightsStrategy<DirectoryRoleRights> = {
  kind: 'directory-role',
  describe: (r) => `${r.name} (Entra directory role)`,
  graphScopes: ['RoleManagement.ReadWrite.Directory'],
  heldOutsideApp: false,
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
};
