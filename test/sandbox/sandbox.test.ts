import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT, importPKCS8, decodeJwt } from 'jose';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import {
  EXO_APP_ID as EXCHANGE_APP_ID,
  MANAGE_AS_APP_ROLE_ID as EXCHANGE_MANAGE_AS_APP_ROLE_ID,
  ADD_KEY_PROOF_AUDIENCE as PROOF_AUDIENCE,
  GRAPH_CLI_APP_ID as DEFAULT_PUBLIC_CLIENT_ID,
} from '../../src/sandbox/microsoft-ids.js';
import { httpsWithCa, type Fetcher as HttpTransport } from '../helpers/https.js';
import { makeCert, registerKey } from '../helpers/certs.js';

/** The proof-of-possession JWT as Graph's addKey page describes it, written here apart from exo-cba's own. */
async function makeProof(opts: {
  keyPem: string;
  certDer: Buffer;
  objectId: string;
  now: Date;
}): Promise<string> {
  const nbf = Math.floor(opts.now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({
      alg: 'RS256',
      typ: 'JWT',
      x5t: createHash('sha1').update(opts.certDer).digest('base64url'),
    })
    .setAudience(PROOF_AUDIENCE)
    .setIssuer(opts.objectId)
    .setNotBefore(nbf)
    .setExpirationTime(nbf + 600)
    .sign(await importPKCS8(opts.keyPem, 'RS256'));
}

type Cert = Awaited<ReturnType<typeof makeCert>>;
const EXO = 'https://outlook.office365.com';
const GRAPH = 'https://graph.microsoft.com';

describe('sandbox tenant', () => {
  let sb: Sandbox;
  let http: HttpTransport;
  let domain: string;
  let tokenUrl: string;
  let cert: Cert;
  let app: { id: string; appId: string; spId: string };

  const call = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const isForm = body instanceof URLSearchParams;
    const res = await http({
      method,
      url,
      headers: {
        ...(body !== undefined
          ? { 'content-type': isForm ? 'application/x-www-form-urlencoded' : 'application/json' }
          : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: isForm ? body.toString() : JSON.stringify(body) } : {}),
    });
    const text = res.body.toString('utf8');
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      /* not JSON */
    }
    return { status: res.status, headers: res.headers, json, text, raw: res.body };
  };
  const assertion = async (opts: {
    clientId: string;
    signer: Cert;
    named?: Cert;
    alg?: 'RS256' | 'PS256';
    aud?: string;
    iss?: string;
    exp?: number;
    nbf?: number;
  }) => {
    const named = opts.named ?? opts.signer;
    const alg = opts.alg ?? 'RS256';
    const der = named.info.der;
    const header =
      alg === 'PS256'
        ? { alg, typ: 'JWT', 'x5t#S256': createHash('sha256').update(der).digest('base64url') }
        : { alg, typ: 'JWT', x5t: createHash('sha1').update(der).digest('base64url') };
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ jti: randomUUID() })
      .setProtectedHeader(header)
      .setAudience(opts.aud ?? tokenUrl)
      .setIssuer(opts.iss ?? opts.clientId)
      .setSubject(opts.clientId)
      .setNotBefore(opts.nbf ?? now)
      .setIssuedAt(now)
      .setExpirationTime(opts.exp ?? now + 600)
      .sign(await importPKCS8(opts.signer.keyPem, alg));
  };
  const clientCredentials = async (a: string, clientId: string, scope = `${EXO}/.default`) =>
    call(
      'POST',
      tokenUrl,
      new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: a,
        scope,
      }),
    );
  const appToken = async (resource: string) => {
    const r = await clientCredentials(
      await assertion({ clientId: app.appId, signer: cert }),
      app.appId,
      `${resource}/.default`,
    );
    assert.equal(r.status, 200, r.text);
    return String(r.json['access_token']);
  };
  const adminToken = async (scopes: string[]) => {
    const dc = await call(
      'POST',
      `${sb.authority}/${domain}/oauth2/v2.0/devicecode`,
      new URLSearchParams({
        client_id: DEFAULT_PUBLIC_CLIENT_ID,
        scope: [...scopes.map((s) => `${GRAPH}/${s}`), 'openid', 'offline_access'].join(' '),
      }),
    );
    assert.equal(dc.status, 200, dc.text);
    const t = await call(
      'POST',
      `${sb.authority}/${domain}/oauth2/v2.0/token`,
      new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        client_id: DEFAULT_PUBLIC_CLIENT_ID,
        device_code: String(dc.json['device_code']),
      }),
    );
    assert.equal(t.status, 200, t.text);
    return t.json as { access_token: string; refresh_token: string; id_token: string };
  };
  const graph = (
    method: string,
    path: string,
    token: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => call(method, `${sb.graph}/v1.0${path}`, body, { authorization: `Bearer ${token}`, ...headers });
  const errCode = (r: { json: Record<string, unknown> }) =>
    (r.json['error'] as { code?: string } | undefined)?.code;
  const aadsts = (r: { json: Record<string, unknown> }) =>
    (r.json['error_codes'] as number[] | undefined)?.[0];

  /** An app as init leaves it: SP, Exchange.ManageAsApp grant, Exchange Administrator, one key. */
  const seedApp = (c: Cert, opts: { grant?: boolean; role?: boolean } = {}) => {
    const d = sb.directory.data;
    const a = { id: randomUUID(), appId: randomUUID(), spId: randomUUID() };
    d.applications.push({
      id: a.id,
      appId: a.appId,
      displayName: 'seeded',
      signInAudience: 'AzureADMyOrg',
      requiredResourceAccess: [],
      keyCredentials: [],
      createdDateTime: new Date().toISOString(),
      isFallbackPublicClient: false,
      visibleAt: 0,
    });
    d.servicePrincipals.push({
      id: a.spId,
      appId: a.appId,
      displayName: 'seeded',
      appRoles: [],
      servicePrincipalNames: [a.appId],
      publicClient: false,
      accountEnabled: true,
      visibleAt: 0,
    });
    const exo = sb.directory.spByAppId(EXCHANGE_APP_ID)!;
    if (opts.grant !== false)
      d.appRoleAssignments.push({
        id: randomUUID(),
        principalId: a.spId,
        principalType: 'ServicePrincipal',
        principalDisplayName: 'seeded',
        resourceId: exo.id,
        resourceDisplayName: exo.displayName,
        appRoleId: EXCHANGE_MANAGE_AS_APP_ROLE_ID,
        createdDateTime: '',
        visibleAt: 0,
      });
    if (opts.role !== false)
      d.roleAssignments.push({
        id: randomUUID(),
        principalId: a.spId,
        roleDefinitionId: '29232cdf-9323-42fd-ade2-1d097af3e4de',
        directoryScopeId: '/',
        visibleAt: 0,
      });
    registerKey(sb, a.appId, c);
    return a;
  };

  before(async () => {
    sb = await startSandbox();
    http = httpsWithCa(sb.caPem);
    domain = sb.directory.tenant.initialDomain;
    tokenUrl = `${sb.authority}/${domain}/oauth2/v2.0/token`;
    cert = await makeCert({ validityDays: 90 });
    app = seedApp(cert);
  });
  after(() => sb.stop());

  describe('token service', () => {
    test('serves OpenID discovery whose issuer has the authority origin, and its signing keys', async () => {
      const r = await call('GET', `${sb.authority}/${domain}/v2.0/.well-known/openid-configuration`);
      assert.equal(r.status, 200);
      assert.equal(r.json['issuer'], `${sb.authority}/${sb.directory.tenant.id}/v2.0`);
      assert.equal(r.json['token_endpoint'], tokenUrl);
      const keys = await call('GET', String(r.json['jwks_uri']));
      assert.equal((keys.json['keys'] as unknown[]).length, 1);
    });

    test('issues an app token for an RS256 assertion named by x5t, with aud, tid, appid, roles and wids', async () => {
      const claims = decodeJwt(await appToken(EXO));
      assert.equal(claims.aud, EXO);
      assert.equal(claims['tid'], sb.directory.tenant.id);
      assert.equal(claims['appid'], app.appId);
      assert.deepEqual(claims['roles'], ['Exchange.ManageAsApp']);
      assert.deepEqual(claims['wids'], ['29232cdf-9323-42fd-ade2-1d097af3e4de']);
    });

    test('accepts PS256 with x5t#S256', async () => {
      const r = await clientCredentials(
        await assertion({ clientId: app.appId, signer: cert, alg: 'PS256' }),
        app.appId,
      );
      assert.equal(r.status, 200, r.text);
    });

    test('rejects a forged assertion: right x5t, signed by another key (AADSTS700027)', async () => {
      const other = await makeCert();
      const r = await clientCredentials(
        await assertion({ clientId: app.appId, signer: other, named: cert }),
        app.appId,
      );
      assert.equal(r.status, 401);
      assert.equal(r.json['error'], 'invalid_client');
      assert.equal(aadsts(r), 700027);
    });

    test('rejects a certificate the app does not have (AADSTS700027) and an unknown app (AADSTS700016)', async () => {
      const other = await makeCert();
      assert.equal(
        aadsts(await clientCredentials(await assertion({ clientId: app.appId, signer: other }), app.appId)),
        700027,
      );
      const stranger = randomUUID();
      const r = await clientCredentials(await assertion({ clientId: stranger, signer: cert }), stranger);
      assert.equal(r.status, 400);
      assert.equal(aadsts(r), 700016);
    });

    test('rejects an expired key credential and one not yet valid', async () => {
      const c = await makeCert({ now: new Date(Date.now() - 100 * 86_400_000), validityDays: 10 });
      const a = seedApp(c);
      const r = await clientCredentials(await assertion({ clientId: a.appId, signer: c }), a.appId);
      assert.equal(aadsts(r), 700027);
      assert.match(String(r.json['error_description']), /expired/);
      const f = await makeCert({ now: new Date(Date.now() + 10 * 86_400_000), validityDays: 10 });
      const b = seedApp(f);
      assert.equal(
        aadsts(await clientCredentials(await assertion({ clientId: b.appId, signer: f }), b.appId)),
        700027,
      );
    });

    test('checks aud (700023), iss = sub = client id (700021) and the assertion lifetime (700024)', async () => {
      assert.equal(
        aadsts(
          await clientCredentials(
            await assertion({
              clientId: app.appId,
              signer: cert,
              aud: 'https://login.microsoftonline.com/x/oauth2/v2.0/token',
            }),
            app.appId,
          ),
        ),
        700023,
      );
      assert.equal(
        aadsts(
          await clientCredentials(
            await assertion({ clientId: app.appId, signer: cert, iss: randomUUID() }),
            app.appId,
          ),
        ),
        700021,
      );
      const past = Math.floor(Date.now() / 1000) - 3600;
      assert.equal(
        aadsts(
          await clientCredentials(
            await assertion({ clientId: app.appId, signer: cert, nbf: past - 600, exp: past }),
            app.appId,
          ),
        ),
        700024,
      );
    });

    test('client credentials need a /.default scope of a known resource', async () => {
      const a = await assertion({ clientId: app.appId, signer: cert });
      assert.equal(aadsts(await clientCredentials(a, app.appId, `${EXO}/Exchange.ManageAsApp`)), 1002012);
      assert.equal(
        aadsts(
          await clientCredentials(
            await assertion({ clientId: app.appId, signer: cert }),
            app.appId,
            'https://nowhere.example/.default',
          ),
        ),
        500011,
      );
    });

    test('a new app is unknown to the token service until it replicates (AADSTS700016)', async () => {
      // Long enough that a key generation on a loaded machine does not outlast it.
      sb.faults.set({ replicationDelayMs: 2000 });
      sb.directory.replicationDelayMs = 2000;
      try {
        const admin = await adminToken(['Application.ReadWrite.All']);
        const created = await graph('POST', '/applications', admin.access_token, {
          displayName: 'replicating',
        });
        assert.equal(created.status, 201);
        const id = String(created.json['id']);
        const appId = String(created.json['appId']);
        assert.equal(
          errCode(await graph('GET', `/applications/${id}`, admin.access_token)),
          'Request_ResourceNotFound',
        );
        // The field's answers to a premature service principal create, in turn: the 403, then the 400 with and without details.
        const tries = [];
        for (let i = 0; i < 3; i++)
          tries.push(await graph('POST', '/servicePrincipals', admin.access_token, { appId }));
        const shapes = tries
          .map(
            (t) =>
              `${t.status} ${errCode(t)} ${(t.json['error'] as { details?: { code: string }[] }).details?.[0]?.code ?? '-'}`,
          )
          .sort();
        assert.deepEqual(shapes, [
          '400 Request_BadRequest -',
          '400 Request_BadRequest NoBackingApplicationObject',
          '403 Authorization_RequestDenied -',
        ]);
        const filter = await graph(
          'GET',
          `/applications?$filter=displayName eq 'replicating'`,
          admin.access_token,
        );
        assert.equal((filter.json['value'] as unknown[]).length, 0, 'invisible to filters too');
        const c = await makeCert();
        registerKey(sb, appId, c);
        assert.equal(
          aadsts(await clientCredentials(await assertion({ clientId: appId, signer: c }), appId)),
          700016,
        );
        await new Promise((r) => setTimeout(r, 2050));
        assert.equal((await graph('GET', `/applications/${id}`, admin.access_token)).status, 200);
      } finally {
        sb.faults.set({ replicationDelayMs: 0 });
        sb.directory.replicationDelayMs = 0;
      }
    });

    test('device code: approved, denied, expired and pending', async () => {
      const t = await adminToken(['Application.Read.All']);
      const claims = decodeJwt(t.access_token);
      assert.equal(claims['scp'], 'Application.Read.All');
      assert.ok((claims['wids'] as string[]).includes('62e90394-69f5-4237-9190-012177145e10'));
      const poll = async () => {
        const dc = await call(
          'POST',
          `${sb.authority}/${domain}/oauth2/v2.0/devicecode`,
          new URLSearchParams({ client_id: DEFAULT_PUBLIC_CLIENT_ID, scope: `${GRAPH}/User.Read` }),
        );
        return call(
          'POST',
          tokenUrl,
          new URLSearchParams({
            grant_type: 'device_code',
            client_id: DEFAULT_PUBLIC_CLIENT_ID,
            device_code: String(dc.json['device_code']),
          }),
        );
      };
      for (const [mode, error] of [
        ['deny', 'authorization_declined'],
        ['expire', 'expired_token'],
      ] as const) {
        sb.faults.set({ deviceCode: { mode, approveAfterMs: 0, interval: 5 } });
        assert.equal((await poll()).json['error'], error);
      }
      sb.faults.set({ deviceCode: { mode: 'approve', approveAfterMs: 60_000, interval: 5 } });
      assert.equal((await poll()).json['error'], 'authorization_pending');
      sb.faults.set({ deviceCode: { mode: 'approve', approveAfterMs: 0, interval: 5 } });
    });

    test('authorization code with PKCE: the right verifier gets tokens, a wrong one is refused; refresh works', async () => {
      const verifier = 'v'.repeat(50);
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const redirect = 'http://localhost:53123';
      const url =
        `${sb.authority}/${domain}/oauth2/v2.0/authorize?` +
        String(
          new URLSearchParams({
            client_id: DEFAULT_PUBLIC_CLIENT_ID,
            response_type: 'code',
            redirect_uri: redirect,
            scope: `${GRAPH}/User.Read openid offline_access`,
            code_challenge: challenge,
            code_challenge_method: 'S256',
            response_mode: 'form_post',
            state: 's1',
          }),
        );
      const codeFrom = async () => /name="code" value="([^"]+)"/.exec((await call('GET', url)).text)![1]!;
      const bad = await call(
        'POST',
        tokenUrl,
        new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: DEFAULT_PUBLIC_CLIENT_ID,
          code: await codeFrom(),
          redirect_uri: redirect,
          code_verifier: 'w'.repeat(50),
        }),
      );
      assert.equal(aadsts(bad), 501481);
      const good = await call(
        'POST',
        tokenUrl,
        new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: DEFAULT_PUBLIC_CLIENT_ID,
          code: await codeFrom(),
          redirect_uri: redirect,
          code_verifier: verifier,
        }),
      );
      assert.equal(good.status, 200, good.text);
      const refreshed = await call(
        'POST',
        tokenUrl,
        new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: DEFAULT_PUBLIC_CLIENT_ID,
          refresh_token: String(good.json['refresh_token']),
          scope: `${GRAPH}/User.Read`,
        }),
      );
      assert.equal(refreshed.status, 200, refreshed.text);
    });
  });

  describe('Graph', () => {
    test('needs a valid Graph token: none is 401, an Exchange token is 401 (wrong audience)', async () => {
      assert.equal(errCode(await call('GET', `${sb.graph}/v1.0/organization`)), 'InvalidAuthenticationToken');
      const r = await graph('GET', '/organization', await appToken(EXO));
      assert.equal(r.status, 401);
      assert.match((r.json['error'] as { message: string }).message, /audience/i);
    });

    test('checks delegated scopes and the admin role: 403 Authorization_RequestDenied', async () => {
      const reader = await adminToken(['User.Read']);
      const r = await graph('POST', '/applications', reader.access_token, { displayName: 'nope' });
      assert.equal(r.status, 403);
      assert.equal(errCode(r), 'Authorization_RequestDenied');
      const d = sb.directory.data;
      const saved = d.roleAssignments.map((x) => ({ ...x }));
      try {
        d.roleAssignments = d.roleAssignments.map((x) =>
          x.principalId === d.users[0]!.id
            ? { ...x, roleDefinitionId: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3' }
            : x,
        );
        const t = await adminToken(['RoleManagement.ReadWrite.Directory']);
        const role = await graph('POST', '/roleManagement/directory/roleAssignments', t.access_token, {
          principalId: app.spId,
          roleDefinitionId: '31392ffb-586c-42d1-9346-e59415a2cc4e',
          directoryScopeId: '/',
        });
        assert.equal(role.status, 403, 'an Application Administrator cannot assign directory roles');
      } finally {
        d.roleAssignments = saved;
      }
    });

    test('PATCH keyCredentials replaces the whole collection', async () => {
      const admin = (await adminToken(['Application.ReadWrite.All'])).access_token;
      const c1 = await makeCert();
      const c2 = await makeCert();
      const a = seedApp(c1);
      const keyOf = (c: Cert) => ({
        type: 'AsymmetricX509Cert',
        usage: 'Verify',
        key: c.info.der.toString('base64'),
      });
      assert.equal(
        (await graph('PATCH', `/applications/${a.id}`, admin, { keyCredentials: [keyOf(c2)] })).status,
        204,
      );
      const keys = await graph('GET', `/applications/${a.id}?$select=keyCredentials`, admin);
      const list = keys.json['keyCredentials'] as { key: string }[];
      assert.equal(list.length, 1);
      assert.equal(list[0]!.key, c2.info.der.toString('base64'));
      const plain = await graph('GET', `/applications/${a.id}`, admin);
      assert.equal(
        (plain.json['keyCredentials'] as { key: string | null }[])[0]!.key,
        null,
        'key values only with $select',
      );
    });

    test('addKey and removeKey verify the proof: aud, iss = object id, lifetime, signer, padding', async () => {
      const a = seedApp(cert);
      const fresh = await makeCert();
      const body = (proof: string) => ({
        keyCredential: {
          type: 'AsymmetricX509Cert',
          usage: 'Verify',
          key: fresh.info.der.toString('base64'),
        },
        passwordCredential: null,
        proof,
      });
      const sign = async (claims: { aud?: string; iss?: string; life?: number }, signer: Cert = cert) => {
        const now = Math.floor(Date.now() / 1000);
        return new SignJWT({})
          .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
          .setAudience(claims.aud ?? PROOF_AUDIENCE)
          .setIssuer(claims.iss ?? a.id)
          .setNotBefore(now)
          .setExpirationTime(now + (claims.life ?? 600))
          .sign(await importPKCS8(signer.keyPem, 'RS256'));
      };
      const tokenFor = async () => {
        const r = await clientCredentials(
          await assertion({ clientId: a.appId, signer: cert }),
          a.appId,
          `${GRAPH}/.default`,
        );
        return String(r.json['access_token']);
      };
      const t = await tokenFor();
      for (const [why, proof] of [
        ['wrong aud', await sign({ aud: GRAPH })],
        ['iss is the appId, not the object id', await sign({ iss: a.appId })],
        ['lives longer than 10 minutes', await sign({ life: 3600 })],
        ['signed by a key the app does not have', await sign({}, fresh)],
        ['base64 padding', (await sign({})) + '=='],
      ] as const) {
        const r = await graph('POST', `/applications/${a.id}/addKey`, t, body(proof));
        assert.equal(r.status, 401, why);
        assert.equal(errCode(r), 'Authentication_MissingOrMalformed', why);
      }
      const ok = await graph(
        'POST',
        `/applications/${a.id}/addKey`,
        t,
        body(
          await makeProof({ keyPem: cert.keyPem, certDer: cert.info.der, objectId: a.id, now: new Date() }),
        ),
      );
      assert.equal(ok.status, 200, ok.text);
      const keyId = String(ok.json['keyId']);
      const other = seedApp(await makeCert());
      assert.equal(
        (
          await graph(
            'POST',
            `/applications/${other.id}/addKey`,
            t,
            body(
              await makeProof({
                keyPem: cert.keyPem,
                certDer: cert.info.der,
                objectId: other.id,
                now: new Date(),
              }),
            ),
          )
        ).status,
        403,
        'an app may roll only its own keys',
      );
      const removed = await graph('POST', `/applications/${a.id}/removeKey`, t, {
        keyId,
        proof: await makeProof({
          keyPem: fresh.keyPem,
          certDer: fresh.info.der,
          objectId: a.id,
          now: new Date(),
        }),
      });
      assert.equal(removed.status, 204, removed.text);
    });

    test('duplicates are refused as Graph does: grant 400, role assignment 400, service principal 409', async () => {
      const admin = (
        await adminToken([
          'Application.ReadWrite.All',
          'AppRoleAssignment.ReadWrite.All',
          'RoleManagement.ReadWrite.Directory',
        ])
      ).access_token;
      const exo = sb.directory.spByAppId(EXCHANGE_APP_ID)!;
      const grant = await graph('POST', `/servicePrincipals/${exo.id}/appRoleAssignedTo`, admin, {
        principalId: app.spId,
        resourceId: exo.id,
        appRoleId: EXCHANGE_MANAGE_AS_APP_ROLE_ID,
      });
      assert.equal(grant.status, 400);
      assert.match((grant.json['error'] as { message: string }).message, /already exists/);
      const role = await graph('POST', '/roleManagement/directory/roleAssignments', admin, {
        principalId: app.spId,
        roleDefinitionId: '29232cdf-9323-42fd-ade2-1d097af3e4de',
        directoryScopeId: '/',
      });
      assert.equal(role.status, 400);
      const sp = await graph('POST', '/servicePrincipals', admin, { appId: app.appId });
      assert.equal(sp.status, 409);
      assert.equal(errCode(sp), 'Request_MultipleObjectsWithSameKeyValue');
    });

    test('the upsert by uniqueName creates once (201) and then updates (204)', async () => {
      const admin = (await adminToken(['Application.ReadWrite.All'])).access_token;
      const path = `/applications(uniqueName='exo-cba-upsert')`;
      assert.equal(
        (await graph('PATCH', path, admin, { displayName: 'Upsert' })).status,
        404,
        'without Prefer it is an update',
      );
      assert.equal(
        (await graph('PATCH', path, admin, { displayName: 'Upsert' }, { prefer: 'create-if-missing' }))
          .status,
        201,
      );
      assert.equal(
        (await graph('PATCH', path, admin, { displayName: 'Upsert' }, { prefer: 'create-if-missing' }))
          .status,
        204,
      );
      assert.equal(sb.directory.data.applications.filter((a) => a.uniqueName === 'exo-cba-upsert').length, 1);
    });

    test('deleting an app removes its service principal and its grants', async () => {
      const admin = (await adminToken(['Application.ReadWrite.All'])).access_token;
      const a = seedApp(await makeCert());
      assert.equal((await graph('DELETE', `/applications/${a.id}`, admin)).status, 204);
      assert.equal(sb.directory.sp(a.spId, true), undefined);
      assert.equal(sb.directory.data.appRoleAssignments.filter((g) => g.principalId === a.spId).length, 0);
      assert.equal(sb.directory.data.roleAssignments.filter((g) => g.principalId === a.spId).length, 0);
    });
  });

  describe('Exchange InvokeCommand', () => {
    const invoke = (token: string) =>
      call(
        'POST',
        `${sb.exchange}/adminapi/beta/${sb.directory.tenant.id}/InvokeCommand`,
        { CmdletInput: { CmdletName: 'Get-AcceptedDomain', Parameters: {} } },
        { authorization: `Bearer ${token}` },
      );

    test('runs the cmdlet for an app token with Exchange.ManageAsApp and an Exchange role', async () => {
      const r = await invoke(await appToken(EXO));
      assert.equal(r.status, 200, r.text);
      assert.equal((r.json['value'] as { DomainName: string }[])[0]!.DomainName, domain);
    });

    test('refuses a token for the wrong resource, one without the app role, and a principal without a role', async () => {
      assert.equal((await invoke(await appToken(GRAPH))).status, 401, 'a Graph token');
      const c = await makeCert();
      const noGrant = seedApp(c, { grant: false });
      const t1 = String(
        (await clientCredentials(await assertion({ clientId: noGrant.appId, signer: c }), noGrant.appId))
          .json['access_token'],
      );
      const r1 = await invoke(t1);
      assert.equal(r1.status, 401);
      assert.equal(errCode(r1), 'Unauthorized');
      const c2 = await makeCert();
      const noRole = seedApp(c2, { role: false });
      const t2 = String(
        (await clientCredentials(await assertion({ clientId: noRole.appId, signer: c2 }), noRole.appId)).json[
          'access_token'
        ],
      );
      assert.equal((await invoke(t2)).status, 401);
      sb.faults.set({ exchangeRoleDenial: '403-nul' });
      const r3 = await invoke(t2);
      sb.faults.set({ exchangeRoleDenial: '401' });
      assert.equal(r3.status, 403);
      assert.ok(
        r3.raw.every((b) => b === 0),
        'the NUL body seen in the field',
      );
    });
  });

  describe('faults and the request log', () => {
    test('throttles every Nth request with 429 and Retry-After', async () => {
      const t = (await adminToken(['Application.Read.All'])).access_token;
      sb.faults.set({ throttleEvery: 2, throttleRetryAfterS: 7, throttleServices: ['graph'] });
      try {
        const statuses = [];
        for (let i = 0; i < 4; i++) {
          const r = await graph('GET', '/applications', t);
          statuses.push(r.status);
          if (r.status === 429) assert.equal(r.headers['retry-after'], '7');
        }
        assert.equal(statuses.filter((s) => s === 429).length, 2);
      } finally {
        sb.faults.set({ throttleEvery: 0 });
      }
    });

    test('fails a chosen call once with the chosen status', async () => {
      const t = (await adminToken(['Application.Read.All'])).access_token;
      sb.faults.set({
        failOnce: [{ service: 'graph', method: 'GET', path: '/servicePrincipals', status: 503 }],
      });
      assert.equal((await graph('GET', '/servicePrincipals', t)).status, 503);
      assert.equal((await graph('GET', '/servicePrincipals', t)).status, 200);
    });

    test('faults and out-of-band changes can be set at run time over HTTP, and the log counts requests per endpoint', async () => {
      const set = await call('POST', `${sb.authority}/_sandbox/faults`, {
        replicationDelayMs: 0,
        throttleEvery: 0,
      });
      assert.equal(set.status, 200);
      const c = await makeCert();
      const a = seedApp(c);
      const act = await call('POST', `${sb.authority}/_sandbox/actions/remove-grant`, { appId: a.appId });
      assert.equal(act.status, 200);
      assert.equal(sb.directory.data.appRoleAssignments.filter((g) => g.principalId === a.spId).length, 0);
      const expire = await call('POST', `${sb.authority}/_sandbox/actions/expire-key`, { appId: a.appId });
      assert.equal(expire.status, 200);
      assert.match(
        String(
          (await clientCredentials(await assertion({ clientId: a.appId, signer: c }), a.appId)).json[
            'error_description'
          ],
        ),
        /expired/,
      );
      const log = await call('GET', `${sb.authority}/_sandbox/log`);
      const counts = log.json['counts'] as Record<string, number>;
      assert.ok(counts['token POST /{tenant}/oauth2/v2.0/token']! > 5);
      assert.ok(Object.keys(counts).some((k) => k.startsWith('graph ')));
    });
  });
});
