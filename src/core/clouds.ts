import { usageError } from './errors.js';

export type CloudName = 'global' | 'gcchigh' | 'dod' | 'china';
export const CLOUD_NAMES: readonly CloudName[] = ['global', 'gcchigh', 'dod', 'china'];

export interface Cloud {
  name: CloudName;
  /** Where requests go. */
  authorityHost: string;
  graphEndpoint: string;
  exchangeEndpoint: string;
  /** What tokens are for: these never follow the endpoint overrides. */
  graphResource: string;
  exchangeResource: string;
  exchangeEnvironmentName: string;
  /** Connect-IPPSSession's endpoints outside the global cloud (Security & Compliance PowerShell). */
  complianceConnection?: { connectionUri: string; authorizationEndpoint: string };
  /** The initial domain suffix of tenants in this cloud. */
  initialDomainSuffix: string;
}

/**
 * Microsoft's clouds, one row each with every endpoint exo-cba uses: adding a cloud is adding a row here.
 * Sources: learn.microsoft.com/graph/deployments; Connect-ExchangeOnline and Connect-IPPSSession reference
 * pages (-ExchangeEnvironmentName, -ConnectionUri, -AzureADAuthorizationEndpointUri).
 */
const CLOUDS: Record<CloudName, Omit<Cloud, 'name'>> = {
  global: {
    authorityHost: 'https://login.microsoftonline.com',
    graphEndpoint: 'https://graph.microsoft.com',
    exchangeEndpoint: 'https://outlook.office365.com',
    graphResource: 'https://graph.microsoft.com',
    exchangeResource: 'https://outlook.office365.com',
    exchangeEnvironmentName: 'O365Default',
    initialDomainSuffix: '.onmicrosoft.com',
  },
  gcchigh: {
    authorityHost: 'https://login.microsoftonline.us',
    graphEndpoint: 'https://graph.microsoft.us',
    exchangeEndpoint: 'https://outlook.office365.us',
    graphResource: 'https://graph.microsoft.us',
    exchangeResource: 'https://outlook.office365.us',
    exchangeEnvironmentName: 'O365USGovGCCHigh',
    initialDomainSuffix: '.onmicrosoft.us',
    complianceConnection: {
      connectionUri: 'https://ps.compliance.protection.office365.us/powershell-liveid/',
      authorizationEndpoint: 'https://login.microsoftonline.us/common',
    },
  },
  dod: {
    authorityHost: 'https://login.microsoftonline.us',
    graphEndpoint: 'https://dod-graph.microsoft.us',
    exchangeEndpoint: 'https://outlook-dod.office365.us',
    graphResource: 'https://dod-graph.microsoft.us',
    exchangeResource: 'https://outlook-dod.office365.us',
    exchangeEnvironmentName: 'O365USGovDoD',
    initialDomainSuffix: '.onmicrosoft.us',
    complianceConnection: {
      connectionUri: 'https://l5.ps.compliance.protection.office365.us/powershell-liveid/',
      authorizationEndpoint: 'https://login.microsoftonline.us/common',
    },
  },
  china: {
    authorityHost: 'https://login.chinacloudapi.cn',
    graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn',
    exchangeEndpoint: 'https://partner.outlook.cn',
    graphResource: 'https://microsoftgraph.chinacloudapi.cn',
    exchangeResource: 'https://partner.outlook.cn',
    exchangeEnvironmentName: 'O365China',
    initialDomainSuffix: '.partner.onmschina.cn',
    complianceConnection: {
      connectionUri: 'https://ps.compliance.protection.partner.outlook.cn/powershell-liveid',
      authorizationEndpoint: 'https://login.chinacloudapi.cn/common',
    },
  },
};

/** MSAL ships discovery metadata for these hosts; any other needs knownAuthorities. */
export const MSAL_KNOWN_HOSTS = [
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.partner.microsoftonline.cn',
];

export const ENDPOINT_ENV = {
  authorityHost: 'EXO_CBA_AUTHORITY_HOST',
  graphEndpoint: 'EXO_CBA_GRAPH_ENDPOINT',
  exchangeEndpoint: 'EXO_CBA_EXCHANGE_ENDPOINT',
} as const;

export function parseCloudName(value: string): CloudName {
  const v = value.trim().toLowerCase();
  if ((CLOUD_NAMES as readonly string[]).includes(v)) return v as CloudName;
  throw usageError(`Unknown cloud '${value}'.`, `Use one of: ${CLOUD_NAMES.join(', ')}.`);
}

/** Validates an endpoint override: a bare https origin, optionally with a port. */
export function parseOrigin(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(
      `${name} is not a URL: '${value}'.`,
      `Set it to an https origin such as https://login.example.net:8443.`,
    );
  }
  if (url.protocol !== 'https:')
    throw usageError(
      `${name} must use https, got '${value}'.`,
      'Identity and Graph traffic is only sent over TLS.',
    );
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username) {
    throw usageError(
      `${name} must be an origin only (https://host[:port]), got '${value}'.`,
      'Drop the path, query and credentials.',
    );
  }
  return url.origin;
}

/** The cloud's endpoints with any EXO_CBA_* overrides applied; resources stay those of the cloud. */
export function resolveCloud(name: CloudName, env: Record<string, string | undefined>): Cloud {
  const base: Cloud = { name, ...CLOUDS[name] };
  for (const key of Object.keys(ENDPOINT_ENV) as (keyof typeof ENDPOINT_ENV)[]) {
    const raw = env[ENDPOINT_ENV[key]];
    if (raw !== undefined && raw.trim() !== '') base[key] = parseOrigin(ENDPOINT_ENV[key], raw.trim());
  }
  return base;
}

/** A cloud's published row, without the EXO_CBA_* overrides (what printed PowerShell must name). */
export function cloudRow(name: CloudName): Cloud {
  return { name, ...CLOUDS[name] };
}

export function isOverridden(cloud: Cloud): boolean {
  const base = CLOUDS[cloud.name];
  return (
    base.authorityHost !== cloud.authorityHost ||
    base.graphEndpoint !== cloud.graphEndpoint ||
    base.exchangeEndpoint !== cloud.exchangeEndpoint
  );
}
