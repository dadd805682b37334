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

/**
 * A cmdlet failure, in the envelope Exchange's admin API gives it (rknightion/graph2otel
 * internal/exoclient/errors.go, from live captures; microsoft-facts §8): "Invalid Operation", the exception
 * type both as the `|Type|` prefix of details[0].message and in innererror.internalexception. The status is
 * not a discriminator there (400 and 403 are both seen for the same errors): the fault state chooses it.
 */
const TYPES: [RegExp, string][] = [
  // Recorded: the type and text graph2otel quotes.
  [/couldn't be found/i, 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException'],
  // Inferred from PowerShell's and Exchange's exception names (the texts are the sandbox's own).
  [/is not recognized as a name of a cmdlet/i, 'System.Management.Automation.CommandNotFoundException'],
  [/already a member/i, 'Microsoft.Exchange.Management.Tasks.MemberAlreadyExistsException'],
  [/already exists/i, 'Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException'],
  [/needs -|not available in the sandbox/i, 'System.Management.Automation.ParameterBindingException'],
];

const invalidOperation = (message: string, status = 400): SbResponse => {
  const type =
    TYPES.find(([re]) => re.test(message))?.[1] ?? 'Microsoft.Exchange.Configuration.Tasks.TaskException';
  return {
    status,
    body: {
      error: {
        code: status === 403 ? 'Forbidden' : status === 404 ? 'NotFound' : 'BadRequest',
        message: 'Invalid Operation',
        details: [{ code: 'Client', message: `|${type}|${message}` }],
        innererror: { internalexception: { message, type } },
      },
    },
  };
};

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
      'www-authenticate':
        `Bearer client_id="00000002-0000-0ff1-ce00-000000000000", ` +
        `trusted_issuers="00000001-0000-0000-c000-000000000000@*", ` +
        `authorization_uri="${this.origin()}/common/oauth2/authorize", error="invalid_token"`,
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
      !(typeof c['scp'] === 'string' ? c['scp'] : '').split(' ').includes('Exchange.Manage')
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
        this.faults.state.exchangeCmdletErrorStatus,
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
        : invalidOperation(rbac.message, this.faults.state.exchangeCmdletErrorStatus);
    if (!READ_ONLY_CMDLETS.has(cmdlet))
      return invalidOperation(
        `The term '${name}' is not available in the sandbox; it answers Get-AcceptedDomain, ` +
          `Get-OrganizationConfig, Get-Recipient, Get-Mailbox and the RBAC cmdlets.`,
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
