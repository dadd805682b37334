import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startHarness, initArgs, type Harness } from '../helpers/harness.js';

/** check keeps the tenant's authority metadata with the profile: one sign-in is one request, the token. */

interface Kept {
  authority: string;
  fetchedAt: string;
  document: Record<string, string>;
}

describe('check with the authority metadata kept in the profile', () => {
  let h: Harness;
  let n = 0;
  const file = () => path.join(h.configDir, 'profiles.json');
  const kept = (profile: string): Kept | undefined =>
    (JSON.parse(readFileSync(file(), 'utf8')) as { profiles: Record<string, { authorityMetadata?: Kept }> })
      .profiles[profile]?.authorityMetadata;
  const setKept = (profile: string, k: Kept | undefined) => {
    const data = JSON.parse(readFileSync(file(), 'utf8')) as {
      profiles: Record<string, { authorityMetadata?: Kept }>;
    };
    const p = data.profiles[profile]!;
    if (k) p.authorityMetadata = k;
    else delete p.authorityMetadata;
    writeFileSync(file(), JSON.stringify(data, null, 2), { mode: 0o600 });
  };
  /** The requests one command makes, as the sandbox served them. */
  const served = async (args: string[]) => {
    const from = h.sandbox.faults.log.length;
    const r = await h.run(args);
    const log = h.sandbox.faults.log.slice(from);
    return { r, log, lines: log.map((e) => `${e.service} ${e.method} ${e.endpoint} ${e.status}`) };
  };
  const OPENID = 'GET /{id}/v2.0/.well-known/openid-configuration';
  const newProfile = async () => {
    const name = `m${++n}`;
    const r = await h.run(initArgs(h, ['--app-name', `Metadata App ${n}`, '--profile', name]));
    assert.equal(r.code, 0, r.stderr);
    return name;
  };
  before(async () => (h = await startHarness()));
  after(() => h.close());

  test('the first check keeps the metadata; the next one makes two requests: the token and the probe', async () => {
    const p = await newProfile();
    const first = await served(['check', '--profile', p]);
    assert.equal(first.r.code, 0, first.r.stderr);
    assert.ok(first.lines.includes(`token ${OPENID} 200`), first.lines.join('\n'));
    const k = kept(p);
    assert.ok(k, 'the profile keeps the metadata');
    assert.match(k.authority, /^https:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]{36}$/);
    assert.match(k.document.token_endpoint!, /\/oauth2\/v2\.0\/token$/);

    const second = await served(['check', '--profile', p]);
    assert.equal(second.r.code, 0, second.r.stderr);
    assert.deepEqual(second.lines, [
      'token POST /{id}/oauth2/v2.0/token 200',
      'exchange POST /adminapi/beta/{id}/InvokeCommand 200',
    ]);
  });

  test('metadata older than a day is fetched again and kept with its new date', async () => {
    const p = await newProfile();
    await served(['check', '--profile', p]);
    const old = new Date(Date.now() - 2 * 86_400_000).toISOString();
    setKept(p, { ...kept(p)!, fetchedAt: old });
    const r = await served(['check', '--profile', p]);
    assert.equal(r.r.code, 0, r.r.stderr);
    assert.equal(r.lines.filter((l) => l === `token ${OPENID} 200`).length, 1, r.lines.join('\n'));
    assert.ok(Date.parse(kept(p)!.fetchedAt) > Date.parse(old) + 86_400_000);
  });

  test('a 500 on the OpenID configuration costs one backoff (seconds), not MSAL’s minute', async () => {
    const p = await newProfile();
    setKept(p, undefined);
    h.sandbox.faults.set({
      failOnce: [{ service: 'token', method: 'GET', path: 'openid-configuration', status: 500 }],
    });
    const r = await served(['check', '--profile', p, '--verbose']);
    assert.equal(r.r.code, 0, r.r.stderr);
    assert.deepEqual(r.lines.slice(0, 2), [`token ${OPENID} 500`, `token ${OPENID} 200`]);
    const wait = /the OpenID configuration: .* again in (\d+) ms/.exec(r.r.stderr);
    assert.ok(wait, r.r.stderr);
    assert.ok(Number(wait[1]) < 10_000, `planned wait ${wait[1]} ms`);
    assert.ok(r.log[1]!.at - r.log[0]!.at < 30_000, 'the second GET came well before a minute');
    assert.ok(kept(p), 'the metadata fetched on the retry is kept');
  });

  test('a stale copy that cannot be refreshed is used as it is, after one try', async () => {
    const p = await newProfile();
    await served(['check', '--profile', p]);
    const stale = { ...kept(p)!, fetchedAt: new Date(Date.now() - 3 * 86_400_000).toISOString() };
    setKept(p, stale);
    h.sandbox.faults.set({
      failOnce: [{ service: 'token', method: 'GET', path: 'openid-configuration', status: 500, count: 10 }],
    });
    try {
      const r = await served(['check', '--profile', p]);
      assert.equal(r.r.code, 0, r.r.stderr);
      assert.deepEqual(r.lines, [
        `token ${OPENID} 500`,
        'token POST /{id}/oauth2/v2.0/token 200',
        'exchange POST /adminapi/beta/{id}/InvokeCommand 200',
      ]);
      assert.equal(kept(p)!.fetchedAt, stale.fetchedAt, 'the stale copy stays what it was');
    } finally {
      h.sandbox.faults.set({ failOnce: [] });
    }
  });

  test('a sign-in that fails the way a moved endpoint would fetches the metadata again', async () => {
    const p = await newProfile();
    await served(['check', '--profile', p]);
    const k = kept(p)!;
    const moved = k.document.token_endpoint!.replace(/token$/, 'moved');
    setKept(p, { ...k, document: { ...k.document, token_endpoint: moved } });
    const r = await served(['check', '--profile', p]);
    assert.equal(r.r.code, 0, r.r.stderr);
    assert.deepEqual(r.lines.slice(0, 3), [
      'token POST /{id}/oauth2/v2.0/moved 404',
      `token ${OPENID} 200`,
      'token POST /{id}/oauth2/v2.0/token 200',
    ]);
    assert.equal(kept(p)!.document.token_endpoint, k.document.token_endpoint, 'the corrected copy is kept');
  });

  test('a refusal by the token service itself does not fetch the metadata again', async () => {
    const p = await newProfile();
    await served(['check', '--profile', p]);
    const appId = (
      JSON.parse(readFileSync(file(), 'utf8')) as { profiles: Record<string, { app: { appId: string } }> }
    ).profiles[p]!.app.appId;
    assert.ok(h.sandbox.act({ action: 'expire-key', appId }).ok);
    const r = await served(['check', '--profile', p]);
    assert.equal(r.r.code, 1);
    assert.match(r.r.stdout, /FAIL\s+sign-in/);
    assert.ok(r.lines.includes('token POST /{id}/oauth2/v2.0/token 401'), r.lines.join('\n'));
    assert.ok(!r.lines.some((l) => l.includes('openid-configuration')), r.lines.join('\n'));
  });
});
