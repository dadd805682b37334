import type { Prompt } from '../../context.js';
import type { RightsStrategy, RightsTarget } from '../../rights/strategy.js';
import type { ExchangeRbacRights } from '../../rights/types.js';
import { failure } from '../../core/errors.js';
import { ENTRA_ROLES } from '../../rights/roles.js';
import { ROLES } from '../../tenant/admin-rights.js';

/**
 * Rights through Exchange's own RBAC on the app's service principal (learn.microsoft.com, app-only auth for
 * unattended scripts, "assign custom role groups to the application using service principals"):
 * New-ServicePrincipal, then Add-RoleGroupMember or New-ManagementRoleAssignment -App, each made idempotent by
 * looking first. No directory role: the app can run only its roles' cmdlets. Exchange adds rights up from
 * every source, so this limits anything only while the app holds no directory role.
 */

/** The common choices, least privilege first, with a one-line description each (for the wizard and --help). */
const COMMON_ROLE_GROUPS: { name: string; description: string }[] = [
  { name: 'View-Only Organization Management', description: 'read-only: configuration and recipients' },
  { name: 'Recipient Management', description: 'mailboxes, contacts and groups (no organisation settings)' },
  { name: 'Organization Management', description: 'everything in Exchange, like Exchange Administrator' },
];
const COMMON_ROLES: { name: string; description: string }[] = [
  { name: 'View-Only Configuration', description: 'read the organisation configuration' },
  { name: 'View-Only Recipients', description: 'read mailboxes and other recipients' },
  { name: 'Mail Recipients', description: 'manage existing mailboxes and contacts (can be scoped)' },
];

/** A read-only cmdlet each common choice allows (Get-AcceptedDomain is not in every role group). */
const READ_CMDLET: Record<string, string> = {
  'View-Only Organization Management': 'Get-AcceptedDomain',
  'Organization Management': 'Get-AcceptedDomain',
  'Recipient Management': 'Get-Recipient',
  'View-Only Configuration': 'Get-AcceptedDomain',
  'Organization Configuration': 'Get-AcceptedDomain',
  'View-Only Recipients': 'Get-Recipient',
  'Mail Recipients': 'Get-Recipient',
};

export const names = (r: ExchangeRbacRights) => [...(r.roleGroup ? [r.roleGroup] : []), ...(r.roles ?? [])];

async function held(
  on: RightsTarget,
  r: ExchangeRbacRights,
): Promise<{ sp: boolean; group: boolean; roles: string[]; assignments: string[] }> {
  const ex = await on.admin();
  const sp = await ex.run('Get-ServicePrincipal', { Identity: on.sp.appId });
  if (!sp.ok) return { sp: false, group: false, roles: [], assignments: [] };
  const group = r.roleGroup ? await ex.run('Get-RoleGroupMember', { Identity: r.roleGroup }) : undefined;
  if (group && !group.ok)
    throw failure(`Exchange has no role group '${r.roleGroup}'.`, {
      why: group.message,
      fix: 'Check the name (Get-RoleGroup in Exchange PowerShell), or create the custom role group first.',
    });
  const assigned = await ex.run('Get-ManagementRoleAssignment', { RoleAssignee: on.sp.id });
  const rows = assigned.ok ? assigned.rows : [];
  const mine = rows.filter((a) => !r.scope || a['CustomResourceScope'] === r.scope);
  return {
    sp: true,
    group: Boolean(
      group?.ok &&
      group.rows.some(
        (m) =>
          m['objectId'] === on.sp.id ||
          m['ObjectId'] === on.sp.id ||
          m['identity'] === on.sp.id ||
          m['Identity'] === on.sp.id,
      ),
    ),
    roles: mine.map((a) => String(a['Role'])),
    assignments: rows.map((a) => String(a['Name'])),
  };
}

/** The wizard's question: a common role group or role, least privilege first, or a custom role group. */
async function ask(prompt: Prompt): Promise<ExchangeRbacRights> {
  const pick = await prompt.select({
    name: 'exchangeRights',
    message: 'Which Exchange role group or role? (least privilege first)',
    default: `group:${COMMON_ROLE_GROUPS[0]?.name ?? ''}`,
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
    const name = await prompt.text({
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

const assignments = (r: ExchangeRbacRights) =>
  `New-ManagementRoleAssignment ${(r.roles ?? []).map((x) => `'${x}'`).join(', ')}` +
  (r.scope ? ` -CustomResourceScope '${r.scope}'` : '');

export const exchangeRbac: RightsStrategy<ExchangeRbacRights> = {
  kind: 'exchange-rbac',
  choice: {
    name: 'Exchange RBAC on the app',
    description: 'least privilege: only the cmdlets of the roles you choose; recommended for production',
  },
  ask,
  describe: (r) =>
    (r.roleGroup
      ? `Exchange role group '${r.roleGroup}'`
      : `Exchange management role${(r.roles ?? []).length > 1 ? 's' : ''} ` +
        (r.roles ?? []).map((x) => `'${x}'`).join(', ')) +
    `${r.scope ? ` in scope '${r.scope}'` : ''} (Exchange RBAC, no directory role)`,
  graphScopes: [],
  heldOutsideApp: true,
  adminNeeds: [
    {
      what: "assign Exchange roles to the app (Exchange's Role Management, held by Organization Management)",
      anyOf: [
        { id: ENTRA_ROLES.exchangeAdministrator.templateId, name: ENTRA_ROLES.exchangeAdministrator.name },
        ROLES.global,
      ],
    },
  ],
  async isHeld(on, r) {
    const h = await held(on, r);
    return h.sp && (!r.roleGroup || h.group) && (r.roles ?? []).every((x) => h.roles.includes(x));
  },
  async grant(ctx, on, r) {
    const ex = await on.admin();
    const before = await held(on, r);
    let changed = false;
    if (!before.sp) {
      const made = await ex.run('New-ServicePrincipal', {
        AppId: on.sp.appId,
        ObjectId: on.sp.id,
        DisplayName: on.sp.displayName,
      });
      if (!made.ok && !/already exists/i.test(made.message))
        throw failure(`Exchange could not register the app's service principal: ${made.message}`, {
          fix: 'Run the command again in a minute (Exchange may not see the new service principal yet).',
        });
      changed = true;
    }
    if (r.roleGroup && !before.group) {
      const added = await ex.run('Add-RoleGroupMember', { Identity: r.roleGroup, Member: on.sp.id });
      if (!added.ok && !/already a member/i.test(added.message))
        throw failure(`Exchange could not add the app to '${r.roleGroup}': ${added.message}`, {
          fix: 'Check the role group name, then run the command again.',
        });
      changed = true;
    }
    for (const role of (r.roles ?? []).filter((x) => !before.roles.includes(x))) {
      const made = await ex.run('New-ManagementRoleAssignment', {
        App: on.sp.id,
        Role: role,
        ...(r.scope ? { CustomResourceScope: r.scope } : {}),
      });
      if (!made.ok && !/already exists/i.test(made.message))
        throw failure(`Exchange could not assign '${role}' to the app: ${made.message}`, {
          fix: r.scope
            ? `Check the role name and that the management scope '${r.scope}' exists (Get-ManagementScope).`
            : 'Check the role name (Get-ManagementRole), then run the command again.',
        });
      changed = true;
    }
    // Read back: what Exchange now lists, not what the answers said.
    if (!(await exchangeRbac.isHeld(on, r)))
      throw failure(
        `Exchange does not list ${names(r).join(', ')} for the app after assigning ` +
          `${names(r).length > 1 ? 'them' : 'it'}.`,
        { fix: 'Run the command again: each step looks first and does only what is missing.' },
      );
    ctx.out.verbose(`Exchange RBAC for ${on.sp.id}: ${names(r).join(', ')}`);
    return changed ? 'created' : 'reused';
  },
  async revoke(ctx, on, r) {
    const ex = await on.admin();
    const h = await held(on, r);
    if (!h.sp) return;
    if (r.roleGroup && h.group)
      await ex.run('Remove-RoleGroupMember', { Identity: r.roleGroup, Member: on.sp.id });
    for (const name of h.assignments) await ex.run('Remove-ManagementRoleAssignment', { Identity: name });
    await ex.run('Remove-ServicePrincipal', { Identity: on.sp.id });
    const after = await ex.run('Get-ServicePrincipal', { Identity: on.sp.appId });
    if (after.ok)
      throw failure("Exchange still lists the app's service principal after removing it.", {
        fix: 'Remove it in Exchange PowerShell (Remove-ServicePrincipal), then run the command again.',
      });
    ctx.out.info(
      `${ctx.out.color.green('✔')} The app's Exchange service principal and its roles removed (read back: gone)`,
    );
  },
  plan: (r, isHeld) =>
    isHeld
      ? `reuse ${names(r).join(', ')} in Exchange`
      : `in Exchange, as the admin: New-ServicePrincipal for the app, then ` +
        `${r.roleGroup ? `Add-RoleGroupMember '${r.roleGroup}'` : assignments(r)} (each looked up first, then read back)`,
};

/** A read-only cmdlet these Exchange roles allow: what verification and check run. */
export const rbacReadCmdlet = (r: ExchangeRbacRights): string =>
  READ_CMDLET[names(r)[0] ?? ''] ?? 'Get-AcceptedDomain';
