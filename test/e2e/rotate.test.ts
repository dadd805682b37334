import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startHarness, initArgs, json, expectFaultServed, type Harness } from '../helpers/harness.js';
import type { LogEntry } from '../../src/sandbox/faults.js';

interface InitOut {
  appId: string;
  tenantId: string;
  thumbprint: string;
  files: Record<string, string>;
}
interface RotateOut {
  results: {
    profile: string;
    action: string;
    reason: string;
    thumbprint?: string;
    oldThumbprint?: string;
    oldKeyKept?: boolean;
    archived?: string[];
    files?: Record<string, string>;
  }[];
}
interface Profiles {
  profiles: Record<
    string,
    {
      certificate?: { thumbprint: string; files: Record<string, string> };
      previousCertificates?: unknown[];
      pendingCertificate?: unknown;
    }
  >;
}

describe('rotate, status and remove against the sandbox (built binary)', () => {
  let h: Harness;
  let n = 0;
  let onRequest: ((e: LogEntry) => void) | undefined;
  const newApp = async () => {
    const name = `Rotate App ${++n}`;
    const r = await h.run(initArgs(h, ['--app-name', name, '--profile', `r${n}`, '--json']));
    assert.equal(r.code, 0, r.stderr);
    return { profile: `r${n}`, ...json<InitOut>(r) };
  };
  const keysOf = (appId: string) => h.sandbox.directory.appByAppId(appId, true)!.keyCredentials;
  const profiles = () =>
    JSON.parse(readFileSync(path.join(h.configDir, 'profiles.json'), 'utf8')) as Profiles;
  const checkWith = (app: { appId: string; tenantId: string }, file: string) =>
    h.run(['check', '--app-id', app.appId, '--tenant', app.tenantId, '--cert-file', file, '--json']);
  before(async () => (h = await startHarness({ onRequest: (e) => onRequest?.(e) })));
  after(() => h.close());

  test('rotate end to end: the new certificate at the same paths, the old files archived, the old key kept for the overlap', async () => {
    const app = await newApp();
    const before = {
      pem: readFileSync(app.files['pem']!, 'utf8'),
      password: readFileSync(app.files['pfxPasswordFile']!, 'utf8'),
    };
    const r = await h.run(['rotate', '--profile', app.profile, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const res = json<RotateOut>(r).results[0]!;
    assert.equal(res.action, 'rotated');
    assert.equal(res.oldThumbprint, app.thumbprint);
    assert.notEqual(res.thumbprint, app.thumbprint);
    assert.equal(keysOf(app.appId).length, 2, 'the old key stays registered for the overlap');
    const p = profiles().profiles[app.profile]!;
    assert.equal(p.certificate!.thumbprint, res.thumbprint);
    assert.equal(p.pendingCertificate, undefined);
    for (const k of ['cer', 'pem', 'key', 'pfx', 'pfxPasswordFile'])
      assert.equal(p.certificate!.files[k], app.files[k], `${k} keeps its path`);
    assert.notEqual(
      readFileSync(app.files['pem']!, 'utf8'),
      before.pem,
      'the file at the printed path holds the new certificate',
    );
    assert.equal(readFileSync(app.files['pfxPasswordFile']!, 'utf8'), before.password, 'the same password');
    execFileSync(
      'openssl',
      [
        'pkcs12',
        '-info',
        '-noout',
        '-in',
        app.files['pfx']!,
        '-passin',
        `file:${app.files['pfxPasswordFile']!}`,
      ],
      { stdio: 'pipe' },
    );
    assert.ok(
      res.archived!.some((f) => f.endsWith('.key') && existsSync(f)),
      'the old key is archived, not deleted',
    );
    assert.equal(statSync(p.certificate!.files['key']!).mode & 0o777, 0o600);
    const retires = Date.parse((p.previousCertificates![0] as { retireAfter: string }).retireAfter);
    assert.ok(Math.abs(retires - (Date.now() + 7 * 86_400_000)) < 120_000, 'the overlap ends in 7 days');
    assert.match(r.stderr + (await h.run(['rotate', '--profile', app.profile, '--dry-run'])).stdout, /./);
    assert.equal((await h.run(['check', '--profile', app.profile])).code, 0);
    const archivedPem = res.archived!.find((f) => f.endsWith('.pem'))!;
    const archivedKey = res.archived!.find((f) => f.endsWith('.key'))!;
    const combined = path.join(h.dir, `old-${n}.pem`);
    writeFileSync(combined, readFileSync(archivedPem, 'utf8') + readFileSync(archivedKey, 'utf8'));
    assert.equal(
      (await checkWith(app, combined)).code,
      0,
      'during the overlap the old certificate still signs in',
    );
  });

  test('--overlap 0 removes the old key at once and reads the app back', async () => {
    const app = await newApp();
    const r = await h.run(['rotate', '--profile', app.profile, '--overlap', '0', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const res = json<RotateOut>(r).results[0]!;
    assert.equal(res.oldKeyKept, false);
    assert.match(r.stderr, /Old key [0-9A-F]{40} removed \(read back: gone\)/);
    assert.equal(keysOf(app.appId).length, 1);
    const archivedPem = res.archived!.find((f) => f.endsWith('.pem'))!;
    const archivedKey = res.archived!.find((f) => f.endsWith('.key'))!;
    const combined = path.join(h.dir, `zero-${n}.pem`);
    writeFileSync(combined, readFileSync(archivedPem, 'utf8') + readFileSync(archivedKey, 'utf8'));
    assert.equal((await checkWith(app, combined)).code, 1, 'the old certificate no longer signs in');
  });

  test('--if-expiring-within skips a young certificate (exit 0, says why) and acts on one that is due', async () => {
    const app = await newApp();
    const skip = await h.run(['rotate', '--profile', app.profile, '--if-expiring-within', '30', '--json']);
    assert.equal(skip.code, 0);
    const s = json<RotateOut>(skip).results[0]!;
    assert.equal(s.action, 'skipped');
    assert.match(s.reason, /expires in 36\d days/);
    const act = await h.run(['rotate', '--profile', app.profile, '--if-expiring-within', '400', '--json']);
    assert.equal(act.code, 0, act.stderr);
    assert.equal(json<RotateOut>(act).results[0]!.action, 'rotated');
  });

  test('--keep-old keeps both keys working, and --finish removes the old one later', async () => {
    const app = await newApp();
    const r = await h.run(['rotate', '--profile', app.profile, '--keep-old', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json<RotateOut>(r).results[0]!.oldKeyKept, true);
    assert.equal(keysOf(app.appId).length, 2);
    assert.equal(profiles().profiles[app.profile]!.previousCertificates!.length, 1);
    const archived = json<RotateOut>(r).results[0]!.archived!;
    const oldBoth = path.join(h.dir, `overlap-${n}.pem`);
    writeFileSync(
      oldBoth,
      readFileSync(
        archived.find((f) => f.endsWith('.pem'))!,
        'utf8',
      ) +
        readFileSync(
          archived.find((f) => f.endsWith('.key'))!,
          'utf8',
        ),
    );
    assert.equal(
      (await checkWith(app, oldBoth)).code,
      0,
      'during the overlap the old certificate still signs in',
    );
    const f = await h.run(['rotate', '--profile', app.profile, '--finish', '--json']);
    assert.equal(f.code, 0, f.stderr);
    assert.equal(json<RotateOut>(f).results[0]!.action, 'finished');
    assert.equal(keysOf(app.appId).length, 1);
    assert.equal(profiles().profiles[app.profile]!.previousCertificates!.length, 0);
    assert.equal((await h.run(['check', '--profile', app.profile])).code, 0);
  });

  test('when the new certificate cannot be verified, rotate removes it, keeps the old one and exits 1', async () => {
    const app = await newApp();
    h.sandbox.faults.set({ failOnce: [{ service: 'exchange', status: 503, count: 1000 }] });
    let r;
    try {
      r = await h.run(['rotate', '--profile', app.profile, '--wait', '3s']);
      expectFaultServed(h.sandbox, { service: 'exchange', status: 503 });
    } finally {
      h.sandbox.faults.set({ failOnce: [] });
    }
    assert.equal(r.code, 1);
    assert.match(r.stderr, /could not be verified/);
    assert.match(r.stderr, /Rolled back: the new key was removed/);
    assert.deepEqual(
      keysOf(app.appId).map((k) =>
        Buffer.from(k.customKeyIdentifier, 'base64').toString('hex').toUpperCase(),
      ),
      [app.thumbprint],
    );
    const p = profiles().profiles[app.profile]!;
    assert.equal(p.certificate!.thumbprint, app.thumbprint);
    assert.equal(p.pendingCertificate, undefined);
    assert.equal(
      (await h.run(['check', '--profile', app.profile])).code,
      0,
      'the app still works with the old certificate',
    );
  });

  const killPoints: { name: string; match: (e: LogEntry) => boolean }[] = [
    { name: 'addKey', match: (e) => e.endpoint.endsWith('/addKey') },
    { name: 'the verification', match: (e) => e.service === 'exchange' },
    { name: 'removeKey', match: (e) => e.endpoint.endsWith('/removeKey') },
  ];
  for (const k of killPoints) {
    test(`a rotation killed right after ${k.name} converges when run again: one working key, nothing lost`, async () => {
      const app = await newApp();
      let armed = true;
      let kill: (() => void) | undefined;
      onRequest = (e) => {
        if (armed && k.match(e) && e.status < 300) {
          armed = false;
          kill?.();
        }
      };
      try {
        const first = await h.run(['rotate', '--profile', app.profile, '--overlap', '0'], {
          onSpawn: (kl) => (kill = kl),
        });
        assert.equal(first.signal, 'SIGKILL', first.stderr);
      } finally {
        onRequest = undefined;
      }
      const second = await h.run(['rotate', '--profile', app.profile, '--overlap', '0', '--json']);
      assert.equal(second.code, 0, second.stderr);
      assert.ok(keysOf(app.appId).length <= 2, 'at most one extra key');
      assert.equal((await h.run(['check', '--profile', app.profile])).code, 0);
      const third = await h.run(['rotate', '--profile', app.profile, '--overlap', '0', '--json']);
      assert.equal(third.code, 0, third.stderr);
      assert.equal(keysOf(app.appId).length, 1, 'converged to one key');
      assert.equal((await h.run(['check', '--profile', app.profile])).code, 0);
    });
  }

  test('with the registered key expired, rotate says so and --admin replaces it', async () => {
    const app = await newApp();
    h.sandbox.act({ action: 'expire-key', appId: app.appId });
    const r = await h.run(['rotate', '--profile', app.profile]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /expired/i, 'says the registered key expired');
    assert.match(r.stderr, /--admin/, 'and how to replace it');
    const a = await h.run(['rotate', '--profile', app.profile, '--admin', '--yes', '--json']);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(json<RotateOut>(a).results[0]!.action, 'rotated');
    assert.equal(keysOf(app.appId).length, 1, 'the expired key is gone, the new one is there');
    assert.equal((await h.run(['check', '--profile', app.profile])).code, 0);
  });

  test('--all rotates every profile that is due', async () => {
    const r = await h.run(['rotate', '--all', '--if-expiring-within', '400', '--json'], {
      timeoutMs: 120_000,
    });
    assert.equal(r.code, 0, r.stderr);
    const out = json<RotateOut>(r);
    assert.ok(out.results.length >= 3);
    assert.ok(
      out.results.every((x) => x.action === 'rotated'),
      JSON.stringify(out.results.map((x) => [x.profile, x.action, x.reason])),
    );
  });

  test('--export-pfx-base64 writes the new PFX as base64, 0600', async () => {
    const app = await newApp();
    const file = path.join(h.dir, `export-${n}.b64`);
    const r = await h.run(['rotate', '--profile', app.profile, '--export-pfx-base64', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(Buffer.from(readFileSync(file, 'utf8'), 'base64').length > 1000);
  });

  test('status lists every profile with its app, thumbprint and days left', async () => {
    const r = await h.run(['status', '--json']);
    assert.equal(r.code, 0);
    const out = json<{
      profiles: { profile: string; appId: string; thumbprint: string; daysLeft: number; role: string }[];
    }>(r);
    assert.ok(out.profiles.length >= 3);
    for (const p of out.profiles) {
      assert.match(p.thumbprint, /^[0-9A-F]{40}$/);
      assert.ok(p.daysLeft >= 364);
      assert.equal(p.role, 'Exchange Administrator (Entra directory role)');
    }
    const text = await h.run(['status']);
    assert.match(text.stdout, /PROFILE\s+WORKLOAD\s+ORGANIZATION\s+APP/);
  });

  test('remove refuses without a confirmation when not interactive, then --yes deletes the app with its SP and grants', async () => {
    const app = await newApp();
    const refuse = await h.run(['remove', '--profile', app.profile]);
    assert.equal(refuse.code, 2);
    assert.match(refuse.stderr, /will not do so without a confirmation/);
    assert.ok(h.sandbox.directory.appByAppId(app.appId, true));
    const r = await h.run(['remove', '--profile', app.profile, '--yes', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = json<{ deleted: boolean; archived: string[] }>(r);
    assert.equal(out.deleted, true);
    assert.equal(h.sandbox.directory.appByAppId(app.appId, true), undefined);
    assert.equal(h.sandbox.directory.spByAppId(app.appId, true), undefined);
    assert.ok(out.archived.length >= 4 && out.archived.every((f) => existsSync(f)));
    assert.equal(profiles().profiles[app.profile], undefined);
  });
});
