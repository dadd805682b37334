import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, decodeProtectedHeader, SignJWT, generateKeyPair } from 'jose';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { makeCert, type TestCert } from '../helpers/certs.js';
import { sandboxClient, seedApp, grantAppRole, type SandboxClient } from '../helpers/sandbox-client.js';

// The facts these tests hold the sandbox to, written here from the sources (not imported from the sandbox).
const GITHUB = 'https://token.actions.githubusercontent.com';
const EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
const EXO_APP_ID = '00000002-0000-0ff1-ce00-000000000000';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const MAIN = 'repo:contoso/exchange-jobs:ref:refs/heads/main';

interface World {
  sb: Sandbox;
  c: SandboxClient;
  cert: TestCert;
  clock: { t: number };
  admin: string;
}

async function world(): Promise<World> {
  const clock = { t: Date.now() };
  const sb = await startSandbox({ now: () => clock.t });
  const c = sandboxClient(sb);
  return { sb, c, cert: await makeCert(), clock, admin: await c.adminToken(['Application.ReadWrite.All']) };
}

const fic = (over: Record<string, unknown> = {}) => ({
  name: 'github-main',
  issuer: GITHUB,
  subject: MAIN,
  audiences: [EXCHANGE_AUDIENCE],
  description: 'exo-cba',
  ...over,
});

describe('sandbox: Graph federatedIdentityCredentials', () => {
  let w: World;
  before(async () => (w = await world()));
  after(() => w.sb.stop());
  const url = (id: string, rest = '') =>
    `${w.sb.graph}/v1.0/applications/${id}/federatedIdentityCredentials${rest}`;
  const post = (id: string, body: unknown) =>
    w.c.call('POST', url(id), body, { authorization: `Bearer ${w.admin}` });
  const auth = () => ({ authorization: `Bearer ${w.admin}` });

  test('POST creates one (201), list, get by id and by name, PATCH, DELETE read back', async () => {
    const a = seedApp(w.sb, w.cert);
    const made = await post(a.id, fic());
    assert.equal(made.status, 201, made.text);
    assert.equal(made.json['name'], 'github-main');
    assert.deepEqual(made.json['audiences'], [EXCHANGE_AUDIENCE]);
    const id = String(made.json['id']);
    const list = await w.c.call('GET', url(a.id), undefined, auth());
    assert.equal((list.json['value'] as unknown[]).length, 1);
    const byAppId = await w.c.call(
      'GET',
      `${w.sb.graph}/v1.0/applications(appId='${a.appId}')/federatedIdentityCredentials`,
      undefined,
      auth(),
    );
    assert.equal((byAppId.json['value'] as unknown[]).length, 1);
    assert.equal((await w.c.call('GET', url(a.id, `/${id}`), undefined, auth())).json['subject'], MAIN);
    const byName = await w.c.call('GET', url(a.id, "(name='github-main')"), undefined, auth());
    assert.equal(byName.json['id'], id);
    const patched = await w.c.call('PATCH', url(a.id, `/${id}`), { subject: `${MAIN}x` }, auth());
    assert.equal(patched.status, 204);
    assert.equal((await w.c.call('GET', url(a.id, `/${id}`), undefined, auth())).json['subject'], `${MAIN}x`);
    const renamed = await w.c.call('PATCH', url(a.id, `/${id}`), { name: 'other' }, auth());
    assert.equal(renamed.status, 400, 'the name is immutable');
    assert.equal((await w.c.call('DELETE', url(a.id, `/${id}`), undefined, auth())).status, 204);
    assert.equal((await w.c.call('GET', url(a.id, `/${id}`), undefined, auth())).status, 404);
    assert.equal(w.sb.directory.app(a.id)?.federatedIdentityCredentials?.length, 0);
  });

  test('a duplicate name is 409 Request_MultipleObjectsWithSameKeyValue; a duplicate issuer + subject is 400', async () => {
    const a = seedApp(w.sb, w.cert);
    assert.equal((await post(a.id, fic())).status, 201);
    const sameName = await post(a.id, fic({ subject: 'repo:contoso/other:ref:refs/heads/main' }));
    assert.equal(sameName.status, 409);
    const e1 = sameName.json['error'] as { code: string; message: string };
    assert.equal(e1.code, 'Request_MultipleObjectsWithSameKeyValue');
    assert.match(e1.message, /FederatedIdentityCredential with name github-main already exists/);
    const samePair = await post(a.id, fic({ name: 'another' }));
    assert.equal(samePair.status, 400);
    const e2 = samePair.json['error'] as { code: string; message: string };
    assert.equal(e2.code, 'InvalidFederatedIdentityCredentialValue');
    assert.match(e2.message, /combination of issuer and subject must be unique/);
    assert.equal(w.sb.directory.app(a.id)?.federatedIdentityCredentials?.length, 1);
  });

  test('name charset and length, audiences exactly one, issuer and subject required', async () => {
    const a = seedApp(w.sb, w.cert);
    const refused = [
      fic({ name: 'has space' }),
      fic({ name: 'a/b' }),
      fic({ name: '-leading-dash' }),
      fic({ name: 'x'.repeat(121) }),
      fic({ audiences: [EXCHANGE_AUDIENCE, 'api://other'] }),
      fic({ audiences: [] }),
      fic({ issuer: undefined }),
      fic({ subject: 'x'.repeat(601) }),
    ];
    for (const body of refused) {
      const r = await post(a.id, body);
      assert.equal(r.status, 400, JSON.stringify(body).slice(0, 80));
    }
    assert.equal((await post(a.id, fic({ name: 'x'.repeat(120) }))).status, 201);
    assert.equal(w.sb.directory.app(a.id)?.federatedIdentityCredentials?.length, 1);
  });

  test('at most 20 per application', async () => {
    const a = seedApp(w.sb, w.cert);
    for (let i = 0; i < 20; i++)
      assert.equal((await post(a.id, fic({ name: `env-${i}`, subject: `${MAIN}-${i}` }))).status, 201);
    const over = await post(a.id, fic({ name: 'env-20', subject: `${MAIN}-20` }));
    assert.equal(over.status, 400);
    assert.match((over.json['error'] as { message: string }).message, /limit of 20/);
    assert.equal(w.sb.directory.app(a.id)?.federatedIdentityCredentials?.length, 20);
  });

  test('an app token without Application.ReadWrite.All is refused (403)', async () => {
    const a = seedApp(w.sb, w.cert);
    const t = await w.c.token(a.appId, 'https://graph.microsoft.com/.default', { cert: w.cert });
    const r = await w.c.call('POST', url(a.id), fic(), {
      authorization: `Bearer ${String(t.json['access_token'])}`,
    });
    assert.equal(r.status, 403);
    assert.equal(w.sb.directory.app(a.id)?.federatedIdentityCredentials, undefined);
  });
});

describe('sandbox: the GitHub Actions OIDC stand-in', () => {
  let w: World;
  before(async () => (w = await world()));
  after(() => w.sb.stop());
  const env = () => w.sb.env('ca.pem');

  test('the env lines carry what a job with id-token: write sees', () => {
    const e = env();
    assert.match(e['ACTIONS_ID_TOKEN_REQUEST_URL'] ?? '', /^https:\/\/.+\/idtoken\?api-version=2\.0$/);
    assert.ok((e['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] ?? '').length > 20);
  });

  test('discovery document and keys', async () => {
    const d = await w.c.call('GET', `${w.sb.githubOidc}/.well-known/openid-configuration`);
    assert.equal(d.json['issuer'], GITHUB);
    const keys = await w.c.call('GET', String(d.json['jwks_uri']));
    assert.equal((keys.json['keys'] as { kty: string }[])[0]?.kty, 'RSA');
  });

  test('a token needs the request token; it carries the audience asked for, else the owner URL', async () => {
    const e = env();
    const reqUrl = `${e['ACTIONS_ID_TOKEN_REQUEST_URL'] ?? ''}&audience=${encodeURIComponent(EXCHANGE_AUDIENCE)}`;
    assert.equal((await w.c.call('GET', reqUrl)).status, 401);
    assert.equal((await w.c.call('GET', reqUrl, undefined, { authorization: 'bearer wrong' })).status, 401);
    const ok = await w.c.call('GET', reqUrl, undefined, {
      authorization: `bearer ${e['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] ?? ''}`,
    });
    assert.equal(ok.status, 200);
    const jwt = String(ok.json['value']);
    assert.equal(decodeProtectedHeader(jwt).alg, 'RS256');
    const claims = decodeJwt(jwt);
    assert.equal(claims.iss, GITHUB);
    assert.equal(claims.sub, MAIN);
    assert.equal(claims.aud, EXCHANGE_AUDIENCE);
    const bare = await w.c.call('GET', e['ACTIONS_ID_TOKEN_REQUEST_URL'] ?? '', undefined, {
      authorization: `bearer ${e['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] ?? ''}`,
    });
    assert.equal(decodeJwt(String(bare.json['value'])).aud, 'https://github.com/contoso');
  });

  test('the sandbox action oidc-token sets the subject of the next tokens', async () => {
    const set = await w.c.call('POST', `${w.sb.authority}/_sandbox/actions/oidc-token`, {
      subject: 'repo:contoso/exchange-jobs:environment:production',
    });
    assert.equal(set.status, 200);
    const jwt = await w.sb.oidc.sign({ audience: EXCHANGE_AUDIENCE });
    assert.equal(decodeJwt(jwt).sub, 'repo:contoso/exchange-jobs:environment:production');
  });
});

describe('sandbox: the token endpoint takes a federated assertion', () => {
  let w: World;
  let tokenUrl: string;
  before(async () => {
    w = await world();
    tokenUrl = `${w.sb.authority}/${w.sb.directory.tenant.initialDomain}/oauth2/v2.0/token`;
  });
  after(() => w.sb.stop());

  const exchange = (clientId: string, assertion: string) =>
    w.c.call(
      'POST',
      tokenUrl,
      new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        scope: 'https://outlook.office365.com/.default',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: assertion,
      }),
    );
  const trusting = (subject = MAIN, issuer = GITHUB) => {
    const a = seedApp(w.sb, w.cert);
    grantAppRole(w.sb, a.spId, EXO_APP_ID, 'Exchange.ManageAsApp');
    const app = w.sb.directory.app(a.id);
    if (!app) throw new Error('no app');
    app.federatedIdentityCredentials = [
      { id: 'f1', name: 'github-main', issuer, subject, audiences: [EXCHANGE_AUDIENCE] },
    ];
    return a;
  };
  const codeOf = (r: { json: Record<string, unknown> }) =>
    (r.json['error_codes'] as number[] | undefined)?.[0];
  const text = (r: { json: Record<string, unknown> }) => String(r.json['error_description']);

  test('a matching token gives an app-only token for the resource', async () => {
    const a = trusting();
    const r = await exchange(a.appId, await w.sb.oidc.sign({ audience: EXCHANGE_AUDIENCE, subject: MAIN }));
    assert.equal(r.status, 200, r.text);
    const claims = decodeJwt(String(r.json['access_token']));
    assert.equal(claims['aud'], 'https://outlook.office365.com');
    assert.equal(claims['appid'], a.appId);
    assert.deepEqual(claims['roles'], ['Exchange.ManageAsApp']);
  });

  test('no federated credential on the app: AADSTS70021 naming issuer, subject and audience', async () => {
    const a = seedApp(w.sb, w.cert);
    const r = await exchange(a.appId, await w.sb.oidc.sign({ audience: EXCHANGE_AUDIENCE, subject: MAIN }));
    assert.equal(r.status, 400);
    assert.equal(codeOf(r), 70021);
    assert.match(text(r), new RegExp(`Assertion Subject: '${MAIN}'`));
  });

  test('another issuer: AADSTS700211; another subject: 700213 with the presented subject; case only: 7002138', async () => {
    const a = trusting();
    const gitlab = await exchange(
      a.appId,
      await w.sb.oidc.sign({ audience: EXCHANGE_AUDIENCE, subject: MAIN, issuer: 'https://gitlab.com' }),
    );
    assert.equal(codeOf(gitlab), 700211);
    assert.match(text(gitlab), /issuer 'https:\/\/gitlab\.com'/);
    const slash = await exchange(
      a.appId,
      await w.sb.oidc.sign({ audience: EXCHANGE_AUDIENCE, issuer: `${GITHUB}/` }),
    );
    assert.equal(codeOf(slash), 700211, 'a trailing slash is another issuer');
    const env = 'repo:contoso/exchange-jobs:environment:production';
    const sub = await exchange(a.appId, await w.sb.oidc.sign({ audience: EXCHANGE_AUDIENCE, subject: env }));
    assert.equal(codeOf(sub), 700213);
    assert.match(text(sub), new RegExp(`subject '${env}'`));
    const upper = await exchange(
      a.appId,
      await w.sb.oidc.sign({ audience: EXCHANGE_AUDIENCE, subject: MAIN.replace('contoso', 'Contoso') }),
    );
    assert.equal(codeOf(upper), 7002138);
  });

  test('another audience: AADSTS700212', async () => {
    const a = trusting();
    const r = await exchange(
      a.appId,
      await w.sb.oidc.sign({ audience: 'https://github.com/contoso', subject: MAIN }),
    );
    assert.equal(codeOf(r), 700212);
    assert.match(text(r), /audience 'https:\/\/github\.com\/contoso'/);
  });

  test('an expired token: AADSTS700024; a token signed by another key: AADSTS50013', async () => {
    const a = trusting();
    const jwt = await w.sb.oidc.sign({ audience: EXCHANGE_AUDIENCE, subject: MAIN });
    w.clock.t += 3_600_000;
    try {
      const r = await exchange(a.appId, jwt);
      assert.equal(r.status, 401);
      assert.equal(codeOf(r), 700024);
    } finally {
      w.clock.t -= 3_600_000;
    }
    const { privateKey } = await generateKeyPair('RS256');
    const now = Math.floor(w.clock.t / 1000);
    const forged = await new SignJWT({ sub: MAIN, aud: EXCHANGE_AUDIENCE, iss: GITHUB })
      .setProtectedHeader({ alg: 'RS256', kid: 'forged' })
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(privateKey);
    assert.equal(codeOf(await exchange(a.appId, forged)), 50013);
  });

  test('a new credential is not used before it replicates (AADSTS70021 until then)', async () => {
    const a = seedApp(w.sb, w.cert);
    grantAppRole(w.sb, a.spId, EXO_APP_ID, 'Exchange.ManageAsApp');
    await w.c.call('POST', `${w.sb.authority}/_sandbox/faults`, { replicationDelayMs: 30_000 });
    w.sb.directory.replicationDelayMs = 30_000;
    try {
      const made = await w.c.call(
        'POST',
        `${w.sb.graph}/v1.0/applications/${a.id}/federatedIdentityCredentials`,
        fic(),
        { authorization: `Bearer ${w.admin}` },
      );
      assert.equal(made.status, 201);
      const jwt = await w.sb.oidc.sign({ audience: EXCHANGE_AUDIENCE, subject: MAIN });
      assert.equal(codeOf(await exchange(a.appId, jwt)), 70021);
      w.clock.t += 31_000;
      assert.equal((await exchange(a.appId, jwt)).status, 200);
    } finally {
      await w.c.call('POST', `${w.sb.authority}/_sandbox/faults`, { replicationDelayMs: 0 });
    }
  });

  test('a token fetched the way a job does it (request URL and token) is exchanged', async () => {
    const a = trusting();
    const e = w.sb.env('ca.pem');
    const got = await w.c.call(
      'GET',
      `${e['ACTIONS_ID_TOKEN_REQUEST_URL'] ?? ''}&audience=${encodeURIComponent(EXCHANGE_AUDIENCE)}`,
      undefined,
      { authorization: `bearer ${e['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] ?? ''}` },
    );
    const r = await exchange(a.appId, String(got.json['value']));
    assert.equal(r.status, 200, r.text);
  });
});
