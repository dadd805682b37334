import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, tenantState, initArgs, json, type Harness } from '../helpers/harness.js';
import { ROLE } from '../../src/sandbox/microsoft-ids.js';

/**
 * Security & Compliance PowerShell as a workload of its own, end to end with the built binary: an app of its
 * own beside the Exchange one, verified through S&C's InvokeCommand after the redirect to the tenant's region.
 */

interface InitJson {
  appId: string;
  objectId: string;
  profile: string;
  workload: string;
  role: string;
  verified: boolean;
  thumbprint: string;
}
interface CheckJson {
  status: string;
  reports: { profile: string; workload: string; status: string; checks: { id: string; status: string }[] }[];
}

describe('init --workload compliance (built binary)', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());
  const domain = () => h.sandbox.directory.tenant.initialDomain;

  test('a Compliance Administrator app of its own, verified through the regional host', async () => {
    const r = await h.run([...initArgs(h, ['--workload', 'compliance']), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = json<InitJson>(r);
    assert.equal(out.verified, true);
    assert.equal(out.workload, 'compliance');
    assert.equal(out.profile, `${domain()}-compliance`);
    assert.equal(out.role, 'Compliance Administrator');
    const s = tenantState(h.sandbox);
    assert.equal(s.apps.length, 1);
    assert.equal(s.apps[0]!.displayName, 'S&C Background Process');
    assert.ok((s.apps[0]!.tags ?? []).includes('exo-cba-workload:compliance'));
    assert.deepEqual(
      s.roles.map((x) => x.roleDefinitionId),
      [ROLE.complianceAdministrator],
    );
    const log = h.sandbox.faults.log;
    assert.ok(
      log.some((e) => e.service === 'compliance' && e.status === 302),
      'the global host redirected',
    );
    assert.ok(
      log.some((e) => e.service === 'compliance-region' && /InvokeCommand/.test(e.path) && e.status === 200),
      'the regional host ran the cmdlet',
    );
  });

  test('the text output prints Connect-IPPSSession lines, and no Exchange line', async () => {
    const r = await h.run(['status', '--profile', `${domain()}-compliance`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /compliance/);
    const again = await h.run(initArgs(h, ['--workload', 'compliance']));
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stdout,
      /Connect-IPPSSession -AppId [0-9a-f-]{36} -CertificateThumbprint [0-9A-F]{40} -Organization exocbasandbox\.onmicrosoft\.com/,
    );
    assert.match(again.stdout, /Connect-IPPSSession .* -CertificateFilePath .*\.pfx' -CertificatePassword/);
    assert.doesNotMatch(again.stdout, /Connect-ExchangeOnline/);
    assert.equal(tenantState(h.sandbox).apps.length, 1, 'a re-run reuses the app');
  });

  test('an Exchange profile beside it gets its own app; check --all mixes the two; removing one leaves the other', async () => {
    const exo = await h.run([...initArgs(h), '--json']);
    assert.equal(exo.code, 0, exo.stderr);
    assert.equal(json<InitJson>(exo).workload, 'exchange');
    const apps = tenantState(h.sandbox).apps;
    assert.equal(apps.length, 2, 'two apps: one per workload');
    assert.deepEqual(apps.map((a) => a.displayName).sort(), [
      'Exo Background Process',
      'S&C Background Process',
    ]);

    const all = await h.run(['check', '--all', '--json']);
    assert.equal(all.code, 0, all.stderr);
    const reports = json<CheckJson>(all).reports;
    assert.deepEqual(reports.map((x) => [x.workload, x.status]).sort(), [
      ['compliance', 'pass'],
      ['exchange', 'pass'],
    ]);
    const sc = reports.find((x) => x.workload === 'compliance')!;
    const ids = sc.checks.map((c) => c.id);
    assert.ok(
      ids.indexOf('compliance') > ids.indexOf('consent'),
      `S&C's own check runs after consent: ${ids.join(' ')}`,
    );
    assert.ok(sc.checks.some((c) => c.id === 'compliance' && c.status === 'pass'));
    assert.ok(!sc.checks.some((c) => c.id === 'exchange'));

    const rot = await h.run(['rotate', '--profile', `${domain()}-compliance`, '--json']);
    assert.equal(rot.code, 0, rot.stderr);
    const item = json<{ results: { action: string; workload: string }[] }>(rot).results[0]!;
    assert.equal(item.action, 'rotated');
    assert.equal(item.workload, 'compliance');
    const rotText = await h.run(['rotate', '--profile', `${domain()}-compliance`]);
    assert.equal(rotText.code, 0, rotText.stderr);
    assert.match(rotText.stdout, /Connect-IPPSSession -AppId/);
    assert.doesNotMatch(rotText.stdout, /Connect-ExchangeOnline/);

    const rm = await h.run(['remove', '--profile', `${domain()}-compliance`, '--yes']);
    assert.equal(rm.code, 0, rm.stderr);
    assert.deepEqual(
      tenantState(h.sandbox).apps.map((a) => a.displayName),
      ['Exo Background Process'],
    );
    const left = await h.run(['check', '--json']);
    assert.equal(left.code, 0, left.stderr);
    assert.equal(json<CheckJson>(left).reports[0]!.workload, 'exchange');
  });

  test('an Exchange app is never reused for S&C, even when named for it', async () => {
    const r = await h.run(
      initArgs(h, ['--workload', 'compliance', '--app-name', 'Exo Background Process', '--profile', 'sc2']),
    );
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /exo-cba's app for the exchange workload/);
    assert.equal(tenantState(h.sandbox).apps.length, 1);
  });
});

describe('an S&C app that lost its role', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  test('check fails the compliance check with what S&C needs, and exits 1', async () => {
    const r = await h.run([
      ...initArgs(h, ['--workload', 'compliance', '--role', 'global-reader']),
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const appId = json<InitJson>(r).appId;
    assert.equal(json<InitJson>(r).role, 'Global Reader');
    assert.equal(h.sandbox.act({ action: 'remove-role', appId }).ok, true);
    const c = await h.run(['check', '--json']);
    assert.equal(c.code, 1, c.stderr);
    const rep = json<{
      reports: { checks: { id: string; status: string; message: string; fix?: string }[] }[];
    }>(c).reports[0]!;
    const sc = rep.checks.find((x) => x.id === 'compliance')!;
    assert.equal(sc.status, 'fail');
    assert.match(sc.message, /no directory role Security & Compliance accepts/);
    assert.match(sc.fix ?? '', /Compliance Administrator/);
  });
});

describe('--workload compliance refuses what S&C does not take, before any change', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  for (const role of ['exchange-administrator', 'exchange-recipient-administrator', 'helpdesk-administrator'])
    test(`--role ${role}: exit 2, no request to Graph`, async () => {
      const before = h.sandbox.faults.log.length;
      const r = await h.run([...initArgs(h, ['--workload', 'compliance', '--role', role]), '--json']);
      assert.equal(r.code, 2, r.stderr);
      const err = JSON.parse(r.stdout) as { error: { code: string; message: string } };
      assert.equal(err.error.code, 'EXO-ROLE-NOT-SERVING');
      assert.match(err.error.message, /does not serve Security & Compliance/);
      assert.equal(h.sandbox.faults.log.length, before, 'nothing was asked of the tenant');
      assert.equal(tenantState(h.sandbox).apps.length, 0);
    });

  test('Exchange RBAC flags: exit 2 with what to use instead', async () => {
    const r = await h.run(
      initArgs(h, ['--workload', 'compliance', '--exchange-role-group', 'View-Only Organization Management']),
    );
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /does not take Exchange RBAC/);
    assert.equal(tenantState(h.sandbox).apps.length, 0);
  });

  test('an unknown workload: exit 2 naming the known ones', async () => {
    const r = await h.run(initArgs(h, ['--workload', 'lync']));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /Unknown workload 'lync'/);
    assert.match(r.stderr, /exchange, compliance/);
  });
});
