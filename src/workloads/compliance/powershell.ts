import type { ConnectText } from '../workload.js';
import { connectLinesFor } from '../exchange/powershell.js';
import { connectionOf } from './endpoints.js';

/** The PowerShell exo-cba prints for Security & Compliance app-only sessions (Connect-IPPSSession, module 3.0+). */
export const complianceConnect: ConnectText = connectLinesFor({
  cmdlet: 'Connect-IPPSSession',
  cloudParameters: (p) => {
    const c = connectionOf(p.cloud);
    return c
      ? ` -ConnectionUri ${c.connectionUri} -AzureADAuthorizationEndpointUri ${c.authorizationEndpoint}`
      : '';
  },
});
