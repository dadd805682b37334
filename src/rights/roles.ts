import { usageError } from '../core/errors.js';

/**
 * The Entra built-in directory roles exo-cba names, once: template ids are stable across tenants (Entra
 * built-in roles reference,
 * https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference).
 * Which workload accepts which role, and what for, is each workload's own list (workloads/<name>/).
 */

export interface EntraRole {
  /** What --role takes: the name in kebab case. */
  key: string;
  name: string;
  templateId: string;
}

const role = (name: string, templateId: string): EntraRole => ({
  key: name.toLowerCase().replace(/ /g, '-'),
  name,
  templateId,
});

export const ENTRA_ROLES = {
  securityReader: role('Security Reader', '5d6b6bb7-de71-4623-b4af-96380a352509'),
  globalReader: role('Global Reader', 'f2ef992c-3afb-46b9-b7cf-a126ee74c451'),
  exchangeRecipientAdministrator: role(
    'Exchange Recipient Administrator',
    '31392ffb-586c-42d1-9346-e59415a2cc4e',
  ),
  helpdeskAdministrator: role('Helpdesk Administrator', '729827e3-9c14-49f7-bb1b-9608f156bbb8'),
  complianceAdministrator: role('Compliance Administrator', '17315797-102d-40b4-93e0-432062caca18'),
  securityAdministrator: role('Security Administrator', '194ae4cb-b126-40b2-bd5b-6091b380977d'),
  exchangeAdministrator: role('Exchange Administrator', '29232cdf-9323-42fd-ade2-1d097af3e4de'),
  teamsCommunicationsAdministrator: role(
    'Teams Communications Administrator',
    'baf37b3a-610e-45da-9e62-d9d1e5e8914b',
  ),
  skypeForBusinessAdministrator: role(
    'Skype for Business Administrator',
    '75941009-915a-4869-abe7-691bff18279e',
  ),
  teamsAdministrator: role('Teams Administrator', '69091246-20e8-4a56-aa4d-066075b2a7a8'),
  globalAdministrator: role('Global Administrator', '62e90394-69f5-4237-9190-012177145e10'),
} as const;

/** A role as a workload offers it: the Entra role, and what it is for in that workload. */
export interface DirectoryRole extends EntraRole {
  description: string;
}

/** The roles a workload accepts for app-only access (least privilege first), and the ones it does not. */
export interface RoleChoice {
  accepted: readonly DirectoryRole[];
  /** The key init uses when --role is not given. */
  defaultKey: string;
  /** Roles admins reach for that this workload does not accept: --role with one is a usage error. */
  notServing: readonly EntraRole[];
}

const matches = (r: EntraRole, input: string) => {
  const wanted = input.trim().toLowerCase();
  return r.key === wanted || r.name.toLowerCase() === wanted || r.templateId === wanted;
};

/** Accepts a key (exchange-administrator), a display name (any case) or a template id. */
export function findRole(choice: RoleChoice, input: string): DirectoryRole | undefined {
  return choice.accepted.find((r) => matches(r, input));
}

export function roleByTemplateId(choice: RoleChoice, id: string): DirectoryRole | undefined {
  return choice.accepted.find((r) => r.templateId === id);
}

/** Every role exo-cba knows by name, whatever the workload (for messages about held roles). */
export function knownRoleName(id: string): string | undefined {
  return Object.values(ENTRA_ROLES).find((r) => r.templateId === id)?.name;
}

/** A --role value for a workload: one it accepts, or a usage error that says why not and what to use. */
export function parseRole(choice: RoleChoice, service: string, value: string): DirectoryRole {
  const found = findRole(choice, value);
  if (found) return found;
  const keys = choice.accepted.map((r) => r.key).join(', ');
  const other = choice.notServing.find((r) => matches(r, value));
  if (other)
    throw usageError(
      `${other.name} does not serve ${service}: ${service} does not accept it for app-only access.`,
      `Use one of: ${keys}.`,
      "Microsoft's app-only article lists the roles each workload accepts; an app with another role is refused.",
      'EXO-ROLE-NOT-SERVING',
    );
  throw usageError(
    `'${value}' is not a directory role ${service} accepts for app-only access.`,
    `Use one of: ${keys}.`,
    undefined,
    'EXO-ROLE-NOT-SERVING',
  );
}
