import type { ConnectFacts, ConnectText } from '../workload.js';
import { environmentName, moduleVersion } from './endpoints.js';
import { UNSUPPORTED_APP_ONLY } from './facts.js';

/**
 * The PowerShell exo-cba prints for Teams app-only sessions (MicrosoftTeams module): the one owner of these
 * lines. Connect-MicrosoftTeams' certificate parameter sets take no -TeamsEnvironmentName, so a sovereign
 * cloud is named first with Set-TeamsEnvironmentConfig (its reference: the setting is used by the next
 * Connect-MicrosoftTeams).
 */

const psQuote = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const pfxOf = (p: ConnectFacts): string => (p.pfx ? psQuote(p.pfx) : "'<path to the .pfx>'");
/** -TenantId takes the tenant's id or its initial domain. */
const tenantOf = (p: ConnectFacts): string => p.organization;

const environment = (p: ConnectFacts): string[] => {
  const name = environmentName(p.cloud);
  return name ? [`Set-TeamsEnvironmentConfig -TeamsEnvironmentName ${name}`] : [];
};

const connect = (p: ConnectFacts, how: string) =>
  `Connect-MicrosoftTeams ${how} -ApplicationId ${p.appId} -TenantId ${tenantOf(p)}`;

/** Windows: the PFX in the user store (where -CertificateThumbprint looks), then connect by thumbprint. */
function thumbprintLines(p: ConnectFacts): string[] {
  return [
    `certutil -user -importPFX My ${pfxOf(p)}`,
    ...environment(p),
    connect(p, `-CertificateThumbprint ${p.thumbprint}`),
  ];
}

/** The cmdlets Microsoft documents as unsupported app-only, as comment lines. */
function unsupportedLines(): string[] {
  return [
    "# Not supported with application-based authentication (Microsoft's list): do not build a job on them:",
    ...UNSUPPORTED_APP_ONLY.map((u) => `#   ${u.cmdlets}${u.where ? ` (in ${u.where})` : ''}`),
  ];
}

function lines(p: ConnectFacts): string {
  const version = moduleVersion(p.cloud);
  return [
    `# MicrosoftTeams module${version ? ` ${version} or later (application-based authentication)` : ''}; ` +
      '-Certificate needs 4.9.2-preview or later.',
    '# Windows: import the PFX into your user certificate store (certutil asks for the PFX password);',
    '# -CertificateThumbprint looks for it there.',
    ...thumbprintLines(p),
    '',
    '# Any OS (PowerShell 7): load the PFX and pass the certificate.',
    `$pfxPassword = Read-Host -AsSecureString -Prompt 'PFX password'`,
    `$cert = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new(${pfxOf(p)}, $pfxPassword)`,
    ...environment(p),
    connect(p, '-Certificate $cert'),
    '',
    ...unsupportedLines(),
  ].join('\n');
}

export const teamsConnect: ConnectText = { lines, thumbprintLines };
