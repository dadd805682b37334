import type { HttpTransport } from '../../adapters/http.js';
import { makeInvokeCommand, type ExchangeProbe } from '../exchange/admin-api.js';
import type { Env, WorkloadEndpoint } from '../workload.js';
import { regionOverride } from './endpoints.js';
import { ANCHOR_MAILBOX } from './facts.js';

/**
 * S&C's admin API: Exchange's InvokeCommand transport on S&C's host. The global host answers every call with
 * a redirect to the tenant's backend (`https://<backend>.admin.protection.outlook.com:446/…`), which no client
 * calls: field clients rewrite the host to `https://<backend first label>.ps.compliance.protection.outlook.com`
 * (CIPP-API New-ExoRequest.ps1; monkey365 replaces "admin" with "ps.compliance") and cache it per tenant.
 * exo-cba does the same, once per tenant and run; EXO_CBA_COMPLIANCE_REGION_ENDPOINT replaces the rewritten
 * host (a test stand-in serves every region on one origin).
 */
export function regionalOrigin(location: string, env: Env): string | undefined {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return undefined;
  }
  const m = /^([a-z0-9-]+)\.admin\.(protection\..+)$/i.exec(url.hostname);
  if (url.protocol !== 'https:' || !m) return undefined;
  return regionOverride(env) ?? `https://${m[1] ?? ''}.ps.compliance.${m[2] ?? ''}`;
}

export function makeComplianceApi(endpoint: WorkloadEndpoint, env: Env, http: HttpTransport): ExchangeProbe {
  const regions = new Map<string, string>();
  return makeInvokeCommand(
    {
      origin: (tenantId) => regions.get(tenantId) ?? endpoint.url,
      anchorMailbox: ({ tenantId }) => `APP:${ANCHOR_MAILBOX}@${tenantId}`,
      redirected: ({ tenantId, status, headers }) => {
        if (![301, 302, 307, 308].includes(status) || regions.has(tenantId)) return false;
        const origin = regionalOrigin(headers['location'] ?? '', env);
        if (!origin) return false;
        regions.set(tenantId, origin);
        return true;
      },
    },
    http,
  );
}
