import { describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { WORKLOAD_FIELD_ERRORS } from '../../src/sandbox/field-errors-workloads.js';
import { readOrganization, readTenants } from '../../src/workloads/teams/api.js';
import { roleInToken } from '../../src/workloads/teams/verify.js';
import { teamsConnect } from '../../src/workloads/teams/powershell.js';
import { UNSUPPORTED_APP_ONLY } from '../../src/workloads/teams/facts.js';
import { workloadNamed } from '../../src/workloads/index.js';
import { resolveCloud, type CloudName } from '../../src/core/clouds.js';
import { parseRole } from '../../src/rights/roles.js';
import { CliError } from '../../src/core/errors.js';
import type { AppCredential } from '../../src/adapters/identity.js';
import type { ConnectFacts, WorkloadDeps } from '../../src/workloads/index.js';

/** The Teams workload's logic in-process: answers read by payload, the role in the token, the printed lines, the proof. */

const TENANT = '8eb3ef12-e3f1-4ff2-a934-09c9d8501965';
const TEAMS_ADMIN = '69091246-20e8-4a56-aa4d-066075b2a7a8';
const EXCHANGE_ADMIN = '29232cdf-9323-42fd-ade2-1d097af3e4de';
const buf = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
const teams = workloadNamed('teams');

describe('Teams answers are read by their payload', () => {
  test("every recorded Teams field answer is classified (the sandbox's catalogue)", () => {
    const expected: Record<string, string> = {
      'teams.no-role.403': 'forbidden',
      'teams.throttled.429': 'throttled',
      'teams.unavailable.503': 'unavailable',
    };
    const recorded = WORKLOAD_FIELD_ERRORS.filter((f) => f.service === 'teams');
    assert.deepEqual(recorded.map((f) => f.id).sort(), Object.keys(expected).sort());
    for (const f of recorded) {
      const r = f.answer({ retryAfterS: 2 });
      const a = readTenants(r.status, buf(r.body), r.headers ?? {}, TENANT);
      assert.equal(a.ok, false, f.id);
      if (a.ok) continue;
      assert.equal(a.kind, expected[f.id], f.id);
      if (a.kind !== 'forbidden') assert.equal(a.retryAfterMs, 2000, f.id);
    }
  });

  test("the tenant admin API's tenant is an answer; anything else at 200 is not", () => {
    const ok = readTenants(200, buf([{ tenantId: TENANT, displayName: 'Contoso' }]), {}, TENANT);
    assert.deepEqual(ok, { ok: true, tenantId: TENANT, displayName: 'Contoso' });
    for (const body of ['', '<html>', '[]', '{}', JSON.stringify([{ id: TENANT }])])
      assert.equal(readTenants(200, buf(body), {}, TENANT).ok, false, body);
    const other = readTenants(200, buf([{ tenantId: '00000000-0000-0000-0000-000000000001' }]), {}, TENANT);
    assert.equal(other.ok ? 'ok' : other.kind, 'unrecognised');
    const r401 = readTenants(
      401,
      buf({ code: 'Unauthorized', message: 'Authentication failed' }),
      {},
      TENANT,
    );
    assert.equal(r401.ok ? 'ok' : r401.kind, 'refused');
    const r500 = readTenants(418, buf('teapot'), {}, TENANT);
    assert.equal(r500.ok ? 'ok' : r500.kind, 'unrecognised');
  });

  test("Graph's organization: the tenant, a denial, a missing service principal, and nothing else", () => {
    const ok = readOrganization(200, buf({ value: [{ id: TENANT, displayName: 'Contoso' }] }), {}, TENANT);
    assert.equal(ok.ok, true);
    const denied = readOrganization(
      403,
      buf({
        error: {
          code: 'Authorization_RequestDenied',
          message: 'Insufficient privileges to complete the operation.',
        },
      }),
      {},
      TENANT,
    );
    assert.equal(denied.ok ? 'ok' : denied.kind, 'forbidden');
    const noSp = readOrganization(
      401,
      buf({
        error: {
          code: 'Authorization_IdentityNotFound',
          message: 'The identity of the calling application could not be established.',
        },
      }),
      {},
      TENANT,
    );
    assert.equal(noSp.ok ? 'ok' : noSp.kind, 'no-identity');
    assert.equal(readOrganization(200, buf({ value: [] }), {}, TENANT).ok, false);
    const busy = readOrganization(429, buf(''), { 'retry-after': '3' }, TENANT);
    assert.deepEqual(busy.ok ? undefined : [busy.kind, busy.retryAfterMs], ['throttled', 3000]);
  });
});

describe('Teams roles', () => {
  test('the token must carry a role Teams accepts in wids', () => {
    assert.equal(roleInToken({ wids: [TEAMS_ADMIN] }), undefined);
    const d = roleInToken({ wids: [EXCHANGE_ADMIN] });
    assert.match(d?.what ?? '', /no directory role Teams accepts/);
    assert.equal(d?.replicating, true);
    assert.ok(roleInToken({}));
    // The profile's own role counts, whatever the catalogue lists (a role found by name in the tenant).
    const own = {
      kind: 'directory-role' as const,
      templateId: 'aaaaaaaa-0000-0000-0000-000000000001',
      name: 'Teams Reader',
    };
    assert.equal(roleInToken({ wids: [own.templateId] }, own), undefined);
  });

  test('least privilege first, Teams Administrator by default, and Exchange and compliance roles refused', () => {
    const keys = teams.roles.accepted.map((r) => r.key);
    assert.equal(keys[0], 'global-reader');
    assert.equal(keys.at(-1), 'global-administrator');
    assert.equal(teams.roles.defaultKey, 'teams-administrator');
    for (const role of ['exchange-administrator', 'Compliance Administrator', EXCHANGE_ADMIN])
      assert.throws(
        () => parseRole(teams.roles, teams.service, role),
        (e: unknown) =>
          e instanceof CliError && e.exitCode === 2 && /does not serve Microsoft Teams/.test(e.message),
      );
  });
});

describe('the printed Connect-MicrosoftTeams lines', () => {
  const facts = (cloud: CloudName): ConnectFacts => ({
    appId: '3b3e4d4d-d6d6-4e83-a9fa-1b619aaa40a6',
    thumbprint: '266DF92AC7DE9E2A4D02E20D880778035FBC0B41',
    organization: 'contoso.onmicrosoft.com',
    pfx: "/home/o'neil/teams.pfx",
    cloud,
  });

  test('global: the thumbprint form, the cross-platform X509Certificate2 form, and the unsupported cmdlets', () => {
    const text = teamsConnect.lines(facts('global'));
    assert.match(
      text,
      /^Connect-MicrosoftTeams -CertificateThumbprint 266DF92AC7DE9E2A4D02E20D880778035FBC0B41 -ApplicationId 3b3e4d4d-d6d6-4e83-a9fa-1b619aaa40a6 -TenantId contoso\.onmicrosoft\.com$/m,
    );
    assert.match(text, /X509Certificate2\]::new\('\/home\/o''neil\/teams\.pfx', \$pfxPassword\)/);
    assert.match(text, /^Connect-MicrosoftTeams -Certificate \$cert -ApplicationId /m);
    assert.match(text, /#\s+New-Team$/m);
    assert.doesNotMatch(text, /Set-TeamsEnvironmentConfig/);
  });

  test('sovereign clouds name their environment before each connect line (the certificate sets take no -TeamsEnvironmentName)', () => {
    for (const [cloud, name] of [
      ['gcchigh', 'TeamsGCCH'],
      ['dod', 'TeamsDOD'],
      ['china', 'TeamsChina'],
    ] as const) {
      const lines = teamsConnect.lines(facts(cloud)).split('\n');
      const connects = lines.flatMap((l, i) => (l.startsWith('Connect-MicrosoftTeams') ? [i] : []));
      assert.equal(connects.length, 2, cloud);
      for (const i of connects)
        assert.equal(lines[i - 1], `Set-TeamsEnvironmentConfig -TeamsEnvironmentName ${name}`);
      assert.ok(!lines.some((l) => /Connect-MicrosoftTeams .*-TeamsEnvironmentName/.test(l)));
    }
    assert.match(teamsConnect.lines(facts('gcchigh')), /5\.0\.1-preview or later/);
    assert.deepEqual(teamsConnect.thumbprintLines(facts('dod')).slice(1, 2), [
      'Set-TeamsEnvironmentConfig -TeamsEnvironmentName TeamsDOD',
    ]);
  });
});

describe('the proof with two tokens (in-process)', () => {
  const cred: AppCredential = { clientId: 'app', tenant: TENANT, keyPem: 'k', thumbprintSha256: 't' };
  function world(o: {
    cloud: CloudName;
    env?: Record<string, string>;
    graphRoles?: string[];
    teams?: number;
  }) {
    let now = Date.parse('2026-12-01T00:00:00Z');
    const calls: string[] = [];
    const ctx = {
      clock: { now: () => new Date(now), sleep: async (ms: number) => void (now += ms) },
      out: {
        verbose: () => undefined,
        progress: () => ({ update() {}, succeed() {}, fail() {}, stop() {} }),
      },
    } as unknown as Parameters<typeof teams.verify>[0];
    const cloud = resolveCloud(o.cloud, {});
    const deps: WorkloadDeps = {
      cloud,
      env: o.env ?? {},
      identity: {
        appToken: async (_c: AppCredential, resource: string) => {
          calls.push(`token ${resource}`);
          return {
            accessToken: `token-for-${resource}`,
            claims:
              resource === cloud.graphResource
                ? { roles: o.graphRoles ?? ['Organization.Read.All'], tid: TENANT }
                : { wids: [TEAMS_ADMIN], tid: TENANT },
          };
        },
      } as unknown as WorkloadDeps['identity'],
      http: async (req) => {
        calls.push(`${req.method} ${req.url}`);
        if (req.url.includes('/Teams.Tenant/tenants'))
          return o.teams === 403
            ? {
                status: 403,
                headers: {},
                body: buf({
                  code: 'Forbidden',
                  message: 'Access Denied. Provide different credential or request access.',
                }),
              }
            : { status: 200, headers: {}, body: buf([{ tenantId: TENANT }]) };
        return { status: 200, headers: {}, body: buf({ value: [{ id: TENANT }] }) };
      },
    };
    const input = { cred, tenantId: TENANT, organization: 'contoso.onmicrosoft.com', waitMs: 0 };
    return { verify: () => teams.verify(ctx, deps, input), calls };
  }

  test('global: a Teams token and the tenant admin API, then a Graph token and GET /organization', async () => {
    const w = world({ cloud: 'global' });
    const out = await w.verify();
    assert.equal(out.verified, true);
    assert.deepEqual(w.calls, [
      'token 48ac35b8-9aa8-4d74-927d-1f4a14a0b239',
      'GET https://api.interfaces.records.teams.microsoft.com/Teams.Tenant/tenants',
      'token https://graph.microsoft.com',
      'GET https://graph.microsoft.com/v1.0/organization?$select=id,displayName',
    ]);
  });

  test('a cloud whose tenant admin API host no source names: the Teams side stops at the token', async () => {
    const w = world({ cloud: 'gcchigh' });
    assert.equal((await w.verify()).verified, true);
    assert.ok(!w.calls.some((c) => c.includes('Teams.Tenant')), w.calls.join('\n'));
    assert.ok(w.calls.includes('GET https://graph.microsoft.us/v1.0/organization?$select=id,displayName'));
    const named = world({ cloud: 'gcchigh', env: { EXO_CBA_TEAMS_ENDPOINT: 'https://teams.example.us' } });
    assert.equal((await named.verify()).verified, true);
    assert.ok(named.calls.includes('GET https://teams.example.us/Teams.Tenant/tenants'));
  });

  test('refusals are explained: Teams not seeing the role yet, a Graph permission not consented', async () => {
    const refused = await world({ cloud: 'global', teams: 403 }).verify();
    assert.equal(refused.verified, false);
    if (!refused.verified) {
      assert.equal(refused.stage, 'service');
      assert.match(
        refused.diagnosis.what,
        /although the token carries Teams Administrator: the role has not reached Teams yet/,
      );
    }
    const noConsent = await world({ cloud: 'global', graphRoles: [] }).verify();
    assert.equal(noConsent.verified, false);
    if (!noConsent.verified) {
      assert.equal(noConsent.stage, 'consent');
      assert.match(noConsent.diagnosis.what, /Microsoft Graph token has no Organization\.Read\.All role/);
    }
  });
});

test("README's Teams section names every cmdlet Microsoft documents as unsupported app-only", () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Microsoft Teams PowerShell'));
  const names = UNSUPPORTED_APP_ONLY.flatMap((u) => u.cmdlets.match(/[*A-Za-z0-9-]+[A-Za-z0-9*]/g) ?? []);
  const stems = names.map((n) => n.replace(/^(Get|New|Sync)-$/, '')).filter((n) => n.length > 4);
  for (const n of stems) assert.ok(section.includes(n), `README names ${n}`);
  assert.ok(stems.includes('New-Team') && stems.length >= 12, stems.join(' '));
});
