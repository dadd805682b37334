import type { FederationSpec, GitHubOn } from '../../tenant/federation.js';

/**
 * The ready-to-paste pipeline for a trust: it gets the CI system's OIDC token, exchanges it with
 * `exo-cba token --federated` and connects Exchange Online PowerShell with the access token
 * (`Connect-ExchangeOnline -AccessToken`, module 3.1.0 or later, with `-Organization` for an app-only token).
 * No secret is stored: the app id and tenant are plain variables.
 */

export interface PipelineFor {
  spec: FederationSpec;
  appId: string;
  tenantId: string;
  organization: string;
}

export interface Pipeline {
  /** Where the file goes in the repository. */
  file: string;
  text: string;
}

const PWSH_CONNECT = (organization: string) => [
  'Install-Module ExchangeOnlineManagement -MinimumVersion 3.1.0 -Scope CurrentUser -Force',
  '$token = npx --yes exo-cba token --federated',
  `Connect-ExchangeOnline -AccessToken $token -Organization ${organization} -ShowBanner:$false`,
  'Get-AcceptedDomain | Format-Table Name, DomainType',
  'Disconnect-ExchangeOnline -Confirm:$false',
];

/** The workflow's trigger and, for an environment, the job's environment line; the subject must match the run. */
function githubTrigger(on: GitHubOn): { on: string[]; job: string[] } {
  switch (on.kind) {
    case 'environment':
      return {
        on: ['on:', "  schedule: [{ cron: '0 6 * * *' }]", '  workflow_dispatch:'],
        job: [`    environment: ${on.name}`],
      };
    case 'branch':
      return {
        on: [
          `# Scheduled runs use the default branch: this trusts ${on.name}, so make it the default branch`,
          `# or run it with workflow_dispatch on ${on.name}.`,
          'on:',
          "  schedule: [{ cron: '0 6 * * *' }]",
          '  workflow_dispatch:',
        ],
        job: [],
      };
    case 'tag':
      return { on: ['on:', '  push:', `    tags: ['${on.name}']`], job: [] };
    case 'pull-request':
      return { on: ['on:', '  pull_request:'], job: [] };
  }
}

function github(p: PipelineFor, on: GitHubOn): Pipeline {
  const t = githubTrigger(on);
  const text = [
    'name: exchange-connection',
    ...t.on,
    'permissions:',
    '  id-token: write # the OIDC token exo-cba exchanges; without it the job has no token to offer',
    '  contents: read',
    'jobs:',
    '  exchange:',
    '    runs-on: ubuntu-latest',
    ...t.job,
    '    env:',
    `      EXO_CBA_APP_ID: ${p.appId}`,
    `      EXO_CBA_TENANT: ${p.tenantId}`,
    '    steps:',
    '      - uses: actions/setup-node@v4',
    '        with: { node-version: 20 }',
    '      - name: Exchange Online PowerShell with a federated token (no certificate, no secret)',
    '        shell: pwsh',
    '        run: |',
    ...PWSH_CONNECT(p.organization).map((l) => `          ${l}`),
  ];
  return { file: '.github/workflows/exchange-connection.yml', text: text.join('\n') };
}

function azureDevOps(p: PipelineFor, serviceConnection: string): Pipeline {
  const text = [
    'schedules:',
    "  - cron: '0 6 * * *'",
    '    displayName: daily Exchange connection',
    '    branches: { include: [main] }',
    '    always: true',
    'pool: { vmImage: ubuntu-latest }',
    'variables:',
    `  EXO_CBA_APP_ID: ${p.appId}`,
    `  EXO_CBA_TENANT: ${p.tenantId}`,
    'steps:',
    '  - task: NodeTool@0',
    "    inputs: { versionSpec: '20.x' }",
    '  # The service connection (workload identity federation) hands the job its OIDC token as $idToken.',
    '  - task: AzureCLI@2',
    '    inputs:',
    `      azureSubscription: ${serviceConnection}`,
    '      scriptType: pscore',
    '      scriptLocation: inlineScript',
    '      addSpnToEnvironment: true',
    '      inlineScript: |',
    '        $file = Join-Path $env:AGENT_TEMPDIRECTORY federated-token',
    '        Set-Content -Path $file -Value $env:idToken -NoNewline',
    '        $env:AZURE_FEDERATED_TOKEN_FILE = $file',
    ...PWSH_CONNECT(p.organization).map((l) => `        ${l}`),
  ];
  return { file: 'azure-pipelines.yml', text: text.join('\n') };
}

function gitlab(p: PipelineFor): Pipeline {
  const text = [
    'exchange-connection:',
    '  image: node:20',
    '  id_tokens:',
    '    EXO_CBA_ID_TOKEN:',
    '      aud: api://AzureADTokenExchange',
    '  variables:',
    `    EXO_CBA_APP_ID: ${p.appId}`,
    `    EXO_CBA_TENANT: ${p.tenantId}`,
    '  rules:',
    '    - if: $CI_PIPELINE_SOURCE == "schedule"',
    '  script:',
    '    - printf "%s" "$EXO_CBA_ID_TOKEN" > "$CI_BUILDS_DIR/federated-token"',
    '    - export AZURE_FEDERATED_TOKEN_FILE="$CI_BUILDS_DIR/federated-token"',
    '    # Proves the exchange; a job with PowerShell 7 (pwsh) connects with the same token:',
    ...PWSH_CONNECT(p.organization).map((l) => `    #   ${l}`),
    '    - npx --yes exo-cba token --federated > /dev/null && echo "federated sign-in works"',
  ];
  return { file: '.gitlab-ci.yml', text: text.join('\n') };
}

/** The pipeline for the trust's provider; none for a bare issuer (exo-cba does not know that CI system). */
export function pipelineFor(p: PipelineFor): Pipeline | undefined {
  switch (p.spec.provider) {
    case 'github':
      return github(p, p.spec.on);
    case 'azure-devops':
      return azureDevOps(p, p.spec.serviceConnection);
    case 'gitlab':
      return gitlab(p);
    case 'issuer':
      return undefined;
  }
}
