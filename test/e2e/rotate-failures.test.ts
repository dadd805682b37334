import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startHarness, initArgs, json, type Harness } from '../helpers/harness.js';

interface RotateOut {
  results: { profile: string; action: string; reason: string; thumbprint?: string }[];
}
interface CheckOut {
  reports: { profile: string; status: string; checks: { id: string; status: string; message: string }[] }[];
}

/** Every failure of the token service during rotate is classified, retried when transient, then explained. */
describe('rotate and check when the token service or Graph fail (built binary)', () => {
  let h: Harness;
  let skewMs = 0;
  let n = 0;
  const newApp = async () => {
    const r = await h.run(initArgs(h, ['--app-name', `Failing App ${++n}`, '--profile', `f${n}`, '--json']));
    assert.equal(r.code, 0, r.stderr);
    return `f${n}`;
  };
  const tokenStatuses = () => h.sandbox.faults.log.filter((e) => e.service === 'token').map((e) => e.status);
  before(async () => (h = await startHarness({ now: () => Date.now() + skewMs })));
  after(() => h.close());

  test('a skewed clock (assertion outside its time window) is explained by rotate: exit 1, not a crash', async () => {
    const p = await newApp();
    h.sandbox.faults.log.length = 0;
    skewMs = 2 * 3600_000;
    try {
      const r = await h.run(['rotate', '--profile', p, '--wait', '20']);
      assert.ok(tokenStatuses().includes(401), 'the token service refused the assertion');
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.doesNotMatch(r.stderr, /This is a bug|unexpectedly/);
      assert.match(r.stdout + r.stderr, /clock/i);
    } finally {
      skewMs = 0;
    }
  });

  test('token 500s in a row (three for rotate, two for check) are retried within --wait', async () => {
    const p = await newApp();
    h.sandbox.faults.log.length = 0;
    h.sandbox.faults.set({ failOnce: [{ service: 'token', status: 500, count: 3 }] });
    const r = await h.run(['rotate', '--profile', p, '--json']);
    assert.equal(h.sandbox.faults.state.failOnce.length, 0, 'the 500s were served');
    assert.equal(tokenStatuses().filter((s) => s === 500).length, 3);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json<RotateOut>(r).results[0]?.action, 'rotated');
    h.sandbox.faults.set({ failOnce: [{ service: 'token', status: 500, count: 2 }] });
    const c = await h.run(['check', '--profile', p]);
    assert.equal(h.sandbox.faults.state.failOnce.length, 0, 'the 500s were served to check');
    assert.equal(c.code, 0, c.stdout + c.stderr);
  });

  test('two token 500s during the admin sign-in: init signs in again at once, not after a 60 s block', async () => {
    h.sandbox.faults.log.length = 0;
    h.sandbox.faults.set({
      failOnce: [{ service: 'token', method: 'POST', path: '/oauth2/v2.0/token', status: 500, count: 2 }],
    });
    const started = Date.now();
    const r = await h.run(initArgs(h, ['--app-name', `Failing App ${++n}`, '--profile', `f${n}`, '--json']));
    const tookMs = Date.now() - started;
    assert.equal(h.sandbox.faults.state.failOnce.length, 0, 'both 500s were served');
    assert.equal(tokenStatuses().filter((s) => s === 500).length, 2);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json<{ verified: boolean }>(r).verified, true);
    assert.ok(tookMs < 40_000, `init took ${tookMs} ms: a retry waited out MSAL's 60 s block`);
    assert.equal(r.stderr.match(/enter the code [0-9A-Z]+/g)?.length, 3, `a new code each time: ${r.stderr}`);
  });

  test('token 500s that outlast --wait end rotate with an explanation, exit 1', async () => {
    const p = await newApp();
    h.sandbox.faults.set({ failOnce: [{ service: 'token', status: 500, count: 1000 }] });
    try {
      const r = await h.run(['rotate', '--profile', p, '--wait', '3']);
      assert.ok(tokenStatuses().includes(500), 'the 500s were served');
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.doesNotMatch(r.stderr, /This is a bug|unexpectedly/);
      assert.match(r.stderr, /token service|sign-in service|Entra/i);
    } finally {
      h.sandbox.faults.set({ failOnce: [] });
    }
  });

  test('a key Graph refuses (a 90-day policy made after init) is dropped: the next rotate makes a new one', async () => {
    const p = await newApp();
    const file = path.join(h.configDir, 'profiles.json');
    const profileOf = () =>
      (
        JSON.parse(readFileSync(file, 'utf8')) as {
          profiles: Record<string, { pendingCertificate?: unknown; certificate: { thumbprint: string } }>;
        }
      ).profiles[p]!;
    const before = profileOf().certificate.thumbprint;
    h.sandbox.faults.set({ keyPolicy: [{ restrictionType: 'asymmetricKeyLifetime', maxLifetime: 'P90D' }] });
    try {
      const r = await h.run(['rotate', '--profile', p, '--json']);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.doesNotMatch(r.stderr, /This is a bug|unexpectedly/);
      assert.match(r.stderr, /Credential lifetime exceeds/);
      assert.match(r.stderr, /next rotate makes a new certificate/);
      const refused = /New certificate ([0-9A-F]{40})/.exec(r.stderr)?.[1];
      assert.ok(refused, r.stderr);
      assert.equal(
        profileOf().pendingCertificate,
        undefined,
        'the refused certificate is not kept to resume',
      );
      assert.equal(profileOf().certificate.thumbprint, before, 'the current certificate is still in use');
      const again = await h.run(['rotate', '--profile', p, '--validity-days', '30', '--json']);
      assert.equal(again.code, 0, again.stderr);
      assert.doesNotMatch(again.stderr, /Resuming/);
      const out = json<RotateOut>(again).results[0] as RotateOut['results'][0] & { notAfter: string };
      assert.equal(out.action, 'rotated');
      assert.notEqual(out.thumbprint, refused, 'a new certificate, not the refused one');
      const days = (Date.parse(out.notAfter) - Date.now()) / 86_400_000;
      assert.ok(days > 29 && days <= 30, `valid ${days} days`);
    } finally {
      h.sandbox.faults.set({ keyPolicy: [] });
    }
  });

  test('rotate --all reports a profile whose tenant is not found and rotates the others, exit 1', async () => {
    const a = await newApp();
    const b = await newApp();
    const file = path.join(h.configDir, 'profiles.json');
    const data = JSON.parse(readFileSync(file, 'utf8')) as { profiles: Record<string, { tenantId: string }> };
    const saved = data.profiles[a]!.tenantId;
    data.profiles[a]!.tenantId = '0c0c0c0c-1111-4222-8333-444444444444';
    writeFileSync(file, JSON.stringify(data, null, 2));
    try {
      h.sandbox.faults.log.length = 0;
      const r = await h.run(['rotate', '--all', '--json']);
      assert.ok(tokenStatuses().includes(400), 'the token service answered tenant not found');
      assert.equal(r.code, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /This is a bug|unexpectedly/);
      const out = json<RotateOut>(r);
      const ra = out.results.find((x) => x.profile === a);
      const rb = out.results.find((x) => x.profile === b);
      assert.equal(ra?.action, 'failed');
      assert.match(ra?.reason ?? '', /tenant/i);
      assert.equal(rb?.action, 'rotated');
    } finally {
      const back = JSON.parse(readFileSync(file, 'utf8')) as typeof data;
      back.profiles[a]!.tenantId = saved;
      writeFileSync(file, JSON.stringify(back, null, 2));
    }
  });

  test('check --all --graph under 429 to every call reports every profile, throttled ones failed', async () => {
    await newApp();
    await newApp();
    h.sandbox.faults.set({ throttleEvery: 1, throttleServices: ['graph'], throttleRetryAfterS: 1 });
    h.sandbox.faults.log.length = 0;
    try {
      const r = await h.run(['check', '--all', '--graph', '--json']);
      assert.ok(
        h.sandbox.faults.log.some((e) => e.service === 'graph' && e.status === 429),
        `429 was served: ${r.stdout} ${r.stderr}`,
      );
      assert.doesNotMatch(r.stderr, /This is a bug|unexpectedly/);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const out = json<CheckOut>(r);
      const names = JSON.parse(readFileSync(path.join(h.configDir, 'profiles.json'), 'utf8')) as {
        profiles: Record<string, unknown>;
      };
      assert.deepEqual(out.reports.map((x) => x.profile).sort(), Object.keys(names.profiles).sort());
      for (const x of out.reports) {
        assert.equal(x.status, 'fail');
        assert.ok(x.checks.some((c) => c.status === 'fail' && /throttl|429|too many/i.test(c.message)));
      }
    } finally {
      h.sandbox.faults.set({ throttleEvery: 0 });
    }
  });
});
