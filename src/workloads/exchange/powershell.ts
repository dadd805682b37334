import { cloudRow, type CloudName } from '../../core/clouds.js';

/** The PowerShell exo-cba prints: paste-ready lines for Exchange Online (and Security & Compliance) app-only sessions. */

const psQuote = (s: string) => `'${s.replace(/'/g, "''")}'`;

export function powershell(p: {
  appId: string;
  thumbprint: string;
  organization: string;
  pfx?: string;
  cloud: CloudName;
  exchangeEnvironmentName: string;
  compliance: boolean;
  servicePrincipalId?: string;
  appName?: string;
}): string {
  const env = p.cloud === 'global' ? '' : ` -ExchangeEnvironmentName ${p.exchangeEnvironmentName}`;
  const pfx = p.pfx ? psQuote(p.pfx) : "'<path to the .pfx>'";
  const lines = [
    '# Windows: import the PFX into your user store with a CSP key (Exchange app-only auth does not support CNG keys);',
    '# certutil asks for the PFX password.',
    `certutil -user -csp "Microsoft Enhanced RSA and AES Cryptographic Provider" -importPFX My ${pfx}`,
    `Connect-ExchangeOnline -AppId ${p.appId} -CertificateThumbprint ${p.thumbprint} -Organization ${p.organization}${env}`,
    '',
    '# Any OS (PowerShell 7): use the PFX file directly.',
    `$pfxPassword = Read-Host -AsSecureString -Prompt 'PFX password'`,
    `Connect-ExchangeOnline -AppId ${p.appId} -CertificateFilePath ${pfx} -CertificatePassword $pfxPassword -Organization ${p.organization}${env}`,
  ];
  if (p.compliance) {
    const cc = cloudRow(p.cloud).complianceConnection;
    const endpoints = cc
      ? ` -ConnectionUri ${cc.connectionUri} -AzureADAuthorizationEndpointUri ${cc.authorizationEndpoint}`
      : '';
    lines.push(
      '',
      '# Security & Compliance PowerShell (the rights serve it too):',
      `Connect-IPPSSession -AppId ${p.appId} -CertificateThumbprint ${p.thumbprint} -Organization ${p.organization}${endpoints}`,
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
