import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startHarness,
  tenantState,
  initArgs,
  json,
  expectFaultServed,
  type Harness,
} from '../helpers/harness.js';
import type { FailOnce } from '../../src/sandbox/faults.js';

/**
 * Each recorded field answer (sandbox/field-errors.ts), injected once at each init step it can hit, end to
 * end through the built binary with the real MSAL and Graph SDK: every run converges with nothing duplicated.
 */

const throttling = (service: 'graph' | 'token' | 'exchange') =>
  service === 'graph'
    ? [
        'graph.throttled.429-retry-after',
        'graph.throttled.429-bare',
        'graph.unavailable.503',
        'graph.gateway-timeout.504',
      ]
    : service === 'token'
      ? ['token.throttled.429', 'token.unavailable.503', 'token.server-error.500']
      : ['exchange.throttled.429', 'exchange.unavailable.503'];

const points: { step: string; at: Omit<FailOnce, 'status' | 'shape'>; shapes: string[] }[] = [
  {
    step: 'the app create (upsert)',
    at: { service: 'graph', method: 'PATCH', path: 'uniqueName' },
    shapes: throttling('graph'),
  },
  {
    step: 'the look-up by name',
    at: { service: 'graph', method: 'GET', path: '/applications' },
    shapes: ['graph.throttled.429-bare', 'graph.unavailable.503'],
  },
  {
    step: 'the service principal create',
    at: { service: 'graph', method: 'POST', path: '/servicePrincipals' },
    shapes: [
      ...throttling('graph'),
      'graph.sp-before-app.403',
      'graph.sp-before-app.400-details',
      'graph.sp-before-app.400-plain',
    ],
  },
  {
    step: 'the grant',
    at: { service: 'graph', method: 'POST', path: '/appRoleAssignedTo' },
    shapes: [
      ...throttling('graph'),
      'graph.not-a-valid-reference-update.400',
      'graph.reference-not-present.400',
      'graph.not-found.404',
    ],
  },
  {
    step: 'the role assignment',
    at: { service: 'graph', method: 'POST', path: '/roleAssignments' },
    shapes: [...throttling('graph'), 'graph.reference-not-present.400'],
  },
  {
    step: 'a token request',
    at: { service: 'token', method: 'POST', path: '/oauth2/v2.0/token' },
    shapes: throttling('token'),
  },
  {
    step: 'the Exchange verification',
    at: { service: 'exchange', method: 'POST', path: '/InvokeCommand' },
    shapes: throttling('exchange'),
  },
];

describe('init survives every recorded field answer at every step', () => {
  let h: Harness;
  let n = 0;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  for (const p of points) {
    for (const shape of p.shapes) {
      test(`${shape} at ${p.step}`, async () => {
        const name = `Matrix ${++n}`;
        h.sandbox.faults.set({ failOnce: [{ ...p.at, status: 0, shape }] });
        const r = await h.run([...initArgs(h, ['--app-name', name, '--profile', `m${n}`]), '--json']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(json<{ verified: boolean }>(r).verified, true);
        expectFaultServed(h.sandbox, { shape });
        const s = tenantState(h.sandbox);
        const apps = s.apps.filter((a) => a.displayName === name);
        assert.equal(apps.length, 1, 'one app');
        const sps = s.sps.filter((sp) => sp.appId === apps[0]!.appId);
        assert.equal(sps.length, 1, 'one service principal');
        assert.equal(s.grants.filter((g) => g.principalId === sps[0]!.id).length, 1, 'one grant');
        assert.equal(s.roles.filter((x) => x.principalId === sps[0]!.id).length, 1, 'one role assignment');
        assert.equal(apps[0]!.keyCredentials.length, 1, 'one key');
      });
    }
  }
});

describe('a kill while the app create is in flight, where the upsert is refused', () => {
  test('the next run finds the app by its uniqueName and makes no second one', async () => {
    let kill: (() => void) | undefined;
    let armed = true;
    const refuseUpsert: FailOnce = {
      service: 'graph',
      method: 'PATCH',
      path: 'uniqueName',
      status: 405,
      count: 99,
    };
    const h = await startHarness({
      faults: { replicationDelayMs: 1500, failOnce: [refuseUpsert] },
      onRequest: (e) => {
        if (armed && e.method === 'POST' && e.endpoint === '/v1.0/applications' && e.status < 300) {
          armed = false;
          kill?.();
        }
      },
    });
    try {
      const first = await h.run(initArgs(h), { onSpawn: (k) => (kill = k) });
      assert.equal(
        first.signal,
        'SIGKILL',
        `the first run was killed in the create (stderr: ${first.stderr})`,
      );
      assert.equal(tenantState(h.sandbox).apps.length, 1, 'the create reached the tenant');
      expectFaultServed(h.sandbox, { service: 'graph', method: 'PATCH', path: 'uniqueName', status: 405 });
      const second = await h.run([...initArgs(h), '--json']);
      assert.equal(second.code, 0, second.stderr);
      assert.equal(tenantState(h.sandbox).apps.length, 1, 'no second app');
      assert.equal(tenantState(h.sandbox).apps[0]!.keyCredentials.length, 1);
    } finally {
      await h.close();
    }
  });
});
