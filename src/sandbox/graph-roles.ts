/**
 * Graph's directory role definitions (https://learn.microsoft.com/graph/api/rbacapplication-list-roledefinitions):
 * `GET /v1.0/roleManagement/directory/roleDefinitions[?$filter=displayName eq '…' | templateId eq '…']` and
 * `GET /v1.0/roleManagement/directory/roleDefinitions/{id}`, for the built-in roles the sandbox knows
 * (microsoft-ids.ts ROLE; for built-in roles the definition id is the template id). A client finds a role
 * without a published template id (Teams Reader) by its displayName here.
 */
import type { SbRequest, SbResponse } from './http-util.js';
import { type Caller, allowed, denied, notFound, badRequest } from './graph-access.js';
import type { Directory } from './directory.js';
import { ROLE, ROLE_DISPLAY_NAMES } from './microsoft-ids.js';
import { parseFilter, select } from './graph-views.js';

const READ_ROLES = {
  delegated: ['RoleManagement.Read.Directory', 'RoleManagement.ReadWrite.Directory', 'Directory.Read.All'],
  application: ['RoleManagement.Read.Directory', 'RoleManagement.ReadWrite.Directory', 'Directory.Read.All'],
};

function definitions(): Record<string, unknown>[] {
  return (Object.keys(ROLE) as (keyof typeof ROLE)[]).map((k) => ({
    id: ROLE[k],
    templateId: ROLE[k],
    displayName: ROLE_DISPLAY_NAMES[k],
    isBuiltIn: true,
    isEnabled: true,
  }));
}

export function handleRoleDefinitions(
  c: { dir: Directory; caller: Caller; req: SbRequest; ctx: (p: string) => string },
  route: string,
): SbResponse | undefined {
  const m = /^\/roleManagement\/directory\/roleDefinitions(?:\/([^/]+))?$/.exec(route);
  if (!m || c.req.method !== 'GET') return undefined;
  if (!allowed(c.dir, c.caller, READ_ROLES)) return denied();
  const q = c.req.url.searchParams;
  if (m[1]) {
    const d = definitions().find((x) => x['id'] === m[1]);
    return d
      ? {
          status: 200,
          body: {
            '@odata.context': c.ctx('roleManagement/directory/roleDefinitions/$entity'),
            ...select(d, q.get('$select')),
          },
        }
      : notFound(m[1]);
  }
  const f = parseFilter(q.get('$filter'));
  if (f === 'invalid') return badRequest(`Invalid filter clause: ${q.get('$filter') ?? ''}`);
  const value = definitions()
    .filter((d) => (f ?? []).every((x) => String(d[x.prop]).toLowerCase() === x.value.toLowerCase()))
    .map((d) => select(d, q.get('$select')));
  return {
    status: 200,
    body: { '@odata.context': c.ctx('roleManagement/directory/roleDefinitions'), value },
  };
}
