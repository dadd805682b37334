import type { ConnectFacts, ConnectText } from '../workload.js';
import { certutilImport, pfxOf } from '../exchange/powershell.js';
import { connectionOf } from './endpoints.js';

/** The PowerShell exo-cba prints for Security & Compliance app-only sessions (Connect-IPPSSession, module 3.0+). */

const endpointsOf = (p: ConnectFacts) => {
  const c = connectionOf(p.cloud);
  return c
    ? ` -ConnectionUri ${c.connectionUri} -AzureADAuthorizationEndpointUri ${c.authorizationEndpoint}`
    : '';
};

function thumbprintLines(p: ConnectFacts): string[] {
  return [
    certutilImport(p),
    `Connect-IPPSSession -AppId ${p.appId} -CertificateThumbprint ${p.thumbprint}` +
      ` -Organization ${p.organization}${endpointsOf(p)}`,
  ];
}

function lines(p: ConnectFacts): string {
  return [
    '# Windows: import the PFX into your user store with a CSP key (app-only auth does not support CNG keys);',
    '# certutil asks for the PFX password. -CertificateThumbprint works on Windows only.',
    ...thumbprintLines(p),
    '',
    '# Any OS (PowerShell 7): use the PFX file directly.',
    `$pfxPassword = Read-Host -AsSecureString -Prompt 'PFX password'`,
    `Connect-IPPSSession -AppId ${p.appId} -CertificateFilePath ${pfxOf(p)} -CertificatePassword ` +
      `$pfxPassword -Organization ${p.organization}${endpointsOf(p)}`,
  ].join('\n');
}

export const complianceConnect: ConnectText = { lines, thumbprintLines };
