import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, tenantState, initArgs, json, type Harness } from '../helpers/harness.js';
import { GRAPH_APP_ID, ROLE, TEAMS_GRAPH_PERMISSIONS } from '../../src/sandbox/microsoft-ids.js';

/**
 * Microsoft Teams PowerShell as a workload of its own, end to end with the built binary: an app with Graph
 * application permissions and a Teams role, verified with its two tokens (the tenant admin API and Graph).
 */

interface InitJson {
  appId: string;
  profile: string;
  workload: string;
  role: string;
  verified: boolean;
}
interface CheckJson {
  status: string;
  reports: {
    profile: string;
    workload: string;
    status: string;
    checks: { id: string; status: string; message: string; fix?: string }[];
  }[];
}

const graphGrants = (h: Harness) => {
  const d = h.sandbox.directory.data;
  const graph = d.servicePrincipals.find((s) => s.appId === GRAPH_APP_ID)!;
  return d.appRoleAssignments
    .filter((g) => g.resourceId === graph.id)
    .map((g) => TEAMS_GRAPH_PERMISSIONS.find((p) => p.ownId === g.appRoleId)?.value ?? g.appRoleId)
    .sort();
};

describe('init --workload teams (built binary)', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());
  const domain = () => h.sandbox.directory.tenant.initialDomain;

  test('a Teams Administrator app with Organization.Read.All, verified with both tokens', async () => {
    const r = await h.run([...initArgs(h, ['--workload', 'teams']), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = json<InitJson>(r);
    assert.equal(out.verified, true);
    assert.equal(out.workload, 'teams');
    assert.equal(out.profile, `${domain()}-teams`);
    assert.equal(out.role, 'Teams Administrator');
    const s = tenantState(h.sandbox);
    assert.equal(s.apps.length, 1);
    assert.equal(s.apps[0]!.displayName, 'Teams Background Process');
    assert.deepEqual(
      s.roles.map((x) => x.roleDefinitionId),
      [ROLE.teamsAdministrator],
    );
    assert.deepEqual(graphGrants(h), ['Organization.Read.All']);
    const log = h.sandbox.faults.log;
    assert.ok(
      log.some((e) => e.service === 'teams' && /Teams\.Tenant\/tenants/.test(e.path) && e.status === 200),
    );
    assert.ok(log.some((e) => e.service === 'graph' && e.path === '/v1.0/organization' && e.status === 200));
  });

  test('a re-run creates nothing new, and prints the Connect-MicrosoftTeams lines', async () => {
    const before = tenantState(h.sandbox);
    const r = await h.run(initArgs(h, ['--workload', 'teams']));
    assert.equal(r.code, 0, r.stderr);
    const after = tenantState(h.sandbox);
    assert.equal(after.apps.length, before.apps.length);
    assert.equal(after.grants.length, before.grants.length);
    assert.equal(after.roles.length, before.roles.length);
    assert.match(
      r.stdout,
      /Connect-MicrosoftTeams -CertificateThumbprint [0-9A-F]{40} -ApplicationId [0-9a-f-]{36} -TenantId /,
    );
    assert.match(r.stdout, /X509Certificate2\]::new\('.*\.pfx', \$pfxPassword\)/);
    assert.match(r.stdout, /Connect-MicrosoftTeams -Certificate \$cert -ApplicationId/);
    assert.match(r.stdout, /Not supported with application-based authentication[\s\S]*New-Team/);
    assert.doesNotMatch(r.stdout, /Connect-ExchangeOnline|Set-TeamsEnvironmentConfig/);
  });

  test('check passes with its Teams check after consent; rotate; remove leaves nothing behind', async () => {
    const c = await h.run(['check', '--json']);
    assert.equal(c.code, 0, c.stderr);
    const rep = json<CheckJson>(c).reports[0]!;
    assert.equal(rep.workload, 'teams');
    const ids = rep.checks.map((x) => x.id);
    assert.ok(ids.indexOf('teams') > ids.indexOf('consent'), ids.join(' '));
    assert.ok(
      rep.checks.every((x) => x.status === 'pass' || x.status === 'skip'),
      JSON.stringify(rep.checks),
    );

    const rot = await h.run(['rotate', '--json']);
    assert.equal(rot.code, 0, rot.stderr);
    const item = json<{ results: { action: string; workload: string }[] }>(rot).results[0]!;
    assert.deepEqual([item.action, item.workload], ['rotated', 'teams']);

    const st = await h.run(['status']);
    assert.equal(st.code, 0, st.stderr);
    assert.match(st.stdout, /teams/);

    const rm = await h.run(['remove', '--yes']);
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal(tenantState(h.sandbox).apps.length, 0);
    assert.deepEqual(graphGrants(h), []);
  });
});

describe('a Teams app that lost its role or its Graph consent', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  test('a read-only role: Global Reader, verified', async () => {
    const r = await h.run([...initArgs(h, ['--workload', 'teams', '--role', 'global-reader']), '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json<InitJson>(r).role, 'Global Reader');
    assert.equal(json<InitJson>(r).verified, true);
  });

  test('the role removed out of band: the teams check fails with what Teams needs, exit 1', async () => {
    const appId = tenantState(h.sandbox).apps[0]!.appId;
    assert.equal(h.sandbox.act({ action: 'remove-role', appId }).ok, true);
    const c = await h.run(['check', '--json']);
    assert.equal(c.code, 1, c.stderr);
    const t = json<CheckJson>(c).reports[0]!.checks.find((x) => x.id === 'teams')!;
    assert.equal(t.status, 'fail');
    assert.match(t.message, /no directory role Teams accepts/);
    assert.match(t.fix ?? '', /Global Reader/);
  });

  test('the Graph consent removed out of band: the consent check fails, exit 1', async () => {
    const again = await h.run(initArgs(h, ['--workload', 'teams']));
    assert.equal(again.code, 0, again.stderr);
    const appId = tenantState(h.sandbox).apps[0]!.appId;
    assert.equal(h.sandbox.act({ action: 'remove-grant', appId }).ok, true);
    const c = await h.run(['check', '--json']);
    assert.equal(c.code, 1, c.stderr);
    const consent = json<CheckJson>(c).reports[0]!.checks.find((x) => x.id === 'consent')!;
    assert.equal(consent.status, 'fail');
    assert.match(consent.message, /Organization\.Read\.All/);
    assert.match(consent.fix ?? '', /Grant admin consent/);
  });
});

describe('a Teams init killed half-way', () => {
  test('killed right after the Graph consent, it converges when started again', async () => {
    let kill: (() => void) | undefined;
    let armed = true;
    const h = await startHarness({
      onRequest: (e) => {
        if (armed && e.method === 'POST' && e.endpoint.endsWith('/appRoleAssignedTo') && e.status < 300) {
          armed = false;
          kill?.();
        }
      },
    });
    try {
      const first = await h.run(initArgs(h, ['--workload', 'teams']), { onSpawn: (k) => (kill = k) });
      assert.equal(first.signal, 'SIGKILL', `the first run was killed (stderr: ${first.stderr})`);
      const second = await h.run([...initArgs(h, ['--workload', 'teams']), '--json']);
      assert.equal(second.code, 0, second.stderr);
      assert.equal(json<InitJson>(second).verified, true);
      const s = tenantState(h.sandbox);
      assert.equal(s.apps.length, 1);
      assert.equal(s.sps.length, 1);
      assert.deepEqual(graphGrants(h), ['Organization.Read.All']);
      assert.deepEqual(
        s.roles.map((x) => x.roleDefinitionId),
        [ROLE.teamsAdministrator],
      );
    } finally {
      await h.close();
    }
  });
});

describe('--workload teams refuses what Teams does not take, before any change', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  for (const role of ['exchange-administrator', 'compliance-administrator'])
    test(`--role ${role}: exit 2, no request to the tenant`, async () => {
      const before = h.sandbox.faults.log.length;
      const r = await h.run([...initArgs(h, ['--workload', 'teams', '--role', role]), '--json']);
      assert.equal(r.code, 2, r.stderr);
      const err = JSON.parse(r.stdout) as { error: { code: string; message: string } };
      assert.equal(err.error.code, 'EXO-ROLE-NOT-SERVING');
      assert.match(err.error.message, /does not serve Microsoft Teams/);
      assert.equal(h.sandbox.faults.log.length, before, 'nothing was asked of the tenant');
      assert.equal(tenantState(h.sandbox).apps.length, 0);
    });

  test('--role global-administrator with nobody to confirm: exit 2 without --allow-global-admin', async () => {
    const r = await h.run(initArgs(h, ['--workload', 'teams', '--role', 'global-administrator']));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--allow-global-admin/);
    assert.match(r.stderr, /teams-administrator/);
    assert.equal(tenantState(h.sandbox).apps.length, 0);
  });
});
