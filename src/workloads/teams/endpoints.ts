import { parseOrigin, type CloudName } from '../../core/clouds.js';
import type { Env, WorkloadEndpoint } from '../workload.js';
import { TEAMS_API_APP_ID } from './facts.js';

/**
 * Teams' tenant admin API and Connect-MicrosoftTeams' -TeamsEnvironmentName per cloud. The token resource is
 * the API's appId in every cloud (the article's `48ac35b8-…/.default`; the authority decides the cloud). The
 * API's host is in the sources for the global cloud only (monkey365, CIPP-API, and the module's own
 * CmdletSettings.json "MultiTenant" row): elsewhere the proof stops at the token (its audience and `wids`)
 * unless EXO_CBA_TEAMS_ENDPOINT names the host. Module versions: application-based auth from 4.7.1-preview
 * (commercial, GCC), 5.0.1-preview (GCC High, DoD); -Certificate from 4.9.2-preview.
 */
interface Row {
  /** Where `GET /Teams.Tenant/tenants` goes; undefined where no source names it. */
  api?: string;
  /** -TeamsEnvironmentName (none in the global cloud and GCC, which are the default). */
  environmentName?: string;
  /** The module version application-based authentication needs there (none where the article names none). */
  moduleVersion?: string;
}

const ROWS: Record<CloudName, Row> = {
  global: { api: 'https://api.interfaces.records.teams.microsoft.com', moduleVersion: '4.7.1-preview' },
  gcchigh: { environmentName: 'TeamsGCCH', moduleVersion: '5.0.1-preview' },
  dod: { environmentName: 'TeamsDOD', moduleVersion: '5.0.1-preview' },
  // The article names no 21Vianet support for application-based authentication; the module connects there
  // with -TeamsEnvironmentName TeamsChina (Set-TeamsEnvironmentConfig reference).
  china: { environmentName: 'TeamsChina' },
};

export const TEAMS_ENDPOINT_ENV = 'EXO_CBA_TEAMS_ENDPOINT';

/** The tenant admin API's origin for this run: EXO_CBA_TEAMS_ENDPOINT, else the cloud's, else none. */
export function teamsApiOrigin(cloud: CloudName, env: Env): string | undefined {
  const raw = env[TEAMS_ENDPOINT_ENV]?.trim();
  return raw ? parseOrigin(TEAMS_ENDPOINT_ENV, raw) : ROWS[cloud].api;
}

/** What the workload's tokens are for, and where its API is ('' where no source names the host). */
export function teamsEndpoint(cloud: CloudName, env: Env): WorkloadEndpoint {
  return { resource: TEAMS_API_APP_ID, url: teamsApiOrigin(cloud, env) ?? '' };
}

export function environmentName(cloud: CloudName): string | undefined {
  return ROWS[cloud].environmentName;
}

export function moduleVersion(cloud: CloudName): string | undefined {
  return ROWS[cloud].moduleVersion;
}
