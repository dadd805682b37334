import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, tenantState, initArgs, json, type Harness } from '../helpers/harness.js';
import { ROLE } from '../../src/sandbox/microsoft-ids.js';

/** A conflict answer on the role assignment is read back, never taken as "already done". */
describe('a conflicting role assignment that does not exist (built binary)', () => {
  let h: Harness;
  let n = 0;
  before(async () => (h = await startHarness()));
  after(() => h.close());
  const at = { service: 'graph' as const, method: 'POST', path: '/roleAssignments' };
  const roleOf = (appId: string) => {
    const s = tenantState(h.sandbox);
    const sp = s.sps.find((x) => x.appId === appId);
    return s.roles.filter(
      (r) => r.principalId === sp?.id && r.roleDefinitionId === ROLE.exchangeAdministrator,
    );
  };

  test('one conflict answer with nothing there: init reads back, assigns the role and verifies', async () => {
    h.sandbox.faults.set({ failOnce: [{ ...at, status: 0, shape: 'graph.conflicting-object.400' }] });
    const r = await h.run(initArgs(h, ['--app-name', `Conflict ${++n}`, '--profile', `c${n}`, '--json']));
    assert.equal(h.sandbox.faults.state.failOnce.length, 0, 'the conflict was served');
    assert.equal(r.code, 0, r.stderr);
    const out = json<{ appId: string; verified: boolean }>(r);
    assert.equal(out.verified, true);
    assert.equal(roleOf(out.appId).length, 1, 'the role is assigned');
  });

  test('conflict answers that persist with nothing there: init stops with the reason, not after --wait', async () => {
    h.sandbox.faults.set({
      failOnce: [{ ...at, status: 0, shape: 'graph.conflicting-object.400', count: 50 }],
    });
    const started = Date.now();
    const r = await h.run(
      initArgs(h, ['--app-name', `Conflict ${++n}`, '--profile', `c${n}`, '--wait', '120']),
    );
    h.sandbox.faults.set({ failOnce: [] });
    assert.ok(h.sandbox.faults.log.some((e) => e.endpoint.endsWith('/roleAssignments') && e.status === 400));
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /conflicts with one already there, but none is/);
    assert.ok(Date.now() - started < 60_000, 'it did not wait out --wait');
  });
});

describe('a conflicting consent grant that does not exist (built binary)', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  test('init stops with the reason instead of going on without the grant', async () => {
    const at = { service: 'graph' as const, method: 'POST', path: '/appRoleAssignedTo' };
    h.sandbox.faults.set({ failOnce: [{ ...at, status: 0, shape: 'graph.conflicting-object.400' }] });
    const r = await h.run(initArgs(h, ['--app-name', 'Grant Conflict', '--profile', 'g1', '--wait', '120']));
    assert.equal(h.sandbox.faults.state.failOnce.length, 0, 'the conflict was served');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /grant already exists, but the app holds none/);
    assert.equal(tenantState(h.sandbox).grants.length, 0, 'no grant');
  });
});
