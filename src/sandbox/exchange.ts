import type { Directory } from './directory.js';
import type { TokenService } from './tokens.js';
import type { Faults } from './faults.js';
import { type SbRequest, type SbResponse, bearer, jsonOf } from './http-util.js';
import { MANAGE_AS_APP } from './microsoft-ids.js';
import { allowedCmdlets, holdsAnything, runRbacCmdlet } from './exchange-rbac.js';
import { fieldError } from './field-errors.js';

/** Exchange Online's admin REST endpoint (adminapi/beta/{tenant}/InvokeCommand), as the EXO PowerShell module uses it. */

const READ_ONLY_CMDLETS = new Set([
  'get-accepteddomain',
  'get-organizationconfig',
  'get-recipient',
  'get-mailbox',
]);

/** A cmdlet failure, as Exchange's admin API reports one: 400 "Invalid Operation", the real text in details (microsoft-facts §5). */
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

const exoError = (
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): SbResponse => ({ status, headers, body: { error: { code, message } } });

export class ExchangeService {
  constructor(
    private readonly dir: Directory,
    private readonly tokens: TokenService,
    private readonly faults: Faults,
    private readonly resource: string,
    private readonly origin: () => string,
  ) {}

  async handle(req: SbRequest): Promise<SbResponse> {
    const m = /^\/adminapi\/beta\/([^/]+)\/InvokeCommand$/i.exec(req.url.pathname);
    if (!m) return exoError(404, 'NotFound', `No such endpoint: ${req.url.pathname}`);
    if (req.method !== 'POST') return exoError(405, 'MethodNotAllowed', 'InvokeCommand takes POST.');
    const t = this.dir.tenant;
    const tenant = decodeURIComponent(m[1]!).toLowerCase();
    if (tenant !== t.id && tenant !== t.initialDomain.toLowerCase())
      return exoError(404, 'TenantNotFound', `Tenant '${m[1]!}' was not found.`);
    const challenge = {
      'www-authenticate': `Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@*", authorization_uri="${this.origin()}/common/oauth2/authorize", error="invalid_token"`,
    };
    const token = bearer(req);
    if (!token) return exoError(401, 'Unauthorized', 'The request must carry a bearer token.', challenge);
    const v = await this.tokens.verify(token, [this.resource]);
    if (!v.ok)
      return exoError(
        401,
        'Unauthorized',
        `The access token is not valid for Exchange: ${v.reason}`,
        challenge,
      );
    const c = v.claims;
    const roles = (c['roles'] as string[] | undefined) ?? [];
    if (c['idtyp'] === 'app' && !roles.includes(MANAGE_AS_APP)) {
      const r = fieldError('exchange.no-app-role.401').answer({ appId: String(c['appid']) });
      return { ...r, headers: { ...r.headers, ...challenge } };
    }
    // An app acts with its directory roles and its Exchange role groups and roles; an admin with their directory roles.
    const principal = String(c['oid']);
    if (
      c['idtyp'] !== 'app' &&
      !String(c['scp'] ?? '')
        .split(' ')
        .includes('Exchange.Manage')
    ) {
      return exoError(
        401,
        'Unauthorized',
        'The access token does not carry the Exchange.Manage scope.',
        challenge,
      );
    }
    if (!holdsAnything(this.dir, principal)) {
      if (this.faults.state.exchangeRoleDenial === '403-nul')
        return fieldError('exchange.no-role.403-nul').answer();
      const r = fieldError('exchange.role-unsupported.401').answer({ appId: String(c['appid']) });
      return { ...r, headers: { ...r.headers, ...challenge } };
    }
    const body = jsonOf(req) as { CmdletInput?: { CmdletName?: unknown; Parameters?: unknown } } | null;
    const name = body && typeof body === 'object' ? body.CmdletInput?.CmdletName : undefined;
    if (typeof name !== 'string')
      return exoError(
        400,
        'BadRequest',
        'The request body must be {"CmdletInput":{"CmdletName":…,"Parameters":{…}}}.',
      );
    const params = (body?.CmdletInput?.Parameters ?? {}) as Record<string, unknown>;
    const cmdlet = name.toLowerCase();
    // A cmdlet outside the principal's roles does not exist in its session: Exchange answers as for an unknown command.
    if (!allowedCmdlets(this.dir, principal).has(cmdlet))
      return invalidOperation(
        `The term '${name}' is not recognized as a name of a cmdlet, function, script file, or executable program.`,
      );
    const rbac = runRbacCmdlet(this.dir, cmdlet, params);
    if (rbac)
      return rbac.ok
        ? {
            status: 200,
            body: {
              '@odata.context': `${this.origin()}/adminapi/beta/${t.id}/$metadata#Collection(Exchange.GenericHashTable)`,
              adminapi_warnings: [],
              value: rbac.value,
            },
          }
        : invalidOperation(rbac.message);
    if (!READ_ONLY_CMDLETS.has(cmdlet))
      return invalidOperation(
        `The term '${name}' is not available in the sandbox; it answers Get-AcceptedDomain, Get-OrganizationConfig, Get-Recipient, Get-Mailbox and the RBAC cmdlets.`,
      );
    const context = `${this.origin()}/adminapi/beta/${t.id}/$metadata#Collection(Exchange.GenericHashTable)`;
    const value =
      cmdlet === 'get-accepteddomain'
        ? [
            {
              DomainName: t.initialDomain,
              DomainType: 'Authoritative',
              Default: true,
              Name: t.initialDomain,
              InitialDomain: true,
            },
          ]
        : cmdlet === 'get-organizationconfig'
          ? [{ Name: t.initialDomain.split('.')[0], DisplayName: t.displayName, Identity: t.initialDomain }]
          : [
              {
                Name: 'sandbox.user',
                PrimarySmtpAddress: `user@${t.initialDomain}`,
                RecipientTypeDetails: 'UserMailbox',
              },
            ];
    return { status: 200, body: { '@odata.context': context, adminapi_warnings: [], value } };
  }
}
