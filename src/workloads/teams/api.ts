import type { HttpTransport } from '../../adapters/http.js';

/**
 * The two read-only calls a Teams proof makes, each answer classified by its payload: the tenant admin API's
 * `GET /Teams.Tenant/tenants` with the Teams token (monkey365 Test-TeamsConnection takes a 2xx as connected;
 * CIPP-API reads the tenant, its domains and serviceDiscovery from it), and Graph's `GET /v1.0/organization`
 * with the Graph token (Organization.Read.All, app-only: https://learn.microsoft.com/graph/api/organization-get).
 */

export type CallAnswer =
  | { ok: true; tenantId: string; displayName?: string }
  | {
      ok: false;
      status: number;
      /**
       * refused: the token is not accepted (401); forbidden: the app lacks the rights (403);
       * no-identity: Graph knows no service principal for the token (401 Authorization_IdentityNotFound).
       */
      kind: 'refused' | 'forbidden' | 'no-identity' | 'throttled' | 'unavailable' | 'unrecognised';
      message: string;
      retryAfterMs?: number;
    };

function parse(body: Buffer): unknown {
  const text = body.toString('utf8').trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const obj = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function busy(status: number, headers: Record<string, string>, message: string): CallAnswer | undefined {
  if (status !== 429 && status !== 503 && status !== 504) return undefined;
  const ra = Number(headers['retry-after']);
  return {
    ok: false,
    status,
    kind: status === 429 ? 'throttled' : 'unavailable',
    message: message || `HTTP ${status}`,
    ...(headers['retry-after'] !== undefined && Number.isFinite(ra) ? { retryAfterMs: ra * 1000 } : {}),
  };
}

/** A 200 that names a tenant: this one is an answer; another tenant's, or none, is not. */
function tenantAnswer(
  service: string,
  found: { id?: string; displayName?: string } | undefined,
  tenantId: string,
): CallAnswer | undefined {
  if (!found?.id) return undefined;
  if (found.id.toLowerCase() !== tenantId.toLowerCase())
    return {
      ok: false,
      status: 200,
      kind: 'unrecognised',
      message: `${service} answered for tenant ${found.id}, not ${tenantId}.`,
    };
  return { ok: true, tenantId: found.id, ...(found.displayName ? { displayName: found.displayName } : {}) };
}

const unrecognised = (service: string, status: number, said: string): CallAnswer => ({
  ok: false,
  status,
  kind: 'unrecognised',
  message: `${service} answered HTTP ${status} in a way exo-cba does not recognise${said ? `: ${said}` : ''}.`,
});

const named = (o: Record<string, unknown> | undefined, idField: string) => {
  const id = str(o?.[idField]);
  const displayName = str(o?.['displayName']);
  return id ? { id, ...(displayName ? { displayName } : {}) } : undefined;
};

/** The tenant admin API: a JSON array of tenants (or one tenant) whose `tenantId` is a string is an answer. */
export function readTenants(
  status: number,
  body: Buffer,
  headers: Record<string, string>,
  tenantId: string,
): CallAnswer {
  const json = parse(body);
  const first = obj(Array.isArray(json) ? json[0] : json);
  // Teams answers errors as { code, message } (field records; the message is what the module prints).
  const message = str(first?.['message']) ?? '';
  const answer = status === 200 ? tenantAnswer('Teams', named(first, 'tenantId'), tenantId) : undefined;
  if (answer) return answer;
  const b = busy(status, headers, message);
  if (b) return b;
  if (status === 401)
    return { ok: false, status, kind: 'refused', message: message || 'Teams refused the token (401).' };
  if (status === 403)
    return {
      ok: false,
      status,
      kind: 'forbidden',
      message: message || 'Teams refused the app (403) without an explanation.',
    };
  return unrecognised('Teams', status, message);
}

const GRAPH_REFUSALS: Record<string, { status: number; kind: 'forbidden' | 'no-identity' }> = {
  Authorization_RequestDenied: { status: 403, kind: 'forbidden' },
  Authorization_IdentityNotFound: { status: 401, kind: 'no-identity' },
};

/** Graph's organization: `value[0].id` is the tenant; errors are Graph's `{ error: { code, message } }`. */
export function readOrganization(
  status: number,
  body: Buffer,
  headers: Record<string, string>,
  tenantId: string,
): CallAnswer {
  const json = obj(parse(body));
  const error = obj(json?.['error']);
  const code = str(error?.['code']) ?? '';
  const message = str(error?.['message']) ?? '';
  const value = json?.['value'];
  const org = obj(Array.isArray(value) ? value[0] : undefined);
  const answer = status === 200 ? tenantAnswer('Graph', named(org, 'id'), tenantId) : undefined;
  if (answer) return answer;
  const b = busy(status, headers, message);
  if (b) return b;
  const refusal = GRAPH_REFUSALS[code];
  if (refusal?.status === status) return { ok: false, status, kind: refusal.kind, message };
  if (status === 401)
    return { ok: false, status, kind: 'refused', message: message || 'Graph refused the token (401).' };
  return unrecognised('Graph', status, [code, message].filter(Boolean).join(' '));
}

export interface TeamsApi {
  tenants(accessToken: string, tenantId: string): Promise<CallAnswer>;
  organization(accessToken: string, tenantId: string): Promise<CallAnswer>;
}

export function makeTeamsApi(o: { teams: string; graph: string }, http: HttpTransport): TeamsApi {
  const get = (url: string, accessToken: string) =>
    http({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
    });
  return {
    async tenants(accessToken, tenantId) {
      const r = await get(`${o.teams}/Teams.Tenant/tenants`, accessToken);
      return readTenants(r.status, r.body, r.headers, tenantId);
    },
    async organization(accessToken, tenantId) {
      const r = await get(`${o.graph}/v1.0/organization?$select=id,displayName`, accessToken);
      return readOrganization(r.status, r.body, r.headers, tenantId);
    },
  };
}
