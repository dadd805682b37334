import type { ConnectFacts, ConnectText } from '../workload.js';
import { environmentName } from './endpoints.js';

/**
 * The PowerShell exo-cba prints for the ExchangeOnlineManagement module's app-only sessions: the one owner of
 * these lines. Connect-ExchangeOnline and Connect-IPPSSession take the same certificate forms; each workload
 * says its cmdlet and what it adds per cloud (connectLinesFor).
 */

const psQuote = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const pfxOf = (p: ConnectFacts): string => (p.pfx ? psQuote(p.pfx) : "'<path to the .pfx>'");

/** Every way to connect with the module's certificate parameters, for one connect cmdlet. */
export function connectLinesFor(o: {
  cmdlet: string;
  /** What the cmdlet needs besides -Organization in this cloud (-ExchangeEnvironmentName, -ConnectionUri …). */
  cloudParameters(p: ConnectFacts): string;
  /** Lines after the connect lines. */
  after?: string[];
}): Pick<ConnectText, 'lines' | 'thumbprintLines'> {
  // Windows: import the PFX into the user store with a CSP key (app-only auth does not support CNG keys).
  const thumbprintLines = (p: ConnectFacts) => [
    `certutil -user -csp "Microsoft Enhanced RSA and AES Cryptographic Provider" -importPFX My ${pfxOf(p)}`,
    `${o.cmdlet} -AppId ${p.appId} -CertificateThumbprint ${p.thumbprint}` +
      ` -Organization ${p.organization}${o.cloudParameters(p)}`,
  ];
  const lines = (p: ConnectFacts) =>
    [
      '# Windows: import the PFX into your user store with a CSP key (app-only auth does not support CNG keys);',
      '# certutil asks for the PFX password. -CertificateThumbprint works on Windows only.',
      ...thumbprintLines(p),
      '',
      '# Any OS (PowerShell 7): use the PFX file directly.',
      `$pfxPassword = Read-Host -AsSecureString -Prompt 'PFX password'`,
      `${o.cmdlet} -AppId ${p.appId} -CertificateFilePath ${pfxOf(p)} -CertificatePassword ` +
        `$pfxPassword -Organization ${p.organization}${o.cloudParameters(p)}`,
      ...(o.after ?? []),
    ].join('\n');
  return { lines, thumbprintLines };
}

/** For an app that holds a directory role: the finer Exchange RBAC alternative (rights on the service principal). */
function narrower(p: ConnectFacts & { role: string }): string[] {
  if (p.rights?.kind !== 'directory-role')
    return [`The app holds ${p.role}: it can run only those roles' cmdlets.`];
  const sp = p.servicePrincipalId ?? '<service principal id>';
  return [
    'Narrower than a directory role: exo-cba init --exchange-role-group NAME (Exchange RBAC on the app), ' +
      'which does this for you:',
    `New-ServicePrincipal -AppId ${p.appId} -ObjectId ${sp} -DisplayName ${psQuote(p.appName ?? '')}`,
    `Add-RoleGroupMember -Identity 'Recipient Management' -Member ${sp}`,
    `# then remove the ${p.role} directory role from the app in Entra ID > Roles and administrators.`,
  ];
}

export const exchangeConnect: ConnectText = {
  ...connectLinesFor({
    cmdlet: 'Connect-ExchangeOnline',
    cloudParameters: (p) =>
      p.cloud === 'global' ? '' : ` -ExchangeEnvironmentName ${environmentName(p.cloud)}`,
    after: [
      '',
      '# Security & Compliance PowerShell takes an app of its own: exo-cba init --workload compliance',
    ],
  }),
  narrower,
};
