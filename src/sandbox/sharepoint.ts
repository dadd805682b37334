/**
 * SharePoint Online REST for the tenant's host (`https://<name>.sharepoint.com`; a client points at the
 * sandbox's with EXO_CBA_SHAREPOINT_ENDPOINT, while the token's audience stays the real host name):
 * `GET {site}/_api/web` for the root site (`/_api/web`) and every seeded site (`/sites/hr/_api/web`, …),
 * answered in `odata=nometadata` JSON.
 *
 * It answers only an app-only token whose audience is this tenant's SharePoint host, obtained with a
 * certificate (`appidacr` 2), and whose `roles` (SharePoint Online's app roles, not Graph's) allow the site:
 * Sites.FullControl.All and Sites.Read.All every site, Sites.Selected only the sites granted to the app
 * (Graph `POST /sites/{id}/permissions`, replicated). Refusals, in SharePoint's shapes (field-errors-workloads.ts):
 * bad signature or expiry 401 "Invalid issuer or signature.", another audience 401 "Invalid audience Uri '…'.",
 * a client-secret token 401 "Unsupported app only token.", no SharePoint role (e.g. the Graph twin granted
 * instead) or Sites.Selected without a grant 403 "Access denied." (odata.error).
 */
import type { Directory, Site } from './directory.js';
import type { TokenService } from './tokens.js';
import { type SbRequest, type SbResponse, bearer } from './http-util.js';
import { SPO_APP_ID } from './microsoft-ids.js';
import { fieldError } from './field-errors.js';
import { sharePointHostOf } from './workload-seed.js';
import { grantedSite } from './graph-sites.js';

const SPO_ROLES_ALL_SITES = [
  'Sites.FullControl.All',
  'Sites.Read.All',
  'Sites.Manage.All',
  'Sites.ReadWrite.All',
];

export class SharePointService {
  constructor(
    private readonly dir: Directory,
    private readonly tokens: TokenService,
  ) {}

  private host(): string {
    return sharePointHostOf(this.dir.data);
  }

  private withChallenge(r: SbResponse): SbResponse {
    const challenge =
      `Bearer realm="${this.dir.tenant.id}",client_id="${SPO_APP_ID}",` +
      'trusted_issuers="00000001-0000-0000-c000-000000000000@*,https://sts.windows.net/*/,' +
      'https://login.microsoftonline.com/*/v2.0",authorization_uri="https://login.windows.net/common/oauth2/authorize"';
    return { ...r, headers: { ...r.headers, 'www-authenticate': challenge } };
  }

  /** The token's verdict for a site: undefined when allowed, else SharePoint's refusal. */
  private async refusal(req: SbRequest, site: Site): Promise<SbResponse | undefined> {
    const token = bearer(req);
    const audience = `https://${this.host()}`;
    if (!token) return this.withChallenge(fieldError('sharepoint.invalid-signature.401').answer());
    // Signature and lifetime first, audience after: verify against any audience, then compare.
    const v = await this.tokens.verify(token, [audience]);
    if (!v.ok) {
      if (v.reason !== 'Invalid audience.')
        return this.withChallenge(fieldError('sharepoint.invalid-signature.401').answer());
      const aud = JSON.parse(
        Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8') || '{}',
      ) as {
        aud?: string;
      };
      return this.withChallenge(
        fieldError('sharepoint.invalid-audience.401').answer({ id: String(aud.aud) }),
      );
    }
    const c = v.claims;
    if (c['tid'] !== this.dir.tenant.id)
      return this.withChallenge(fieldError('sharepoint.invalid-signature.401').answer());
    if (c['idtyp'] !== 'app') return undefined; // a signed-in user: SharePoint's own permissions, all allowed here
    if (c['appidacr'] !== '2')
      return this.withChallenge(fieldError('sharepoint.unsupported-app-only.401').answer());
    const roles = (c['roles'] as string[] | undefined) ?? [];
    if (roles.some((r) => SPO_ROLES_ALL_SITES.includes(r))) return undefined;
    if (roles.includes('Sites.Selected') && grantedSite(this.dir, site.id, String(c['appid'])))
      return undefined;
    return fieldError('sharepoint.access-denied.403').answer();
  }

  async handle(req: SbRequest): Promise<SbResponse> {
    const m = /^((?:\/sites\/[^/]+)?)\/_api\/web\/?$/i.exec(decodeURIComponent(req.url.pathname));
    const site = m
      ? (this.dir.data.sites ?? []).find((s) => s.path.toLowerCase() === (m[1] ?? '').toLowerCase())
      : undefined;
    if (!site)
      return {
        status: 404,
        body: {
          'odata.error': {
            code: '-2147024894, System.IO.FileNotFoundException',
            message: { lang: 'en-US', value: 'File Not Found.' },
          },
        },
      };
    if (req.method !== 'GET') return { status: 405, body: '' };
    const refused = await this.refusal(req, site);
    if (refused) return refused;
    const url = `https://${this.host()}${site.path}`;
    return {
      status: 200,
      headers: { 'content-type': 'application/json;odata=nometadata;streaming=true;charset=utf-8' },
      body: {
        Id: site.id.split(',')[2] ?? '',
        Title: site.displayName,
        Url: url,
        ServerRelativeUrl: site.path === '' ? '/' : site.path,
        WebTemplate: site.path === '' ? 'SITEPAGEPUBLISHING' : 'STS',
        Created: site.createdDateTime,
      },
    };
  }
}
