import { cloudRow, type CloudName } from '../../core/clouds.js';

/** The PowerShell exo-cba prints: paste-ready lines for Exchange Online (and Security & Compliance) app-only sessions. */

const psQuote = (s: string) => `'${s.replace(/'/g, "''")}'`;

interface ConnectFacts {
  appId: string;
  thumbprint: string;
  organization: string;
  pfx?: string;
  cloud: CloudName;
  exchangeEnvironmentName: string;
}

const environmentOf = (p: ConnectFacts) =>
  p.cloud === 'global' ? '' : ` -ExchangeEnvironmentName ${p.exchangeEnvironmentName}`;
const pfxOf = (p: ConnectFacts) => (p.pfx ? psQuote(p.pfx) : "'<path to the .pfx>'");

/**
 * Windows: import the PFX into the user store (with a CSP key) and connect by thumbprint. The one owner of
 * these lines: every output that tells a job how to connect by thumbprint prints them from here.
 */
export function thumbprintConnectLines(p: ConnectFacts): string[] {
  return [
    `certutil -user -csp "Microsoft Enhanced RSA and AES Cryptographic Provider" -importPFX My ${pfxOf(p)}`,
    `Connect-ExchangeOnline -AppId ${p.appId} -CertificateThumbprint ${p.thumbprint}` +
      ` -Organization ${p.organization}${environmentOf(p)}`,
  ];
}

export function powershell(
  p: ConnectFacts & { compliance: boolean; servicePrincipalId?: string; appName?: string },
): string {
  const env = environmentOf(p);
  const pfx = pfxOf(p);
  const lines = [
    '# Windows: import the PFX into your user store with a CSP key (Exchange app-only auth does not support CNG keys);',
    '# certutil asks for the PFX password.',
    ...thumbprintConnectLines(p),
    '',
    '# Any OS (PowerShell 7): use the PFX file directly.',
    `$pfxPassword = Read-Host -AsSecureString -Prompt 'PFX password'`,
    `Connect-ExchangeOnline -AppId ${p.appId} -CertificateFilePath ${pfx} -CertificatePassword ` +
      `$pfxPassword -Organization ${p.organization}${env}`,
  ];
  if (p.compliance) {
    const cc = cloudRow(p.cloud).complianceConnection;
    const endpoints = cc
      ? ` -ConnectionUri ${cc.connectionUri} -AzureADAuthorizationEndpointUri ${cc.authorizationEndpoint}`
      : '';
    lines.push(
      '',
      '# Security & Compliance PowerShell (the rights serve it too):',
      `Connect-IPPSSession -AppId ${p.appId} -CertificateThumbprint ${p.thumbprint} -Organization ` +
        `${p.organization}${endpoints}`,
    );
  }
  return lines.join('\n');
}

/** For an app that holds a directory role: the finer Exchange RBAC alternative (rights on the service principal). */
export function rbacHint(p: {
  appId: string;
  servicePrincipalId: string;
  appName: string;
  role: string;
}): string {
  return [
    `New-ServicePrincipal -AppId ${p.appId} -ObjectId ${p.servicePrincipalId} -DisplayName ${psQuote(p.appName)}`,
    `Add-RoleGroupMember -Identity 'Recipient Management' -Member ${p.servicePrincipalId}`,
    `# then remove the ${p.role} directory role from the app in Entra ID > Roles and administrators.`,
  ].join('\n');
}
