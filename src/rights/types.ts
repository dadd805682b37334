/**
 * How the app holds its Exchange rights: a tagged value, stored as such in the profile. Each kind has one
 * strategy module beside this file (directory-role.ts, exchange-rbac.ts; the interface is in strategy.ts);
 * adding a way of granting rights adds a kind here and a module there.
 */
export type Rights = DirectoryRoleRights | ExchangeRbacRights;

/** An Entra directory role that Exchange Online accepts for app-only access. */
export interface DirectoryRoleRights {
  kind: 'directory-role';
  templateId: string;
  /** The role's display name, for people reading the profile. */
  name: string;
}

/**
 * Exchange RBAC on the app's service principal (no directory role): a role group (built-in or custom), or
 * management roles, optionally limited to a management scope. The app can then run only those cmdlets.
 */
export interface ExchangeRbacRights {
  kind: 'exchange-rbac';
  roleGroup?: string;
  roles?: string[];
  /** A management scope (New-ManagementScope) the role assignments are limited to. */
  scope?: string;
}
