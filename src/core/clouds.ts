import { usageError } from './errors.js';

export type CloudName = 'global' | 'gcchigh' | 'dod' | 'china';
export const CLOUD_NAMES: readonly CloudName[] = ['global', 'gcchigh', 'dod', 'china'];

export interface Cloud {
  name: CloudName;
  /** Where requests go. */
  authorityHost: string;
  graphEndpoint: string;
  /** What Graph tokens are for: this never follows the endpoint overrides. */
  graphResource: string;
  /** The initial domain suffix of tenants in this cloud. */
  initialDomainSuffix: string;
}

/**
 * Microsoft's clouds, one row each with the sign-in and Graph endpoints every workload uses (source:
 * learn.microsoft.com/graph/deployments). Each workload keeps its own endpoints per cloud
 * (workloads/<name>/endpoints.ts): adding a cloud is a row here and a row in each of those.
 */
const CLOUDS: Record<CloudName, Omit<Cloud, 'name'>> = {
  global: {
    authorityHost: 'https://login.microsoftonline.com',
    graphEndpoint: 'https://graph.microsoft.com',
    graphResource: 'https://graph.microsoft.com',
    initialDomainSuffix: '.onmicrosoft.com',
  },
  gcchigh: {
    authorityHost: 'https://login.microsoftonline.us',
    graphEndpoint: 'https://graph.microsoft.us',
    graphResource: 'https://graph.microsoft.us',
    initialDomainSuffix: '.onmicrosoft.us',
  },
  dod: {
    authorityHost: 'https://login.microsoftonline.us',
    graphEndpoint: 'https://dod-graph.microsoft.us',
    graphResource: 'https://dod-graph.microsoft.us',
    initialDomainSuffix: '.onmicrosoft.us',
  },
  china: {
    authorityHost: 'https://login.chinacloudapi.cn',
    graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn',
    graphResource: 'https://microsoftgraph.chinacloudapi.cn',
    initialDomainSuffix: '.partner.onmschina.cn',
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

export function isOverridden(cloud: Cloud): boolean {
  const base = CLOUDS[cloud.name];
  return base.authorityHost !== cloud.authorityHost || base.graphEndpoint !== cloud.graphEndpoint;
}
