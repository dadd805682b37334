import type { FieldError } from './field-errors.js';

/**
 * The answers of SharePoint REST and the Teams tenant admin API, as public material records them (each with
 * its source). `fieldError()` finds them; they join FIELD_ERRORS (whose every entry the tool's classifiers are
 * tested against) once the tool classifies these services. S&C answers in Exchange's shapes (field-errors.ts).
 */

const SOURCES = {
  spSignature:
    'SharePoint/sp-dev-docs#5889 (a Graph token on SharePoint REST: ' +
    '{"error_description":"Invalid issuer or signature."}) and #7152 (x-ms-diagnostics 3000006 ' +
    '"Token contains invalid signature.")',
  spAudience:
    'public Q&A threads and client notes quoting SharePoint REST\'s 401 "Invalid audience Uri" ' +
    'for a token of another host (field)',
  spAppOnly:
    'field notes and code comments: a client-secret app-only token (appidacr 1) on SharePoint REST gets 401 ' +
    '"Unsupported app only token."; learn.microsoft.com/sharepoint/dev/solution-guidance/security-apponly-azuread ' +
    'FAQ (only certificates work)',
  spDenied:
    'microsoftgraph/nodejs-apponlytoken-rest-sample#11 ("-2147024891, System.UnauthorizedAccessException", ' +
    '"Access denied. You do not have permission…")',
  spThrottling:
    'learn.microsoft.com/sharepoint/dev/general-development/' +
    'how-to-avoid-getting-throttled-or-blocked-in-sharepoint-online' +
    ' (429 or 503 with Retry-After)',
  teamsDenied:
    'Prowler Microsoft 365 auth docs and MicrosoftDocs/office-docs-powershell#9929 ("Access Denied. Provide ' +
    'different credential or request access."); [inf] that the tenant API refuses a token without a Teams role with it',
  teamsThrottling: '[inf] Microsoft 365 services throttle with 429 and Retry-After',
};

const sp401 = (
  id: string,
  source: string,
  text: (v: { id?: string }) => string,
  diag: string,
): FieldError => ({
  id,
  service: 'sharepoint',
  source,
  answer: (v = {}) => ({
    status: 401,
    headers: {
      'x-ms-diagnostics': `${diag};reason="${text(v)}";category="invalid_client"`,
    },
    body: { error_description: text(v) },
  }),
});

export const WORKLOAD_FIELD_ERRORS: FieldError[] = [
  sp401(
    'sharepoint.invalid-signature.401',
    SOURCES.spSignature,
    () => 'Invalid issuer or signature.',
    '3000006',
  ),
  sp401(
    'sharepoint.invalid-audience.401',
    SOURCES.spAudience,
    (v) => `Invalid audience Uri '${v.id ?? ''}'.`,
    '3000003',
  ),
  sp401(
    'sharepoint.unsupported-app-only.401',
    SOURCES.spAppOnly,
    () => 'Unsupported app only token.',
    '3001000',
  ),
  {
    id: 'sharepoint.access-denied.403',
    service: 'sharepoint',
    source: SOURCES.spDenied,
    answer: () => ({
      status: 403,
      headers: { 'x-ms-diagnostics': '3000003;reason="Access denied.";category="invalid_client"' },
      body: {
        'odata.error': {
          code: '-2147024891, System.UnauthorizedAccessException',
          message: {
            lang: 'en-US',
            value:
              'Access denied. You do not have permission to perform this action or access this resource.',
          },
        },
      },
    }),
  },
  {
    id: 'sharepoint.throttled.429',
    service: 'sharepoint',
    source: SOURCES.spThrottling,
    answer: (v = {}) => ({ status: 429, headers: { 'retry-after': String(v.retryAfterS ?? 1) }, body: '' }),
  },
  {
    id: 'sharepoint.unavailable.503',
    service: 'sharepoint',
    source: SOURCES.spThrottling,
    answer: (v = {}) => ({ status: 503, headers: { 'retry-after': String(v.retryAfterS ?? 1) }, body: '' }),
  },
  {
    id: 'teams.no-role.403',
    service: 'teams',
    source: SOURCES.teamsDenied,
    answer: () => ({
      status: 403,
      headers: {},
      body: { code: 'Forbidden', message: 'Access Denied. Provide different credential or request access.' },
    }),
  },
  {
    id: 'teams.throttled.429',
    service: 'teams',
    source: SOURCES.teamsThrottling,
    answer: (v = {}) => ({
      status: 429,
      headers: { 'retry-after': String(v.retryAfterS ?? 1) },
      body: { code: 'TooManyRequests', message: 'Too many requests.' },
    }),
  },
  {
    id: 'teams.unavailable.503',
    service: 'teams',
    source: SOURCES.teamsThrottling,
    answer: (v = {}) => ({
      status: 503,
      headers: { 'retry-after': String(v.retryAfterS ?? 1) },
      body: { code: 'ServiceUnavailable', message: 'The service is temporarily unavailable.' },
    }),
  },
];
