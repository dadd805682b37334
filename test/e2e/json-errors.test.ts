import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, tenantState, initArgs, type Harness, type RunResult } from '../helpers/harness.js';

/** With --json every failure is one JSON object on stdout, {"error":{"code","message","why","fix"}}. */

interface JsonError {
  error: { code: string; message: string; why?: string; fix?: string; serviceCode?: string };
}

const errorOf = (r: RunResult): JsonError['error'] => {
  const parsed = JSON.parse(r.stdout) as JsonError;
  assert.ok(parsed.error, `stdout holds an error object: ${r.stdout}`);
  assert.equal(typeof parsed.error.message, 'string');
  return parsed.error;
};

describe('--json failures a script can read', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  test('a usage error: exit 2, EXO-USAGE, with message and fix, also in the text output', async () => {
    const r = await h.run([...initArgs(h, ['--validity-days', '0']), '--json']);
    assert.equal(r.code, 2, r.stderr);
    const e = errorOf(r);
    assert.equal(e.code, 'EXO-USAGE');
    assert.match(e.message, /validity-days/);
    assert.ok(e.fix, 'a fix');
    assert.match(r.stderr, /code: EXO-USAGE/);
  });

  test('an option commander refuses: exit 2 and EXO-USAGE on stdout', async () => {
    const r = await h.run(['check', '--no-such-flag', '--json']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(errorOf(r).code, 'EXO-USAGE');
  });

  test("a Graph refusal (403): exit 1, EXO-GRAPH-DENIED, with why, fix and Graph's own code", async () => {
    h.sandbox.faults.set({
      failOnce: [
        { service: 'graph', method: 'PATCH', path: 'uniqueName', status: 403, shape: 'graph.denied.403' },
      ],
    });
    const r = await h.run([...initArgs(h), '--json']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(h.sandbox.faults.state.failOnce.length, 0, 'the refusal was served');
    const e = errorOf(r);
    assert.equal(e.code, 'EXO-GRAPH-DENIED');
    assert.equal(e.serviceCode, 'Authorization_RequestDenied');
    assert.ok(e.why && e.fix, 'why and fix');
    assert.match(r.stderr, /code: EXO-GRAPH-DENIED \(Authorization_RequestDenied/);
    assert.equal(tenantState(h.sandbox).apps.length, 0);
  });

  test('a sign-in failure: exit 1, EXO-SIGNIN-DECLINED, with the AADSTS code', async () => {
    h.sandbox.faults.set({ deviceCode: { mode: 'deny', approveAfterMs: 0, interval: 1 } });
    try {
      const r = await h.run([...initArgs(h), '--json']);
      assert.equal(r.code, 1, r.stderr);
      const e = errorOf(r);
      assert.equal(e.code, 'EXO-SIGNIN-DECLINED');
      assert.match(e.serviceCode ?? '', /AADSTS70000/);
    } finally {
      h.sandbox.faults.set({ deviceCode: { mode: 'approve', approveAfterMs: 0, interval: 1 } });
    }
  });
});
