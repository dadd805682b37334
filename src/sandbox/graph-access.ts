import type { Directory } from './directory.js';
import { type SbRequest, type SbResponse, bearer, graphError } from './http-util.js';
import type { TokenService } from './tokens.js';
import { ROLE } from './microsoft-ids.js';

/** Who is calling Graph and whether the call is allowed: Graph's permission checks (scopes, app roles, directory roles evaluated at call time). */

export type Caller =
  | { kind: 'user'; id: string; scopes: Set<string>; wids: string[] }
  | { kind: 'app'; appId: string; spId: string; roles: Set<string> };

export interface Need {
  delegated: string[];
  application: string[];
  /** Directory roles a signed-in user needs for the write (any of). */
  adminRoles?: string[];
  /** An app may call this on its own application object with no permission (addKey/removeKey). */
  self?: string;
}

export const APP_WRITERS = [
  ROLE.globalAdministrator,
  ROLE.applicationAdministrator,
  ROLE.cloudApplicationAdministrator,
];
export const ROLE_WRITERS = [ROLE.globalAdministrator, ROLE.privilegedRoleAdministrator];
export const READ_APPS: Need = {
  delegated: ['Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All'],
  application: ['Application.Read.All', 'Application.ReadWrite.All'],
};
export const WRITE_APPS: Need = {
  delegated: ['Application.ReadWrite.All'],
  application: ['Application.ReadWrite.All'],
  adminRoles: APP_WRITERS,
};

export const denied = () =>
  graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
export const notFound = (id: string) =>
  graphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
export const badRequest = (message: string, details?: { code: string; message: string; target?: string }[]) =>
  graphError(400, 'Request_BadRequest', message, details ? { details } : {});

export async function callerOf(
  req: SbRequest,
  tokens: TokenService,
  resources: string[],
): Promise<Caller | SbResponse> {
  const token = bearer(req);
  if (!token) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
  const v = await tokens.verify(token, resources);
  if (!v.ok)
    return graphError(401, 'InvalidAuthenticationToken', `Access token validation failure. ${v.reason}`);
  const c = v.claims;
  if (c['idtyp'] === 'app') {
    return {
      kind: 'app',
      appId: String(c['appid']),
      spId: String(c['oid']),
      roles: new Set((c['roles'] as string[] | undefined) ?? []),
    };
  }
  return {
    kind: 'user',
    id: String(c['oid']),
    scopes: new Set((typeof c['scp'] === 'string' ? c['scp'] : '').split(' ').filter(Boolean)),
    wids: (c['wids'] as string[] | undefined) ?? [],
  };
}

export function allowed(dir: Directory, caller: Caller, need: Need): boolean {
  if (caller.kind === 'app') {
    if (need.self && dir.app(need.self)?.appId === caller.appId) return true;
    return need.application.some((r) => caller.roles.has(r));
  }
  if (!need.delegated.some((s) => caller.scopes.has(s))) return false;
  // Roles are read live, as Entra evaluates them at call time.
  const roles = dir.roleTemplatesOf(caller.id);
  return !need.adminRoles || need.adminRoles.some((r) => roles.includes(r));
}
