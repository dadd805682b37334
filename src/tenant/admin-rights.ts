import {
  APPLICATION_ADMIN_TEMPLATE_ID,
  CLOUD_APPLICATION_ADMIN_TEMPLATE_ID,
  GLOBAL_ADMIN_TEMPLATE_ID,
  PRIVILEGED_ROLE_ADMIN_TEMPLATE_ID,
} from './entra.js';
import { ENTRA_ROLES, knownRoleName } from '../rights/roles.js';

/**
 * What the signed-in admin must hold for a run, checked before the first write (from the `wids` claim of
 * the admin's token: active roles, PIM activations and role-assignable groups included), so that a run does
 * not create an app and then stop at a step the admin may not do.
 */

interface AdminRole {
  id: string;
  name: string;
}

export const ROLES = {
  global: { id: GLOBAL_ADMIN_TEMPLATE_ID, name: 'Global Administrator' },
  privilegedRole: { id: PRIVILEGED_ROLE_ADMIN_TEMPLATE_ID, name: 'Privileged Role Administrator' },
  application: { id: APPLICATION_ADMIN_TEMPLATE_ID, name: 'Application Administrator' },
  cloudApplication: { id: CLOUD_APPLICATION_ADMIN_TEMPLATE_ID, name: 'Cloud Application Administrator' },
} as const;

export interface AdminNeed {
  /** What the run does that needs it, in the admin's words. */
  what: string;
  anyOf: AdminRole[];
}

/**
 * Registering the app and changing its keys, and consenting its application permissions (Entra built-in roles
 * reference).
 */
export const appNeeds = (permissions: string): AdminNeed[] => [
  {
    what: 'register the app and upload its certificate',
    anyOf: [ROLES.application, ROLES.cloudApplication, ROLES.global],
  },
  {
    what: `grant ${permissions} (admin consent)`,
    anyOf: [ROLES.application, ROLES.cloudApplication, ROLES.privilegedRole, ROLES.global],
  },
];

/** Built-in roles whose rights exo-cba knows; any other role (a custom one) might grant what is missing. */
const KNOWN = new Set<string>([
  ...Object.values(ROLES).map((r) => r.id),
  ...Object.values(ENTRA_ROLES).map((r) => r.templateId),
]);

export type RightsCheck =
  | { verdict: 'enough'; held: string[] }
  | { verdict: 'missing'; missing: AdminNeed[]; held: string[] }
  /** The token carries no roles claim, or roles exo-cba cannot judge: the run goes on and Graph decides. */
  | { verdict: 'unknown'; why: string };

export function checkAdminRights(active: string[] | undefined, needs: AdminNeed[]): RightsCheck {
  if (!active) return { verdict: 'unknown', why: "the sign-in token does not list the admin's roles" };
  const held = active.map(
    (id) => Object.values(ROLES).find((r) => r.id === id)?.name ?? knownRoleName(id) ?? id,
  );
  const missing = needs.filter((n) => !n.anyOf.some((r) => active.includes(r.id)));
  if (!missing.length) return { verdict: 'enough', held };
  if (active.some((id) => !KNOWN.has(id)))
    return {
      verdict: 'unknown',
      why: 'the admin holds roles exo-cba cannot judge (custom roles may grant what is needed)',
    };
  return { verdict: 'missing', missing, held };
}
