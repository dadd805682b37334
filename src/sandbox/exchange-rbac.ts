import { randomUUID } from 'node:crypto';
import type { Directory } from './directory.js';
import { ROLE } from './microsoft-ids.js';

/**
 * Exchange Online's own RBAC, as far as exo-cba and its tests touch it (learn.microsoft.com: "Permissions in
 * Exchange Online", built-in role groups and management roles; app-only access for unattended scripts:
 * "assign custom role groups to the application using service principals"). The table is small on purpose:
 * the cmdlets exo-cba runs, and a few a job would, each allowed by the roles that include it.
 */

/** Management roles → the cmdlets (of the ones the sandbox answers) each allows. */
const MANAGEMENT_ROLES: Record<string, string[]> = {
  'View-Only Configuration': ['get-accepteddomain', 'get-organizationconfig'],
  'View-Only Recipients': ['get-recipient', 'get-mailbox'],
  'Mail Recipients': ['get-recipient', 'get-mailbox', 'set-mailbox'],
  'Organization Configuration': ['get-accepteddomain', 'get-organizationconfig', 'set-organizationconfig'],
  'Role Management': [
    'get-servicePrincipal',
    'new-serviceprincipal',
    'remove-serviceprincipal',
    'add-rolegroupmember',
    'get-rolegroupmember',
    'remove-rolegroupmember',
    'new-managementroleassignment',
    'get-managementroleassignment',
    'remove-managementroleassignment',
  ].map((c) => c.toLowerCase()),
};

/** Built-in role groups → their roles. */
const ROLE_GROUPS: Record<string, string[]> = {
  'Organization Management': Object.keys(MANAGEMENT_ROLES),
  'View-Only Organization Management': ['View-Only Configuration', 'View-Only Recipients'],
  'Recipient Management': ['Mail Recipients'],
  'Help Desk': ['View-Only Recipients'],
};

/** What an Entra directory role gives in Exchange (the Exchange-capable ones; others give nothing). */
const DIRECTORY_ROLE_GROUPS: Record<string, string[]> = {
  [ROLE.globalAdministrator]: ['Organization Management'],
  [ROLE.exchangeAdministrator]: ['Organization Management'],
  [ROLE.exchangeRecipientAdministrator]: ['Recipient Management'],
  [ROLE.globalReader]: ['View-Only Organization Management'],
  [ROLE.securityReader]: ['View-Only Organization Management'],
  [ROLE.securityAdministrator]: ['View-Only Organization Management'],
  [ROLE.complianceAdministrator]: ['View-Only Organization Management'],
  [ROLE.helpdeskAdministrator]: ['Help Desk'],
};

interface ExoServicePrincipal {
  identity: string;
  appId: string;
  objectId: string;
  displayName: string;
}
interface ExoRoleAssignment {
  name: string;
  role: string;
  app: string;
  customResourceScope?: string;
}
export interface ExchangeRbacData {
  servicePrincipals: ExoServicePrincipal[];
  roleGroupMembers: Record<string, string[]>;
  roleAssignments: ExoRoleAssignment[];
  managementScopes: string[];
}

export function rbacOf(dir: Directory): ExchangeRbacData {
  const d = dir.data as typeof dir.data & { exchange?: ExchangeRbacData };
  d.exchange ??= {
    servicePrincipals: [],
    roleGroupMembers: {},
    roleAssignments: [],
    managementScopes: ['Sandbox Sales Recipients'],
  };
  return d.exchange;
}

/** The cmdlets a principal may run: through its directory roles, and (for an app) its Exchange service principal's role groups and roles. */
export function allowedCmdlets(dir: Directory, principalObjectId: string): Set<string> {
  const rbac = rbacOf(dir);
  const groups = dir.roleTemplatesOf(principalObjectId).flatMap((id) => DIRECTORY_ROLE_GROUPS[id] ?? []);
  const sp = rbac.servicePrincipals.find((s) => s.objectId === principalObjectId);
  if (sp)
    groups.push(
      ...Object.entries(rbac.roleGroupMembers)
        .filter(([, m]) => m.includes(sp.objectId))
        .map(([g]) => g),
    );
  const roles = [
    ...groups.flatMap((g) => ROLE_GROUPS[g] ?? []),
    ...(sp ? rbac.roleAssignments.filter((a) => a.app === sp.objectId).map((a) => a.role) : []),
  ];
  return new Set(roles.flatMap((r) => MANAGEMENT_ROLES[r] ?? []));
}

/** Whether the principal holds anything at all in Exchange (else Exchange refuses it before any cmdlet). */
export function holdsAnything(dir: Directory, principalObjectId: string): boolean {
  return allowedCmdlets(dir, principalObjectId).size > 0;
}

type Params = Record<string, unknown>;
export type CmdletResult = { ok: true; value: unknown[] } | { ok: false; message: string };

const str = (p: Params, k: string) => (typeof p[k] === 'string' ? p[k] : undefined);

/** The RBAC cmdlets, as Exchange answers them (an object that does not exist, or exists already, is an error). */
export function runRbacCmdlet(dir: Directory, name: string, p: Params): CmdletResult | undefined {
  const rbac = rbacOf(dir);
  const spBy = (id: string | undefined) =>
    rbac.servicePrincipals.find(
      (s) => id && (s.identity === id || s.appId === id || s.objectId === id || s.displayName === id),
    );
  switch (name) {
    case 'new-serviceprincipal': {
      const appId = str(p, 'AppId');
      const objectId = str(p, 'ObjectId');
      if (!appId || !objectId)
        return { ok: false, message: 'New-ServicePrincipal needs -AppId and -ObjectId.' };
      if (!dir.data.servicePrincipals.some((s) => s.id === objectId && s.appId === appId))
        return {
          ok: false,
          message:
            `The service principal with ObjectId '${objectId}' and AppId '${appId}' was not ` +
            `found in Microsoft Entra ID.`,
        };
      if (spBy(appId) || spBy(objectId))
        return { ok: false, message: `A service principal with AppId '${appId}' already exists.` };
      const sp = { identity: objectId, appId, objectId, displayName: str(p, 'DisplayName') ?? appId };
      rbac.servicePrincipals.push(sp);
      return { ok: true, value: [sp] };
    }
    case 'get-serviceprincipal': {
      const id = str(p, 'Identity');
      if (!id) return { ok: true, value: rbac.servicePrincipals };
      const sp = spBy(id);
      return sp
        ? { ok: true, value: [sp] }
        : {
            ok: false,
            message: `The operation couldn't be performed because object '${id}' couldn't be found.`,
          };
    }
    case 'remove-serviceprincipal': {
      const sp = spBy(str(p, 'Identity'));
      if (!sp)
        return {
          ok: false,
          message:
            `The operation couldn't be performed because object ` +
            `'${str(p, 'Identity') ?? ''}' couldn't be found.`,
        };
      rbac.servicePrincipals = rbac.servicePrincipals.filter((s) => s !== sp);
      for (const g of Object.keys(rbac.roleGroupMembers))
        rbac.roleGroupMembers[g] = rbac.roleGroupMembers[g]!.filter((m) => m !== sp.objectId);
      rbac.roleAssignments = rbac.roleAssignments.filter((a) => a.app !== sp.objectId);
      return { ok: true, value: [] };
    }
    case 'add-rolegroupmember':
    case 'remove-rolegroupmember':
    case 'get-rolegroupmember': {
      const group = str(p, 'Identity');
      if (!group || !ROLE_GROUPS[group])
        return {
          ok: false,
          message: `The operation couldn't be performed because object '${group ?? ''}' couldn't be found.`,
        };
      const members = (rbac.roleGroupMembers[group] ??= []);
      if (name === 'get-rolegroupmember')
        return { ok: true, value: members.map((m) => spBy(m) ?? { identity: m }) };
      const sp = spBy(str(p, 'Member'));
      if (!sp)
        return {
          ok: false,
          message: `The operation couldn't be performed because object '${str(p, 'Member') ?? ''}' couldn't be found.`,
        };
      if (name === 'add-rolegroupmember') {
        if (members.includes(sp.objectId))
          return {
            ok: false,
            message: `The recipient "${sp.objectId}" is already a member of the group "${group}".`,
          };
        members.push(sp.objectId);
      } else {
        if (!members.includes(sp.objectId))
          return {
            ok: false,
            message: `The recipient "${sp.objectId}" isn't a member of the group "${group}".`,
          };
        rbac.roleGroupMembers[group] = members.filter((m) => m !== sp.objectId);
      }
      return { ok: true, value: [] };
    }
    case 'new-managementroleassignment': {
      const sp = spBy(str(p, 'App'));
      const role = str(p, 'Role');
      if (!sp)
        return {
          ok: false,
          message: `The operation couldn't be performed because object '${str(p, 'App') ?? ''}' couldn't be found.`,
        };
      if (!role || !MANAGEMENT_ROLES[role])
        return {
          ok: false,
          message: `The operation couldn't be performed because object '${role ?? ''}' couldn't be found.`,
        };
      const scope = str(p, 'CustomResourceScope');
      if (scope && !rbac.managementScopes.includes(scope))
        return { ok: false, message: `The management scope "${scope}" couldn't be found.` };
      if (
        rbac.roleAssignments.some(
          (a) => a.app === sp.objectId && a.role === role && a.customResourceScope === scope,
        )
      )
        return {
          ok: false,
          message: `The role assignment already exists for "${sp.objectId}" and role "${role}".`,
        };
      const a = {
        name: `${role}-${randomUUID().slice(0, 8)}`,
        role,
        app: sp.objectId,
        ...(scope ? { customResourceScope: scope } : {}),
      };
      rbac.roleAssignments.push(a);
      return {
        ok: true,
        value: [{ Name: a.name, Role: role, RoleAssignee: sp.objectId, CustomResourceScope: scope ?? null }],
      };
    }
    case 'get-managementroleassignment': {
      const assignee = str(p, 'RoleAssignee');
      const sp = assignee ? spBy(assignee) : undefined;
      const list = rbac.roleAssignments.filter((a) => !assignee || a.app === (sp?.objectId ?? assignee));
      return {
        ok: true,
        value: list.map((a) => ({
          Name: a.name,
          Role: a.role,
          RoleAssignee: a.app,
          CustomResourceScope: a.customResourceScope ?? null,
        })),
      };
    }
    case 'remove-managementroleassignment': {
      const id = str(p, 'Identity');
      const before = rbac.roleAssignments.length;
      rbac.roleAssignments = rbac.roleAssignments.filter((a) => a.name !== id);
      return before === rbac.roleAssignments.length
        ? {
            ok: false,
            message: `The operation couldn't be performed because object '${id ?? ''}' couldn't be found.`,
          }
        : { ok: true, value: [] };
    }
    default:
      return undefined;
  }
}
