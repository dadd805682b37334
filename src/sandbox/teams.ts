/**
 * The Skype and Teams Tenant Admin API (`https://api.interfaces.records.teams.microsoft.com`; a client points
 * at the sandbox's with EXO_CBA_TEAMS_ENDPOINT), as Teams PowerShell and public clients call it:
 * `GET /Teams.Tenant/tenants` (silverhack/monkey365 Test-TeamsConnection treats a 2xx as connected; CIPP-API
 * New-TeamsRequestV2.ps1 reads serviceDiscovery and verifiedDomains from it).
 *
 * It answers only an app-only token for `48ac35b8-9aa8-4d74-927d-1f4a14a0b239` whose `wids` hold a role that
 * serves Teams (read from the token, as the session's RBAC is:
 * https://learn.microsoft.com/microsoftteams/teams-powershell-application-authentication).
 */
import type { Directory } from './directory.js';
import type { TokenService } from './tokens.js';
import { type SbRequest, type SbResponse, bearer } from './http-util.js';
import { TEAMS_ADMIN_API_APP_ID, TEAMS_CAPABLE_ROLES } from './microsoft-ids.js';
import { fieldError } from './field-errors.js';

const unauthorized = (message: string): SbResponse => ({
  status: 401,
  headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  body: { code: 'Unauthorized', message },
});

export class TeamsService {
  constructor(
    private readonly dir: Directory,
    private readonly tokens: TokenService,
    private readonly origin: () => string,
  ) {}

  async handle(req: SbRequest): Promise<SbResponse> {
    if (req.url.pathname.replace(/\/+$/, '') !== '/Teams.Tenant/tenants')
      return { status: 404, body: { code: 'NotFound', message: `No such endpoint: ${req.url.pathname}` } };
    if (req.method !== 'GET')
      return { status: 405, body: { code: 'MethodNotAllowed', message: 'Teams.Tenant/tenants takes GET.' } };
    const token = bearer(req);
    if (!token) return unauthorized('Authentication failed: the request carries no bearer token.');
    const v = await this.tokens.verify(token, [TEAMS_ADMIN_API_APP_ID, `api://${TEAMS_ADMIN_API_APP_ID}`]);
    if (!v.ok) return unauthorized(`Authentication failed: ${v.reason}`);
    const c = v.claims;
    if (c['tid'] !== this.dir.tenant.id)
      return unauthorized('Authentication failed: the token is for another tenant.');
    const wids = (c['wids'] as string[] | undefined) ?? [];
    if (c['idtyp'] !== 'app' || !wids.some((w) => TEAMS_CAPABLE_ROLES.includes(w)))
      return fieldError('teams.no-role.403').answer();
    const t = this.dir.tenant;
    return {
      status: 200,
      body: [
        {
          tenantId: t.id,
          displayName: t.displayName,
          verifiedDomains: [{ name: t.initialDomain, isInitial: true, isDefault: true, status: 'Enabled' }],
          serviceDiscovery: {
            Endpoints: { ConfigApiEndpoint: this.origin() },
            Headers: { 'X-MS-Forest': 'sbx01' },
          },
        },
      ],
    };
  }
}
