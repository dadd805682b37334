import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { startHarness, initArgs, json, tempDir, type Harness } from '../helpers/harness.js';

/** exo-cba token (--federated) with the built binary against the sandbox and its GitHub Actions stand-in. */

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const EXCHANGE = 'https://outlook.office365.com';
const AUDIENCE = 'api://AzureADTokenExchange';
const NOT_GITHUB = { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined };

/** Every file under the config directory, read as text (profiles, sandbox state): no token may be in any. */
function configText(dir: string): string {
  let out = '';
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out += readFileSync(path.join(e.parentPath, e.name), 'utf8');
  return out;
}

describe('exo-cba token (built binary, sandbox)', () => {
  let h: Harness;
  let appId: string;
  let tenant: string;
  before(async () => {
    h = await startHarness();
    const r = await h.run([...initArgs(h), '--json']);
    assert.equal(r.code, 0, r.stderr);
    appId = json<{ appId: string }>(r).appId;
    tenant = h.sandbox.directory.tenant.id;
    // The stand-in's tokens carry repo:contoso/exchange-jobs:ref:refs/heads/main unless told otherwise.
    const f = await h.run(['federate', '--github', 'contoso/exchange-jobs', '--branch', 'main']);
    assert.equal(f.code, 0, f.stderr);
  });
  after(() => h.close());

  test('token --federated, piped: stdout is exactly one JWT for Exchange; nothing secret anywhere else', async () => {
    const served = h.sandbox.oidc.served;
    const r = await h.run(['token', '--federated', '--verbose']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(h.sandbox.oidc.served, served + 1, 'the token came from the GitHub Actions endpoint');
    const lines = r.stdout.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, `stdout: ${r.stdout}`);
    const token = lines[0] ?? '';
    assert.match(token, JWT);
    const claims = decodeJwt(token);
    assert.equal(claims['aud'], EXCHANGE);
    assert.equal(claims['appid'], appId);
    assert.deepEqual(claims['roles'], ['Exchange.ManageAsApp']);
    assert.ok(!r.stderr.includes(token), 'the access token is not on stderr, not even with --verbose');
    assert.ok(!r.stderr.includes(h.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] ?? '-'), 'nor the request token');
    assert.ok(!configText(h.configDir).includes(token), 'nor in any file exo-cba keeps');
  });

  test('a pipeline needs only EXO_CBA_APP_ID and EXO_CBA_TENANT (no profile)', async () => {
    const empty = tempDir();
    const r = await h.run(['token', '--federated'], {
      env: { EXO_CBA_CONFIG_DIR: empty, EXO_CBA_APP_ID: appId, EXO_CBA_TENANT: tenant },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(decodeJwt(r.stdout.trim())['appid'], appId);
  });

  test('from a token file: AZURE_FEDERATED_TOKEN_FILE, or --federated-token-file', async () => {
    const file = path.join(h.dir, 'ci-token');
    writeFileSync(file, await h.sandbox.oidc.sign({ audience: AUDIENCE }));
    const served = h.sandbox.oidc.served;
    const viaEnv = await h.run(['token', '--federated'], {
      env: { ...NOT_GITHUB, AZURE_FEDERATED_TOKEN_FILE: file },
    });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    assert.match(viaEnv.stdout.trim(), JWT);
    const viaFlag = await h.run(['token', '--federated', '--federated-token-file', file]);
    assert.equal(viaFlag.code, 0, viaFlag.stderr);
    assert.equal(decodeJwt(viaFlag.stdout.trim())['aud'], EXCHANGE);
    assert.equal(h.sandbox.oidc.served, served, 'the GitHub endpoint was not asked');
  });

  test('a wrong subject: AADSTS700213, the subject the token carried, and the federate line that trusts it', async () => {
    const set = (subject: string) => h.sandbox.oidc.configure({ subject });
    set('repo:contoso/exchange-jobs:environment:production');
    try {
      const r = await h.run(['token', '--federated']);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, '', 'nothing on stdout');
      assert.match(
        r.stderr,
        /No federated credential on the app trusts the CI token's subject \(AADSTS700213\)/,
      );
      assert.match(r.stderr, /subject repo:contoso\/exchange-jobs:environment:production/);
      assert.match(r.stderr, /EXO-FEDERATED-NO-MATCH/);
      assert.match(
        r.stderr,
        /exo-cba federate --profile \S+ --github contoso\/exchange-jobs --environment production/,
      );
    } finally {
      set('repo:contoso/exchange-jobs:ref:refs/heads/main');
    }
  });

  test('an unknown issuer (700211) and a wrong audience (700212) are each explained', async () => {
    const gitlab = path.join(h.dir, 'gitlab-token');
    writeFileSync(gitlab, await h.sandbox.oidc.sign({ audience: AUDIENCE, issuer: 'https://gitlab.com' }));
    const i = await h.run(['token', '--federated', '--federated-token-file', gitlab]);
    assert.equal(i.code, 1, i.stderr);
    assert.match(i.stderr, /trusts the issuer the CI token carries \(AADSTS700211\)/);
    assert.match(i.stderr, /issuer https:\/\/gitlab\.com/);
    const wrongAud = path.join(h.dir, 'aud-token');
    writeFileSync(wrongAud, await h.sandbox.oidc.sign({ audience: 'https://github.com/contoso' }));
    const a = await h.run(['token', '--federated', '--federated-token-file', wrongAud]);
    assert.equal(a.code, 1, a.stderr);
    assert.match(a.stderr, /accepts the CI token's audience \(AADSTS700212\)/);
    assert.match(a.stderr, /audience https:\/\/github\.com\/contoso/);
  });

  test('a GitHub job without id-token: write is told to add it (exit 2); no CI token at all, likewise', async () => {
    const gh = await h.run(['token', '--federated'], { env: { ...NOT_GITHUB, GITHUB_ACTIONS: 'true' } });
    assert.equal(gh.code, 2, gh.stderr);
    assert.match(gh.stderr, /permissions: id-token: write/);
    assert.match(gh.stderr, /EXO-CI-TOKEN/);
    const none = await h.run(['token', '--federated'], { env: NOT_GITHUB });
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /AZURE_FEDERATED_TOKEN_FILE/);
    const notJwt = path.join(h.dir, 'not-a-jwt');
    writeFileSync(notJwt, 'hello');
    const bad = await h.run(['token', '--federated', '--federated-token-file', notJwt]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /does not hold a JWT/);
  });

  test('token without --federated signs in with the profile certificate; still one JWT on stdout', async () => {
    const r = await h.run(['token']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n').filter(Boolean);
    assert.equal(lines.length, 1);
    assert.equal(decodeJwt(lines[0] ?? '')['appidacr'], '2');
    const j = await h.run(['token', '--json']);
    assert.equal(json<{ resource: string }>(j).resource, EXCHANGE);
  });
});
