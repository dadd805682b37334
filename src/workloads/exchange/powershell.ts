import type { ConnectFacts, ConnectText } from '../workload.js';
import { environmentName } from './endpoints.js';

/** The PowerShell exo-cba prints for Exchange Online app-only sessions: the one owner of these lines. */

const psQuote = (s: string): string => `'${s.replace(/'/g, "''")}'`;
export const pfxOf = (p: ConnectFacts): string => (p.pfx ? psQuote(p.pfx) : "'<path to the .pfx>'");

const environmentOf = (p: ConnectFacts) =>
  p.cloud === 'global' ? '' : ` -ExchangeEnvironmentName ${environmentName(p.cloud)}`;

/** Windows: import the PFX into the user store with a CSP key (Exchange app-only auth does not support CNG keys). */
export const certutilImport = (p: ConnectFacts): string =>
  `certutil -user -csp "Microsoft Enhanced RSA and AES Cryptographic Provider" -importPFX My ${pfxOf(p)}`;

function thumbprintLines(p: ConnectFacts): string[] {
  return [
    certutilImport(p),
    `Connect-ExchangeOnline -AppId ${p.appId} -CertificateThumbprint ${p.thumbprint}` +
      ` -Organization ${p.organization}${environmentOf(p)}`,
  ];
}

function lines(p: ConnectFacts): string {
  return [
    '# Windows: import the PFX into your user store with a CSP key (Exchange app-only auth does not support CNG keys);',
    '# certutil asks for the PFX password.',
    ...thumbprintLines(p),
    '',
    '# Any OS (PowerShell 7): use the PFX file directly.',
    `$pfxPassword = Read-Host -AsSecureString -Prompt 'PFX password'`,
    `Connect-ExchangeOnline -AppId ${p.appId} -CertificateFilePath ${pfxOf(p)} -CertificatePassword ` +
      `$pfxPassword -Organization ${p.organization}${environmentOf(p)}`,
    '',
    '# Security & Compliance PowerShell takes an app of its own: exo-cba init --workload compliance',
  ].join('\n');
}

/** For an app that holds a directory role: the finer Exchange RBAC alternative (rights on the service principal). */
function narrower(p: ConnectFacts & { role: string }): string[] {
  if (p.rights?.kind !== 'directory-role')
    return [`The app holds ${p.role}: it can run only those roles' cmdlets.`];
  return [
    'Narrower than a directory role: exo-cba init --exchange-role-group NAME (Exchange RBAC on the app), ' +
      'which does this for you:',
    `New-ServicePrincipal -AppId ${p.appId} -ObjectId ${p.servicePrincipalId ?? '<service principal id>'} ` +
      `-DisplayName ${psQuote(p.appName ?? '')}`,
    `Add-RoleGroupMember -Identity 'Recipient Management' -Member ${p.servicePrincipalId ?? '<service principal id>'}`,
    `# then remove the ${p.role} directory role from the app in Entra ID > Roles and administrators.`,
  ];
}

export const exchangeConnect: ConnectText = { lines, thumbprintLines, narrower };
