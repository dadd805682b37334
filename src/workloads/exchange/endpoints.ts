import { parseOrigin, type CloudName } from '../../core/clouds.js';
import type { Env, WorkloadEndpoint } from '../workload.js';

/**
 * Exchange Online's endpoint and token resource in each cloud, and Connect-ExchangeOnline's
 * -ExchangeEnvironmentName there (Connect-ExchangeOnline reference; learn.microsoft.com/graph/deployments for
 * the clouds). Adding a cloud adds a row here, beside its row in core/clouds.ts.
 */
const ROWS: Record<CloudName, { url: string; environmentName: string }> = {
  global: { url: 'https://outlook.office365.com', environmentName: 'O365Default' },
  gcchigh: { url: 'https://outlook.office365.us', environmentName: 'O365USGovGCCHigh' },
  dod: { url: 'https://outlook-dod.office365.us', environmentName: 'O365USGovDoD' },
  china: { url: 'https://partner.outlook.cn', environmentName: 'O365China' },
};

export const EXCHANGE_ENDPOINT_ENV = 'EXO_CBA_EXCHANGE_ENDPOINT';

export function environmentName(cloud: CloudName): string {
  return ROWS[cloud].environmentName;
}

/** The token resource is the cloud's own host; requests follow EXO_CBA_EXCHANGE_ENDPOINT when it is set. */
export function exchangeEndpoint(cloud: CloudName, env: Env): WorkloadEndpoint {
  const raw = env[EXCHANGE_ENDPOINT_ENV]?.trim();
  return {
    resource: ROWS[cloud].url,
    url: raw ? parseOrigin(EXCHANGE_ENDPOINT_ENV, raw) : ROWS[cloud].url,
  };
}
