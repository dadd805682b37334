import { graphError, stsError } from './http-util.js';
import type { SbResponse } from './http-util.js';
import { WORKLOAD_FIELD_ERRORS } from './field-errors-workloads.js';

/**
 * The answers Microsoft's services give in the situations exo-cba must survive, as recorded in the field,
 * each with where it was seen. The sandbox answers with exactly these shapes, and the tool's classifiers are
 * tested against them; neither side invents a shape to suit the other.
 */
export interface FieldError {
  id: string;
  service: 'graph' | 'token' | 'exchange' | 'sharepoint' | 'teams';
  /** Where this shape was recorded. */
  source: string;
  answer(vars?: { id?: string; appId?: string; retryAfterS?: number }): SbResponse;
}

const SOURCES = {
  goAzureSdk:
    'hashicorp/go-azure-sdk odata/errors.go (the error texts terraform-provider-azuread retries on)',
  tfSp504: 'hashicorp/terraform-provider-azuread#504 (captured body of a service principal create)',
  azCli28009:
    'Azure/azure-cli#28009 and role/custom.py (retries " does not reference ", " does not exist ", ' +
    '"service principal being created must in the local tenant")',
  openshift1534:
    'openshift/openshift-azure#1534 (captured body with PropertyErrorCode NoBackingApplicationObject)',
  sdkPs846: 'microsoftgraph/msgraph-sdk-powershell#846 (the same refusal without details)',
  tfAppRole:
    "terraform-provider-azuread app role assignment create: RetryFunc retries any 404 and 400 'Not " +
    "a valid reference update'",
  learnRefUpdate:
    'Microsoft Learn troubleshooting page quoting ' +
    '{"error":{"code":"Request_BadRequest","message":"Not a valid reference update."}}',
  graphThrottling: 'learn.microsoft.com/graph/throttling (429 with Retry-After; 503/504 may carry it too)',
  noRetryAfter:
    'microsoftgraph/microsoft-graph-docs-contrib#8469 and microsoft-graph-docs#6482 (429 without Retry-After)',
  graphErrors:
    'learn.microsoft.com/graph/errors (error resource, Authorization_RequestDenied, Request_ResourceNotFound)',
  entraCodes: 'learn.microsoft.com/entra/identity-platform/reference-error-codes (AADSTS texts)',
  graph2otel:
    'rknightion/graph2otel internal/exoclient/errors.go (live captures: the status is not a discriminator; ' +
    'error.message is always "Invalid Operation"; the exception type in innererror and the |Type| prefix)',
  exoAppOnly:
    'exo-cba microsoft-facts §5: Exchange admin API answers measured and published by a public ' +
    'project; texts quoted in Microsoft docs issues',
};

export const FIELD_ERRORS: FieldError[] = [
  // --- Graph: a service principal created before its app has replicated
  {
    id: 'graph.sp-before-app.400-details',
    service: 'graph',
    source: `${SOURCES.openshift1534}; microsoft-facts §3 (a captured v1.0 body carries details[].code)`,
    answer: (v = {}) =>
      graphError(
        400,
        'Request_BadRequest',
        `The appId '${v.appId ?? '00000000-0000-0000-0000-000000000000'}' of the service principal ` +
          `does not reference a valid application object.`,
        {
          details: [
            {
              code: 'NoBackingApplicationObject',
              message:
                `The appId '${v.appId ?? ''}' of the service principal does not reference a ` +
                `valid application object.`,
              target: 'appId',
            },
          ],
        },
      ),
  },
  {
    id: 'graph.sp-before-app.400-plain',
    service: 'graph',
    source: SOURCES.sdkPs846,
    answer: (v = {}) =>
      graphError(
        400,
        'Request_BadRequest',
        `The appId '${v.appId ?? '00000000-0000-0000-0000-000000000000'}' of the service principal ` +
          `does not reference a valid application object.`,
      ),
  },
  {
    id: 'graph.sp-before-app.403',
    service: 'graph',
    source: `${SOURCES.tfSp504}; ${SOURCES.azCli28009}; ${SOURCES.goAzureSdk}`,
    answer: () =>
      graphError(
        403,
        'Authorization_RequestDenied',
        'When using this permission, the backing application of the service principal being created ' +
          'must in the local tenant',
      ),
  },
  // --- Graph: a service without the application's alternate key (uniqueName)
  {
    id: 'graph.alternate-key-unsupported.400',
    service: 'graph',
    source:
      'microsoft-facts §8: Graph docs application-get / application-upsert (the alternate key and the upsert are ' +
      'newer than the rest of the API; older revisions listed the upsert for the global service only); a service ' +
      'without it answers the key segment with 400 BadRequest "Resource not found for the segment \'…\'" (field)',
    answer: (v = {}) =>
      graphError(400, 'BadRequest', `Resource not found for the segment '${v.id ?? 'applications'}'.`),
  },
  // --- Graph: a key that breaks the tenant's credential lifetime policy
  {
    id: 'graph.credential-lifetime-policy.400',
    service: 'graph',
    source:
      'Azure/azure-cli#28522 and OfficeDev/microsoft-365-agents-toolkit#10998 (seen for passwords; the same ' +
      'code inferred for keys): microsoft-facts §8',
    answer: (v = {}) =>
      graphError(
        400,
        'CredentialInvalidLifetimeAsPerAppPolicy',
        `Credential lifetime exceeds the max value allowed as per assigned policy ` +
          `'${v.id ?? '00000000-0000-0000-0000-000000000000'}'.`,
        {
          details: [
            { code: 'InvalidKeyEndDate', message: 'Key credential end date is invalid.', target: 'EndDate' },
          ],
        },
      ),
  },
  // --- Graph: references to objects that have not replicated
  {
    id: 'graph.reference-not-present.400',
    service: 'graph',
    source: SOURCES.goAzureSdk,
    answer: (v = {}) =>
      graphError(
        400,
        'Request_BadRequest',
        `Resource '${v.id ?? '00000000-0000-0000-0000-000000000000'}' does not exist or one of its ` +
          `queried reference-property objects are not present.`,
      ),
  },
  {
    // What Graph answers a role assignment that conflicts with one it holds; seen also while nothing is there yet.
    id: 'graph.conflicting-object.400',
    service: 'graph',
    source: SOURCES.graphErrors,
    answer: () =>
      graphError(
        400,
        'Request_BadRequest',
        'A conflicting object with one or more of the specified property values is present in the directory.',
      ),
  },
  {
    id: 'graph.not-found.404',
    service: 'graph',
    source: SOURCES.graphErrors,
    answer: (v = {}) =>
      graphError(
        404,
        'Request_ResourceNotFound',
        `Resource '${v.id ?? '00000000-0000-0000-0000-000000000000'}' does not exist or one of its ` +
          `queried reference-property objects are not present.`,
      ),
  },
  {
    id: 'graph.not-a-valid-reference-update.400',
    service: 'graph',
    source: `${SOURCES.tfAppRole}; ${SOURCES.learnRefUpdate}`,
    answer: () => graphError(400, 'Request_BadRequest', 'Not a valid reference update.'),
  },
  // --- Graph: throttling and failures
  {
    id: 'graph.throttled.429-retry-after',
    service: 'graph',
    source: SOURCES.graphThrottling,
    answer: (v = {}) =>
      graphError(
        429,
        'TooManyRequests',
        'Too many requests. Retry after the time in the Retry-After header.',
        { headers: { 'retry-after': String(v.retryAfterS ?? 1) } },
      ),
  },
  {
    id: 'graph.throttled.429-bare',
    service: 'graph',
    source: SOURCES.noRetryAfter,
    answer: () => graphError(429, 'TooManyRequests', 'Too many requests.'),
  },
  {
    id: 'graph.unavailable.503',
    service: 'graph',
    source: SOURCES.graphThrottling,
    answer: (v = {}) =>
      graphError(503, 'serviceNotAvailable', 'The service is temporarily unavailable. Try again later.', {
        headers: { 'retry-after': String(v.retryAfterS ?? 1) },
      }),
  },
  {
    id: 'graph.gateway-timeout.504',
    service: 'graph',
    source: SOURCES.graphThrottling,
    answer: () => graphError(504, 'gatewayTimeout', 'The gateway did not receive a timely response.'),
  },
  {
    id: 'graph.denied.403',
    service: 'graph',
    source: SOURCES.graphErrors,
    answer: () =>
      graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
  },
  // --- The token service
  {
    id: 'token.throttled.429',
    service: 'token',
    source: SOURCES.entraCodes,
    answer: (v = {}) =>
      stsError(
        429,
        'temporarily_unavailable',
        50196,
        'The server terminated an operation because it encountered a client request loop.',
        v.retryAfterS ? { 'retry-after': String(v.retryAfterS) } : {},
      ),
  },
  {
    id: 'token.unavailable.503',
    service: 'token',
    source: SOURCES.entraCodes,
    answer: (v = {}) =>
      stsError(
        503,
        'temporarily_unavailable',
        90033,
        'A transient error has occurred. Please try again.',
        v.retryAfterS ? { 'retry-after': String(v.retryAfterS) } : {},
      ),
  },
  {
    // AADSTS50000 TokenIssuanceError: "There's an issue with the sign-in service"; sent with HTTP 500.
    id: 'token.server-error.500',
    service: 'token',
    source: SOURCES.entraCodes,
    answer: () =>
      stsError(
        500,
        'server_error',
        50000,
        'There was an error issuing a token or an issue with our sign-in service. Please try again.',
      ),
  },
  {
    id: 'token.client-unknown.700016',
    service: 'token',
    source: SOURCES.entraCodes,
    answer: (v = {}) =>
      stsError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${v.appId ?? ''}' was not found in the directory 'Contoso'. ` +
          `This can happen if the application has not been installed by the administrator of the ` +
          `tenant or consented to by any user in the tenant. You may have sent your ` +
          `authentication request to the wrong tenant.`,
      ),
  },
  {
    id: 'token.client-disabled.7000112',
    service: 'token',
    source: SOURCES.entraCodes,
    answer: (v = {}) =>
      stsError(400, 'unauthorized_client', 7000112, `Application '${v.appId ?? ''}' is disabled.`),
  },
  {
    id: 'token.conditional-access.53003',
    service: 'token',
    source: SOURCES.entraCodes,
    answer: () =>
      stsError(
        400,
        'invalid_grant',
        53003,
        'Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.',
      ),
  },
  {
    id: 'token.tenant-not-found.90002',
    service: 'token',
    source: SOURCES.entraCodes,
    answer: (v = {}) =>
      stsError(
        400,
        'invalid_request',
        90002,
        `Tenant '${v.id ?? 'contoso.onmicrosoft.com'}' not found. Check to make sure you have the ` +
          `correct tenant ID and are signing into the correct cloud.`,
      ),
  },
  {
    id: 'token.declined.70000',
    service: 'token',
    source: SOURCES.entraCodes,
    answer: () =>
      stsError(400, 'authorization_declined', 70000, 'The user has declined the authorization request.'),
  },
  {
    id: 'token.expired.70020',
    service: 'token',
    source: SOURCES.entraCodes,
    answer: () =>
      stsError(
        400,
        'expired_token',
        70020,
        'The provided authorization code or refresh token has expired due to inactivity. Send a new ' +
          'interactive authorization request.',
      ),
  },
  {
    id: 'token.key-unknown.700027',
    service: 'token',
    source: SOURCES.entraCodes,
    answer: (v = {}) =>
      stsError(
        401,
        'invalid_client',
        700027,
        `Client assertion failed signature validation. The key was not found. Key identifier: ` +
          `'x5t'. Application: '${v.appId ?? ''}'.`,
      ),
  },
  {
    id: 'token.key-expired.700027',
    service: 'token',
    source: SOURCES.entraCodes,
    answer: () =>
      stsError(
        401,
        'invalid_client',
        700027,
        'The certificate with identifier used to sign the client assertion is expired on ' +
          "application. [Reason - The key used is expired., Thumbprint of key used by client: 'x5t']",
      ),
  },
  // --- Exchange's admin API
  {
    id: 'exchange.no-app-role.401',
    service: 'exchange',
    source: SOURCES.exoAppOnly,
    answer: (v = {}) => ({
      status: 401,
      headers: {},
      body: {
        error: {
          code: 'Unauthorized',
          message: `The app '${v.appId ?? ''}' is not allowed to call this API.`,
        },
      },
    }),
  },
  {
    id: 'exchange.role-unsupported.401',
    service: 'exchange',
    source: SOURCES.exoAppOnly,
    answer: (v = {}) => ({
      status: 401,
      headers: {},
      body: {
        error: {
          code: 'Unauthorized',
          message:
            `The role assigned to application ${v.appId ?? ''} isn't supported in this ` +
            `scenario. Please check online documentation for assigning correct Directory Roles to ` +
            `Azure AD Application for EXO App-Only Authentication.`,
        },
      },
    }),
  },
  {
    id: 'exchange.no-role.403-nul',
    service: 'exchange',
    source: SOURCES.exoAppOnly,
    answer: () => ({ status: 403, headers: { 'content-type': 'application/json' }, body: Buffer.alloc(64) }),
  },
  {
    id: 'exchange.throttled.429',
    service: 'exchange',
    source: `${SOURCES.exoAppOnly}; Exchange Online throttling (429 with Retry-After)`,
    answer: (v = {}) => ({
      status: 429,
      headers: { 'retry-after': String(v.retryAfterS ?? 1) },
      body: { error: { code: 'TooManyRequests', message: 'Too many requests.' } },
    }),
  },
  // --- Exchange: a cmdlet error, the same envelope under several statuses
  ...[400, 403, 404].map((status): FieldError => ({
    id: `exchange.object-not-found.${status}`,
    service: 'exchange',
    source: SOURCES.graph2otel,
    answer: (v = {}) => {
      const type = 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException';
      const text = `The operation couldn't be performed because object '${v.id ?? 'x'}' couldn't be found on 'EXO'.`;
      return {
        status,
        headers: {},
        body: {
          error: {
            code: 'BadRequest',
            message: 'Invalid Operation',
            details: [{ code: 'Client', message: `|${type}|${text}` }],
            innererror: { internalexception: { message: text, type } },
          },
        },
      };
    },
  })),
  {
    id: 'exchange.object-not-found.403-details-only',
    service: 'exchange',
    source: `${SOURCES.graph2otel} (the type read from the |Type| prefix when innererror is absent)`,
    answer: (v = {}) => ({
      status: 403,
      headers: {},
      body: {
        error: {
          code: 'BadRequest',
          message: 'Invalid Operation',
          details: [
            {
              code: 'Client',
              message:
                `|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation ` +
                `couldn't be performed because object '${v.id ?? 'x'}' couldn't be found.`,
            },
          ],
        },
      },
    }),
  },
  {
    id: 'exchange.unavailable.503',
    service: 'exchange',
    source: SOURCES.exoAppOnly,
    answer: () => ({
      status: 503,
      headers: {},
      body: { error: { code: 'ServiceUnavailable', message: 'The service is temporarily unavailable.' } },
    }),
  },
];

export const fieldError = (id: string): FieldError => {
  // SharePoint's and Teams' answers are kept apart (WORKLOAD_FIELD_ERRORS) until the tool classifies them.
  const f = [...FIELD_ERRORS, ...WORKLOAD_FIELD_ERRORS].find((x) => x.id === id);
  if (!f) throw new Error(`no recorded field error '${id}'`);
  return f;
};
