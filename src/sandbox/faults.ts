import type { SbResponse } from './http-util.js';
import { fieldError } from './field-errors.js';
import type { KeyRule } from './graph-policies.js';

export type Service =
  | 'token'
  | 'graph'
  | 'exchange'
  | 'compliance'
  | 'compliance-region'
  | 'sharepoint'
  | 'teams'
  | 'github-oidc';

export interface FailOnce {
  service: Service;
  method?: string;
  /** Substring of the path, e.g. "/servicePrincipals" or "/addKey". */
  path?: string;
  status: number;
  /** How many matching requests fail; 1 by default. */
  count?: number;
  /** Answer with this recorded field shape (field-errors.ts) instead of the generic one for the status. */
  shape?: string;
}

export interface FaultState {
  /** New objects stay invisible to reads, filters, references and the token service for this long. */
  replicationDelayMs: number;
  /** 429 with Retry-After on every Nth request to the listed services (0: off). */
  throttleEvery: number;
  throttleRetryAfterS: number;
  throttleServices: Service[];
  failOnce: FailOnce[];
  deviceCode: {
    mode: 'approve' | 'deny' | 'expire' | 'conditional-access';
    approveAfterMs: number;
    interval: number;
  };
  /** Public clients the tenant has disabled (AADSTS7000112). */
  blockedClients: string[];
  /** Delegated scopes the tenant will not grant (the token comes back without them). */
  deniedScopes: string[];
  /** How Exchange refuses a principal without an Exchange-capable role: 401 JSON, or the 403 with a NUL body seen in the field. */
  exchangeRoleDenial: '401' | '403-nul';
  /** Whether S&C's global host sends every admin API call to the ' +
    'tenant's regional host (true, as the field sees it). */
  complianceRedirect: boolean;
  /** A cloud or tenant without the applications' alternate key: every `(uniqueName=…)` segment is refused. */
  alternateKey: 'offered' | 'refused';
  /**
   * A client-credentials request from an app whose service principal is missing: refused (AADSTS7000229), or,
   * as Entra has also been seen to do, answered with an app-only token that has no `oid` (pnp/cli-microsoft365#7589).
   */
  missingServicePrincipal: 'refuse' | 'token-without-oid';
  /** The HTTP status of Exchange's cmdlet errors: the field has 400 and 403 (and others) for the same envelope. */
  exchangeCmdletErrorStatus: number;
  /** The tenant's default app management policy: key rules (a lifetime cap, a trusted-CA rule); none by default. */
  keyPolicy: KeyRule[];
}

export interface LogEntry {
  at: number;
  service: Service;
  method: string;
  path: string;
  endpoint: string;
  status: number;
}

function defaultFaults(): FaultState {
  return {
    replicationDelayMs: 0,
    throttleEvery: 0,
    throttleRetryAfterS: 1,
    throttleServices: ['graph'],
    failOnce: [],
    deviceCode: { mode: 'approve', approveAfterMs: 0, interval: 5 },
    blockedClients: [],
    deniedScopes: [],
    exchangeRoleDenial: '401',
    complianceRedirect: true,
    alternateKey: 'offered',
    missingServicePrincipal: 'refuse',
    exchangeCmdletErrorStatus: 400,
    keyPolicy: [],
  };
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** "/v1.0/applications/8c…/addKey" → "/v1.0/applications/{id}/addKey": the key of the per-endpoint counts. */
export function endpointOf(path: string, domain: string): string {
  return path
    .replace(GUID, '{id}')
    .split(domain)
    .join('{tenant}')
    .replace(/\(appId='\{id\}'\)/g, "(appId='{id}')");
}

/** An injected answer the sandbox actually gave: tests assert on these, not on the fault they asked for. */
export interface ServedFault {
  service: Service;
  method: string;
  path: string;
  status: number;
  /** 'fail-once' for an injected failure (with its shape, if any), 'throttle' for a 429 of throttleEvery. */
  kind: 'fail-once' | 'throttle';
  shape?: string;
}

export class Faults {
  state: FaultState;
  readonly log: LogEntry[] = [];
  readonly served: ServedFault[] = [];
  private counter = 0;

  constructor(initial: Partial<FaultState> = {}) {
    this.state = { ...defaultFaults(), ...initial };
  }

  set(patch: Partial<FaultState>): FaultState {
    this.state = {
      ...this.state,
      ...patch,
      deviceCode: { ...this.state.deviceCode, ...(patch.deviceCode ?? {}) },
    };
    return this.state;
  }

  /** A throttle or an injected failure for this request, or undefined to serve it. */
  intercept(service: Service, method: string, path: string): SbResponse | undefined {
    const segment = /\/(applications\(uniqueName=[^)]*\))/.exec(decodeURIComponent(path))?.[1];
    if (service === 'graph' && segment && this.state.alternateKey === 'refused')
      return fieldError('graph.alternate-key-unsupported.400').answer({ id: segment });
    const i = this.state.failOnce.findIndex(
      (f) =>
        f.service === service && (!f.method || f.method === method) && (!f.path || path.includes(f.path)),
    );
    if (i >= 0) {
      const f = this.state.failOnce[i]!;
      const left = (f.count ?? 1) - 1;
      this.state.failOnce =
        left > 0
          ? this.state.failOnce.map((x, j) => (j === i ? { ...x, count: left } : x))
          : this.state.failOnce.filter((_, j) => j !== i);
      const answer = f.shape
        ? fieldError(f.shape).answer({ retryAfterS: 1 })
        : failureResponse(service, f.status, 0);
      this.served.push({
        service,
        method,
        path,
        status: answer.status,
        kind: 'fail-once',
        ...(f.shape ? { shape: f.shape } : {}),
      });
      return answer;
    }
    if (this.state.throttleEvery > 0 && this.state.throttleServices.includes(service)) {
      this.counter += 1;
      if (this.counter % this.state.throttleEvery === 0) {
        this.served.push({ service, method, path, status: 429, kind: 'throttle' });
        return failureResponse(service, 429, this.state.throttleRetryAfterS);
      }
    }
    return undefined;
  }

  record(entry: LogEntry): void {
    this.log.push(entry);
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.log) {
      const k = `${e.service} ${e.method} ${e.endpoint}`;
      out[k] = (out[k] ?? 0) + 1;
    }
    return out;
  }
}

/** A generic failure for a status, in the recorded shape of the service that gives it. */
function failureResponse(service: Service, status: number, retryAfterS: number): SbResponse {
  const shaped = (id: string) => fieldError(id).answer({ retryAfterS });
  const withoutRetryAfter = (r: SbResponse): SbResponse =>
    retryAfterS > 0
      ? r
      : {
          ...r,
          headers: Object.fromEntries(Object.entries(r.headers ?? {}).filter(([k]) => k !== 'retry-after')),
        };
  if (service === 'token')
    return withoutRetryAfter(
      status === 429
        ? shaped('token.throttled.429')
        : status === 500
          ? shaped('token.server-error.500')
          : { ...shaped('token.unavailable.503'), status },
    );
  if (service === 'sharepoint' || service === 'teams')
    return withoutRetryAfter(
      status === 429
        ? shaped(`${service}.throttled.429`)
        : { ...shaped(`${service}.unavailable.503`), status },
    );
  if (service === 'exchange' || service === 'compliance' || service === 'compliance-region')
    return withoutRetryAfter(
      status === 429 ? shaped('exchange.throttled.429') : { ...shaped('exchange.unavailable.503'), status },
    );
  if (status === 429)
    return shaped(retryAfterS > 0 ? 'graph.throttled.429-retry-after' : 'graph.throttled.429-bare');
  if (status === 504) return shaped('graph.gateway-timeout.504');
  return withoutRetryAfter({ ...shaped('graph.unavailable.503'), status });
}
