/**
 * Security & Compliance PowerShell's admin REST API (Purview), as ExchangeOnlineManagement v3 and public
 * clients call it (KelvinTegelaar/CIPP-API New-ExoRequest.ps1, silverhack/monkey365
 * Get-MonkeySecCompBackendUri.ps1; Microsoft does not document it for third parties).
 *
 * Two hosts, each its own listener:
 * - the global host (`https://ps.compliance.protection.outlook.com`; EXO_CBA_COMPLIANCE_ENDPOINT points a
 *   client at the sandbox's): every `/adminapi/…` call (InvokeCommand, EXOBanner, EXOModuleFile) is answered
 *   302 with `Location: https://<backend>.admin.protection.outlook.com:446/<same path and query>`, a backend
 *   no client calls. Clients rewrite the host to `https://<backend first label>.ps.compliance.protection.outlook.com`.
 *   The fault `complianceRedirect: false` makes the global host serve the call itself.
 * - the regional host (`https://<region>.ps.compliance.protection.outlook.com`): no DNS reaches a made-up
 *   region, so the sandbox serves every region on one more origin, EXO_CBA_COMPLIANCE_REGION_ENDPOINT.
 *   `POST /adminapi/beta/{tenant}/InvokeCommand` with `{"CmdletInput":{"CmdletName":…,"Parameters":{}}}`
 *   and a token for `https://ps.compliance.protection.outlook.com`, Exchange.ManageAsApp in `roles` and an S&C
 *   role in `wids` (read from the token, as the session's RBAC is); a handful of read-only cmdlets.
 */
import type { Directory } from './directory.js';
import type { TokenService } from './tokens.js';
import type { Faults } from './faults.js';
import { type SbRequest, type SbResponse, bearer, jsonOf } from './http-util.js';
import { COMPLIANCE_CAPABLE_ROLES, COMPLIANCE_RESOURCE, MANAGE_AS_APP, ROLE } from './microsoft-ids.js';
import { fieldError } from './field-errors.js';

/** The backend the sandbox tenant lives on (the first label is what clients keep). */
const COMPLIANCE_BACKEND = 'sbx01b.admin.protection.outlook.com';

const READ_ONLY_ROLES: readonly string[] = [ROLE.globalReader, ROLE.securityReader];

const exoError = (status: number, code: string, message: string, headers: Record<string, string> = {}) => ({
  status,
  headers,
  body: { error: { code, message } },
});

const invalidOperation = (message: string): SbResponse => ({
  status: 400,
  body: {
    error: {
      code: 'BadRequest',
      message: 'Invalid Operation',
      details: [{ code: 'InvalidOperation', message }],
    },
  },
});

/** What each served cmdlet returns for the sandbox tenant (shapes after the cmdlets' documented output). */
function cmdletValue(cmdlet: string, tenantDomain: string): unknown[] | undefined {
  switch (cmdlet) {
    case 'get-retentioncompliancepolicy':
      return [{ Name: 'Sandbox retention', Enabled: true, Mode: 'Enforce', DistributionStatus: 'Success' }];
    case 'get-compliancetag':
      return [
        { Name: 'Keep 7 years', RetentionAction: 'Keep', RetentionDuration: 2555, IsRecordLabel: false },
      ];
    case 'get-protectionalert':
      return [{ Name: 'Suspicious email sending patterns detected', Severity: 'Medium', Disabled: false }];
    case 'get-label':
      return [{ Name: 'General', DisplayName: 'General', Priority: 0, ContentType: 'File, Email' }];
    case 'get-dlpcompliancepolicy':
      return [{ Name: 'Sandbox DLP', Mode: 'TestWithoutNotifications', Enabled: true }];
    case 'get-organizationconfig':
      return [{ Name: tenantDomain.split('.')[0], Identity: tenantDomain }];
    default:
      return undefined;
  }
}

export class ComplianceService {
  constructor(
    private readonly dir: Directory,
    private readonly tokens: TokenService,
    private readonly faults: Faults,
    private readonly origins: { authority: () => string; region: () => string },
  ) {}

  /** The global host: the redirect to the tenant's region (or, with the redirect fault off, the call itself). */
  async handleGlobal(req: SbRequest): Promise<SbResponse> {
    if (!/^\/adminapi\//i.test(req.url.pathname))
      return exoError(404, 'NotFound', `No such endpoint: ${req.url.pathname}`);
    if (!this.faults.state.complianceRedirect) return this.handleRegional(req);
    return {
      status: 302,
      headers: { location: `https://${COMPLIANCE_BACKEND}:446${req.url.pathname}${req.url.search}` },
      body: '',
    };
  }

  private challenge(): Record<string, string> {
    return {
      'www-authenticate':
        'Bearer client_id="00000002-0000-0ff1-ce00-000000000000", ' +
        'trusted_issuers="00000001-0000-0000-c000-000000000000@*", ' +
        `authorization_uri="${this.origins.authority()}/common/oauth2/authorize", error="invalid_token"`,
    };
  }

  /** Who may call: the token's claims, or S&C's refusal (Exchange's shapes: one module, one transport). */
  private async authorize(req: SbRequest): Promise<{ appId: string; wids: string[] } | SbResponse> {
    const challenge = this.challenge();
    const token = bearer(req);
    if (!token) return exoError(401, 'Unauthorized', 'The request must carry a bearer token.', challenge);
    const v = await this.tokens.verify(token, [COMPLIANCE_RESOURCE]);
    if (!v.ok)
      return exoError(
        401,
        'Unauthorized',
        `The access token is not valid for Security & Compliance: ${v.reason}`,
        challenge,
      );
    const c = v.claims;
    const appId = String(c['appid']);
    if (c['idtyp'] !== 'app')
      return exoError(401, 'Unauthorized', 'The sandbox serves app-only tokens on this API.', challenge);
    const roles = (c['roles'] as string[] | undefined) ?? [];
    const wids = (c['wids'] as string[] | undefined) ?? [];
    const withChallenge = (r: SbResponse) => ({ ...r, headers: { ...r.headers, ...challenge } });
    if (!roles.includes(MANAGE_AS_APP))
      return withChallenge(fieldError('exchange.no-app-role.401').answer({ appId }));
    if (!wids.some((w) => COMPLIANCE_CAPABLE_ROLES.includes(w))) {
      if (this.faults.state.exchangeRoleDenial === '403-nul')
        return fieldError('exchange.no-role.403-nul').answer();
      return withChallenge(fieldError('exchange.role-unsupported.401').answer({ appId }));
    }
    return { appId, wids };
  }

  /** The regional host: InvokeCommand. */
  async handleRegional(req: SbRequest): Promise<SbResponse> {
    const m = /^\/adminapi\/beta\/([^/]+)\/InvokeCommand$/i.exec(req.url.pathname);
    if (!m) return exoError(404, 'NotFound', `No such endpoint: ${req.url.pathname}`);
    if (req.method !== 'POST') return exoError(405, 'MethodNotAllowed', 'InvokeCommand takes POST.');
    const t = this.dir.tenant;
    const tenant = decodeURIComponent(m[1] ?? '').toLowerCase();
    if (tenant !== t.id && tenant !== t.initialDomain.toLowerCase())
      return exoError(404, 'TenantNotFound', `Tenant '${m[1] ?? ''}' was not found.`);
    const who = await this.authorize(req);
    if ('status' in who) return who;
    const body = jsonOf(req) as { CmdletInput?: { CmdletName?: unknown } } | null;
    const name = body && typeof body === 'object' ? body.CmdletInput?.CmdletName : undefined;
    if (typeof name !== 'string')
      return exoError(
        400,
        'BadRequest',
        'The request body must be {"CmdletInput":{"CmdletName":…,"Parameters":{…}}}.',
      );
    const cmdlet = name.toLowerCase();
    const value = cmdletValue(cmdlet, t.initialDomain);
    // A read-only role has no write cmdlets in its session: S&C answers as for an unknown command.
    const readOnly = who.wids.every(
      (w) => !COMPLIANCE_CAPABLE_ROLES.includes(w) || READ_ONLY_ROLES.includes(w),
    );
    if (!value)
      return invalidOperation(
        readOnly || !/^(new|set|remove|start|stop|enable|disable)-/.test(cmdlet)
          ? `The term '${name}' is not recognized as a name of a cmdlet, function, script file, or executable program.`
          : `The term '${name}' is not available in the sandbox; it answers Get-RetentionCompliancePolicy, ` +
              'Get-ComplianceTag, Get-ProtectionAlert, Get-Label, Get-DlpCompliancePolicy and Get-OrganizationConfig.',
      );
    return {
      status: 200,
      body: {
        '@odata.context':
          `${this.origins.region()}/adminapi/beta/${t.id}` +
          '/$metadata#Collection(Exchange.GenericHashTable)',
        adminapi_warnings: [],
        value,
      },
    };
  }
}
