import { parseOrigin, type CloudName } from '../../core/clouds.js';
import type { Env, WorkloadEndpoint } from '../workload.js';

/**
 * S&C's REST host and token resource per cloud, and Connect-IPPSSession's -ConnectionUri and
 * -AzureADAuthorizationEndpointUri where the cloud needs them (app-only article; Maester's Connect-Maester.ps1).
 * DoD: Microsoft's article says https://compliance.dod.microsoft.com/powershell-liveid, Maester's code
 * https://l5.ps.compliance.protection.office365.us/powershell-liveid/; the two conflict, and the latter is kept
 * because it is what a working client uses.
 */
interface Row {
  url: string;
  connection?: { connectionUri: string; authorizationEndpoint: string };
}

const ROWS: Record<CloudName, Row> = {
  global: { url: 'https://ps.compliance.protection.outlook.com' },
  gcchigh: {
    url: 'https://ps.compliance.protection.office365.us',
    connection: {
      connectionUri: 'https://ps.compliance.protection.office365.us/powershell-liveid/',
      authorizationEndpoint: 'https://login.microsoftonline.us/common',
    },
  },
  dod: {
    url: 'https://l5.ps.compliance.protection.office365.us',
    connection: {
      connectionUri: 'https://l5.ps.compliance.protection.office365.us/powershell-liveid/',
      authorizationEndpoint: 'https://login.microsoftonline.us/common',
    },
  },
  china: {
    url: 'https://ps.compliance.protection.partner.outlook.cn',
    connection: {
      connectionUri: 'https://ps.compliance.protection.partner.outlook.cn/powershell-liveid',
      authorizationEndpoint: 'https://login.chinacloudapi.cn/common',
    },
  },
};

export const COMPLIANCE_ENDPOINT_ENV = 'EXO_CBA_COMPLIANCE_ENDPOINT';
/** Where the tenant's regional host is reached instead of the one the redirect names (a test stand-in). */
export const COMPLIANCE_REGION_ENDPOINT_ENV = 'EXO_CBA_COMPLIANCE_REGION_ENDPOINT';

export function complianceEndpoint(cloud: CloudName, env: Env): WorkloadEndpoint {
  const raw = env[COMPLIANCE_ENDPOINT_ENV]?.trim();
  return {
    resource: ROWS[cloud].url,
    url: raw ? parseOrigin(COMPLIANCE_ENDPOINT_ENV, raw) : ROWS[cloud].url,
  };
}

export function regionOverride(env: Env): string | undefined {
  const raw = env[COMPLIANCE_REGION_ENDPOINT_ENV]?.trim();
  return raw ? parseOrigin(COMPLIANCE_REGION_ENDPOINT_ENV, raw) : undefined;
}

export function connectionOf(cloud: CloudName): Row['connection'] {
  return ROWS[cloud].connection;
}
