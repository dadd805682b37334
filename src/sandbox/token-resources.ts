import type { Directory, ServicePrincipal } from './directory.js';
import { SPO_APP_ID } from './microsoft-ids.js';

/**
 * Which resource service principal a requested resource identifier names, and the `aud` Entra puts in the
 * token for it. The one place the token service maps resources to audiences: a new resource or audience rule
 * (a workload, a federated or managed identity) is a line here.
 *
 * - An exact service principal name (`https://graph.microsoft.com`, `https://ps.compliance.protection.outlook.com`,
 *   an appId such as `48ac35b8-…`): that principal; a URI is its own audience, an appId gives the principal's
 *   first name.
 * - Any `https://<name>.sharepoint.com` or `https://<name>-admin.sharepoint.com`: Office 365 SharePoint Online,
 *   whose names cover every SharePoint host (`00000003-0000-0ff1-ce00-000000000000/*.sharepoint.com`); the
 *   audience is the host asked for, so a token for another tenant's host is issued and refused by SharePoint.
 */
export function resolveTokenResource(
  dir: Directory,
  resourceId: string,
): { sp: ServicePrincipal; audience: string } | undefined {
  const id = resourceId.replace(/\/+$/, '');
  const audienceOf = (sp: ServicePrincipal) =>
    id.startsWith('https://') ? id : (sp.servicePrincipalNames[0] ?? id);
  const exact = dir.spByResource(id);
  if (exact) return { sp: exact, audience: audienceOf(exact) };
  if (/^https:\/\/[a-z0-9-]+\.sharepoint\.com$/i.test(id)) {
    const spo = dir.spByAppId(SPO_APP_ID);
    if (spo) return { sp: spo, audience: id.toLowerCase() };
  }
  return undefined;
}
