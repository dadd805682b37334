import { directoryRole } from '../../rights/directory-role.js';
import type { Workload } from '../workload.js';
import { makeExchangeProbe } from './admin-api.js';
import { exchangeAdmin } from './admin-session.js';
import { exchangeCmdlet, scoping } from './checks.js';
import { EXCHANGE_ENDPOINT_ENV, exchangeEndpoint } from './endpoints.js';
import { EXCHANGE_APP_ID, EXCHANGE_MANAGE_AS_APP, EXCHANGE_ROLES } from './facts.js';
import { exchangeConnect } from './powershell.js';
import { exchangeRbac } from './rbac.js';
import { verifyCmdlet, verifyExchange } from './verify.js';

/**
 * The Exchange Online workload (Connect-ExchangeOnline): everything exo-cba knows about Exchange, in one folder.
 *
 * - facts.ts          its identifiers, the app role, and the directory roles it accepts for app-only access
 * - endpoints.ts      its endpoint, token resource and environment name per cloud
 * - admin-api.ts      the admin API client (InvokeCommand) and how its answers are read (cmdlet-errors.ts)
 * - admin-session.ts  an admin's session with that API (for Exchange RBAC)
 * - rbac.ts           Exchange RBAC on the app's service principal, a rights strategy of its own
 * - verify.ts         the proof of a connection, with its diagnoses
 * - checks.ts         its `check` checks
 * - powershell.ts     the PowerShell lines exo-cba prints
 */
export const exchange: Workload = {
  name: 'exchange',
  service: 'Exchange Online',
  purpose: 'Exchange Online PowerShell (Connect-ExchangeOnline): mailboxes, recipients, transport, reports',
  defaultAppName: 'Exo Background Process',
  profileName: (domain) => domain,
  permissions: () => [
    {
      resourceAppId: EXCHANGE_APP_ID,
      resourceName: 'Office 365 Exchange Online',
      value: EXCHANGE_MANAGE_AS_APP,
    },
  ],
  roles: EXCHANGE_ROLES,
  strategies: [directoryRole, exchangeRbac],
  endpoint: exchangeEndpoint,
  endpointEnv: [EXCHANGE_ENDPOINT_ENV],
  verifyCall: (r) => `${verifyCmdlet(r)} in Exchange`,
  verify: verifyExchange,
  checks: [exchangeCmdlet, scoping],
  connect: exchangeConnect,
  adminSession: (deps, session) =>
    exchangeAdmin(makeExchangeProbe(exchangeEndpoint(deps.cloud.name, deps.env).url, deps.http), {
      tenantId: session.tenantId,
      organization: session.organization,
      token: () => session.token(exchangeEndpoint(deps.cloud.name, deps.env).resource),
    }),
};
