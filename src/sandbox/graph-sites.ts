/**
 * Graph's SharePoint sites and their application permissions (Sites.Selected grants), served on the Graph
 * origin (EXO_CBA_GRAPH_ENDPOINT):
 * - `GET /v1.0/sites/{hostname}` (the root site), `GET /v1.0/sites/{hostname}:/{server-relative path}[:]`,
 *   `GET /v1.0/sites/{site-id}` (https://learn.microsoft.com/graph/api/site-get);
 * - `GET|POST /v1.0/sites/{site-id}/permissions`, `GET|DELETE /v1.0/sites/{site-id}/permissions/{id}`
 *   (https://learn.microsoft.com/graph/api/site-post-permissions and siblings): Sites.FullControl.All, delegated
 *   (the signed-in user holding SharePoint Administrator or higher, evaluated at call time) or application.
 * SharePoint-backed Graph errors use the codes `accessDenied`, `itemNotFound`, `invalidRequest`
 * (https://learn.microsoft.com/graph/errors). A new grant reaches reads and SharePoint after the replication delay.
 */
import type { Directory, Site, SitePermission } from './directory.js';
import { type SbRequest, type SbResponse, graphError, jsonOf } from './http-util.js';
import type { Caller } from './graph-access.js';
import { SHAREPOINT_ADMIN_ROLES } from './microsoft-ids.js';
import { sharePointHostOf } from './workload-seed.js';

const SITE_READ = ['Sites.Read.All', 'Sites.ReadWrite.All', 'Sites.Manage.All', 'Sites.FullControl.All'];
const SITE_ROLES = ['read', 'write', 'owner', 'fullcontrol'];

const accessDenied = () => graphError(403, 'accessDenied', 'Access denied');
const siteNotFound = () => graphError(404, 'itemNotFound', 'Requested site could not be found');
const invalidRequest = (message: string) => graphError(400, 'invalidRequest', message);

/** Whether a replicated Sites.Selected grant gives this app the site. */
export function grantedSite(dir: Directory, siteId: string, appId: string): boolean {
  return (dir.data.sitePermissions ?? []).some(
    (p) => p.siteId === siteId && p.appId === appId && dir.visible(p),
  );
}

export interface SitesContext {
  dir: Directory;
  caller: Caller;
  req: SbRequest;
  ctx: (path: string) => string;
}

function findSite(dir: Directory, ref: string): Site | undefined {
  const sites = dir.data.sites ?? [];
  const host = sharePointHostOf(dir.data).toLowerCase();
  if (ref.includes(',')) return sites.find((s) => s.id.toLowerCase() === ref.toLowerCase());
  if (ref === 'root') return sites.find((s) => s.path === '');
  const m = /^([^:]+)(?::(\/[^:]*):?)?$/.exec(ref);
  if (!m || (m[1] ?? '').toLowerCase() !== host) return undefined;
  const path = (m[2] ?? '').replace(/\/+$/, '').toLowerCase();
  return sites.find((s) => s.path.toLowerCase() === path);
}

function siteView(dir: Directory, s: Site): Record<string, unknown> {
  const host = sharePointHostOf(dir.data);
  return {
    id: s.id,
    name: s.path === '' ? '' : s.path.split('/').pop(),
    displayName: s.displayName,
    webUrl: `https://${host}${s.path}`,
    createdDateTime: s.createdDateTime,
    siteCollection: { hostname: host },
  };
}

function permissionView(p: SitePermission): Record<string, unknown> {
  const identity = [{ application: { id: p.appId, displayName: p.appDisplayName } }];
  return { id: p.id, roles: p.roles, grantedToIdentitiesV2: identity, grantedToIdentities: identity };
}

function mayReadSite(c: SitesContext, site: Site): boolean {
  const { caller } = c;
  if (caller.kind === 'user') return SITE_READ.some((s) => caller.scopes.has(s));
  if (SITE_READ.some((r) => caller.roles.has(r))) return true;
  return caller.roles.has('Sites.Selected') && grantedSite(c.dir, site.id, caller.appId);
}

function mayManagePermissions(c: SitesContext): boolean {
  const { caller } = c;
  if (caller.kind === 'app') return caller.roles.has('Sites.FullControl.All');
  if (!caller.scopes.has('Sites.FullControl.All')) return false;
  const roles = c.dir.roleTemplatesOf(caller.id);
  return SHAREPOINT_ADMIN_ROLES.some((r) => roles.includes(r));
}

/** The answer to a `/sites…` route, or undefined when the route is not one of these. */
export function handleSites(c: SitesContext, route: string): SbResponse | undefined {
  const m = /^\/sites\/([^/:]+:\/[^:]*(?::|$)|[^/]+)(\/permissions(?:\/([^/]+))?)?$/.exec(route);
  if (!m) return undefined;
  const site = findSite(c.dir, m[1] ?? '');
  if (!m[2]) {
    if (c.req.method !== 'GET') return undefined;
    if (!site) return siteNotFound();
    if (!mayReadSite(c, site)) return accessDenied();
    return { status: 200, body: { '@odata.context': c.ctx('sites/$entity'), ...siteView(c.dir, site) } };
  }
  if (!mayManagePermissions(c)) return accessDenied();
  if (!site) return siteNotFound();
  return m[3] ? onePermission(c, site, m[3]) : permissions(c, site);
}

function permissions(c: SitesContext, site: Site): SbResponse | undefined {
  const all = (c.dir.data.sitePermissions ??= []);
  if (c.req.method === 'GET') {
    const value = all.filter((p) => p.siteId === site.id && c.dir.visible(p)).map(permissionView);
    return { status: 200, body: { '@odata.context': c.ctx(`sites('${site.id}')/permissions`), value } };
  }
  if (c.req.method !== 'POST') return undefined;
  const b = jsonOf(c.req) as Record<string, unknown> | symbol | null;
  if (typeof b !== 'object' || b === null) return invalidRequest('Invalid request');
  const roles = b['roles'];
  if (!Array.isArray(roles) || roles.length === 0 || !roles.every((r) => SITE_ROLES.includes(String(r))))
    return invalidRequest(`Invalid value for roles: use one or more of ${SITE_ROLES.join(', ')}.`);
  const ids = b['grantedToIdentitiesV2'] ?? b['grantedToIdentities'];
  const app = Array.isArray(ids)
    ? (ids[0] as { application?: { id?: unknown; displayName?: unknown } } | undefined)?.application
    : undefined;
  if (!app || typeof app.id !== 'string' || !Array.isArray(ids) || ids.length !== 1)
    return invalidRequest('Exactly one application identity must be given in grantedToIdentities.');
  if (!c.dir.appByAppId(app.id) && !c.dir.spByAppId(app.id))
    return invalidRequest(`The application '${app.id}' was not found in the tenant.`);
  // The permission's id names the app's SharePoint identity, so a second grant for the app is the same one.
  const id = Buffer.from(`i:0i.t|ms.sp.ext|${app.id}@${c.dir.tenant.id}`).toString('base64');
  let p = all.find((x) => x.siteId === site.id && x.id === id);
  if (p) p.roles = roles.map(String);
  else {
    p = {
      id,
      siteId: site.id,
      appId: app.id,
      appDisplayName: typeof app.displayName === 'string' ? app.displayName : '',
      roles: roles.map(String),
      visibleAt: c.dir.stamp(),
    };
    all.push(p);
  }
  return {
    status: 201,
    body: { '@odata.context': c.ctx(`sites('${site.id}')/permissions/$entity`), ...permissionView(p) },
  };
}

function onePermission(c: SitesContext, site: Site, id: string): SbResponse | undefined {
  const all = (c.dir.data.sitePermissions ??= []);
  const p = all.find((x) => x.siteId === site.id && x.id === id && c.dir.visible(x));
  const notFound = () => graphError(404, 'itemNotFound', 'Item not found');
  if (c.req.method === 'GET')
    return p
      ? {
          status: 200,
          body: { '@odata.context': c.ctx(`sites('${site.id}')/permissions/$entity`), ...permissionView(p) },
        }
      : notFound();
  if (c.req.method !== 'DELETE') return undefined;
  if (!p) return notFound();
  c.dir.data.sitePermissions = all.filter((x) => x !== p);
  return { status: 204 };
}
