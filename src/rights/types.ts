/**
 * How the app holds its Exchange rights: a tagged value, stored as such in the profile. Each kind has one
 * strategy module beside this file (directory-role.ts); adding a way of granting rights adds a kind here
 * and a module there.
 */
export type Rights = DirectoryRoleRights;

/** An Entra directory role that Exchange Online accepts for app-only access. */
export interface DirectoryRoleRights {
  kind: 'directory-role';
  templateId: string;
  /** The role's display name, for people reading the profile. */
  name: string;
}
