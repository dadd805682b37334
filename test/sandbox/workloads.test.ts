import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { makeCert, type TestCert } from '../helpers/certs.js';
import {
  sandboxClient,
  seedApp,
  grantAppRole,
  assignRole,
  type SandboxClient,
} from '../helpers/sandbox-client.js';

// The facts these tests hold the sandbox to, written here from the sources (not imported from the sandbox).
const EXO_APP_ID = '00000002-0000-0ff1-ce00-000000000000';
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const SPO_APP_ID = '00000003-0000-0ff1-ce00-000000000000';
const TEAMS_API = '48ac35b8-9aa8-4d74-927d-1f4a14a0b239';
const COMPLIANCE = 'https://ps.compliance.protection.outlook.com';
const SPO_HOST = 'exocbasandbox.sharepoint.com';
const ROLE = {
  complianceAdministrator: '17315797-102d-40b4-93e0-432062caca18',
  exchangeAdministrator: '29232cdf-9323-42fd-ade2-1d097af3e4de',
  globalReader: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
  securityAdministrator: '194ae4cb-b126-40b2-bd5b-6091b380977d',
  securityReader: '5d6b6bb7-de71-4623-b4af-96380a352509',
  teamsAdministrator: '69091246-20e8-4a56-aa4d-066075b2a7a8',
  teamsCommunicationsAdministrator: 'baf37b3a-610e-45da-9e62-d9d1e5e8914b',
  skypeForBusinessAdministrator: '75941009-915a-4869-abe7-691bff18279e',
  sharePointAdministrator: 'f28a1f50-f6e7-4571-818b-6a12f2af6b6c',
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  applicationAdministrator: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
};

interface World {
  sb: Sandbox;
  c: SandboxClient;
  cert: TestCert;
  /** The sandbox's clock, moved by tests that wait out replication. */
  clock: { t: number };
}

async function world(): Promise<World> {
  const clock = { t: Date.now() };
  const sb = await startSandbox({ now: () => clock.t });
  return { sb, c: sandboxClient(sb), cert: await makeCert(), clock };
}

const claims = (r: { json: Record<string, unknown> }) => decodeJwt(String(r.json['access_token']));

describe('sandbox: Security & Compliance admin API', () => {
  let w: World;
  before(async () => (w = await world()));
  after(() => w.sb.stop());

  const complianceApp = (role?: string, grant = true) => {
    const a = seedApp(w.sb, w.cert, 'S&C app');
    if (grant) grantAppRole(w.sb, a.spId, EXO_APP_ID, 'Exchange.ManageAsApp');
    if (role) assignRole(w.sb, a.spId, role);
    return a;
  };
  const tokenFor = async (appId: string, resource = COMPLIANCE) => {
    const r = await w.c.token(appId, `${resource}/.default`, { cert: w.cert });
    assert.equal(r.status, 200, r.text);
    return r;
  };
  const invoke = (origin: string, token: string, cmdlet: string) =>
    w.c.call(
      'POST',
      `${origin}/adminapi/beta/${w.sb.directory.tenant.id}/InvokeCommand`,
      { CmdletInput: { CmdletName: cmdlet, Parameters: {} } },
      { authorization: `Bearer ${token}` },
    );

  test('the token for ps.compliance carries Exchange.ManageAsApp in roles and the S&C role in wids', async () => {
    const a = complianceApp(ROLE.complianceAdministrator);
    const t = claims(await tokenFor(a.appId));
    assert.equal(t['aud'], COMPLIANCE);
    assert.deepEqual(t['roles'], ['Exchange.ManageAsApp']);
    assert.deepEqual(t['wids'], [ROLE.complianceAdministrator]);
    assert.equal(t['idtyp'], 'app');
  });

  test('the global host redirects every admin API call to a :446 regional backend, path and query kept', async () => {
    const a = complianceApp(ROLE.complianceAdministrator);
    const token = String((await tokenFor(a.appId)).json['access_token']);
    const r = await invoke(w.sb.compliance, token, 'Get-RetentionCompliancePolicy');
    assert.equal(r.status, 302);
    const tid = w.sb.directory.tenant.id;
    assert.equal(
      r.headers['location'],
      `https://sbx01b.admin.protection.outlook.com:446/adminapi/beta/${tid}/InvokeCommand`,
    );
    const banner = await w.c.call(
      'GET',
      `${w.sb.compliance}/adminapi/beta/${tid}/EXOBanner('AutogenSession')?Version=3.7.1`,
    );
    assert.equal(banner.status, 302);
    assert.match(
      banner.headers['location'] ?? '',
      /^https:\/\/sbx01b\.admin\.protection\.outlook\.com:446\/.*\?Version=3\.7\.1$/,
    );
  });

  test('the regional host runs a read-only cmdlet for a Compliance Administrator app (Exchange envelope)', async () => {
    const a = complianceApp(ROLE.complianceAdministrator);
    const token = String((await tokenFor(a.appId)).json['access_token']);
    const r = await invoke(w.sb.complianceRegion, token, 'Get-RetentionCompliancePolicy');
    assert.equal(r.status, 200, r.text);
    assert.match(String(r.json['@odata.context']), /\$metadata#Collection\(Exchange\.GenericHashTable\)$/);
    assert.deepEqual(r.json['adminapi_warnings'], []);
    assert.ok(Array.isArray(r.json['value']) && (r.json['value'] as unknown[]).length > 0);
    for (const cmdlet of ['Get-ComplianceTag', 'Get-ProtectionAlert', 'Get-Label'])
      assert.equal((await invoke(w.sb.complianceRegion, token, cmdlet)).status, 200, cmdlet);
  });

  test('every S&C role is served; Exchange Administrator is refused with the unsupported-role 401', async () => {
    for (const role of [ROLE.globalReader, ROLE.securityReader, ROLE.securityAdministrator]) {
      const token = String((await tokenFor(complianceApp(role).appId)).json['access_token']);
      assert.equal((await invoke(w.sb.complianceRegion, token, 'Get-ComplianceTag')).status, 200, role);
    }
    const a = complianceApp(ROLE.exchangeAdministrator);
    const token = String((await tokenFor(a.appId)).json['access_token']);
    const r = await invoke(w.sb.complianceRegion, token, 'Get-RetentionCompliancePolicy');
    assert.equal(r.status, 401);
    assert.match(
      (r.json['error'] as { message: string }).message,
      new RegExp(`The role assigned to application ${a.appId} isn't supported in this scenario`),
    );
    assert.match(r.headers['www-authenticate'] ?? '', /^Bearer /);
  });

  test('an app without Exchange.ManageAsApp is not allowed to call the API', async () => {
    const a = complianceApp(ROLE.complianceAdministrator, false);
    const token = String((await tokenFor(a.appId)).json['access_token']);
    const r = await invoke(w.sb.complianceRegion, token, 'Get-Label');
    assert.equal(r.status, 401);
    assert.equal(
      (r.json['error'] as { message: string }).message,
      `The app '${a.appId}' is not allowed to call this API.`,
    );
  });

  test('an Exchange token (audience outlook.office365.com) is not valid for S&C', async () => {
    const a = complianceApp(ROLE.complianceAdministrator);
    const token = String((await tokenFor(a.appId, 'https://outlook.office365.com')).json['access_token']);
    const r = await invoke(w.sb.complianceRegion, token, 'Get-Label');
    assert.equal(r.status, 401);
    assert.match((r.json['error'] as { message: string }).message, /Invalid audience/);
  });

  test('a read-only role has no write cmdlets: New-Label is an unknown command', async () => {
    const token = String((await tokenFor(complianceApp(ROLE.globalReader).appId)).json['access_token']);
    const r = await invoke(w.sb.complianceRegion, token, 'New-Label');
    assert.equal(r.status, 400);
    assert.match(JSON.stringify(r.json), /The term 'New-Label' is not recognized/);
  });

  test('a role still replicating is missing from wids and refused; after the delay it is served', async () => {
    const a = complianceApp();
    w.sb.directory.data.roleAssignments.push({
      id: 'ra-late',
      principalId: a.spId,
      roleDefinitionId: ROLE.complianceAdministrator,
      directoryScopeId: '/',
      visibleAt: w.clock.t + 30_000,
    });
    const early = await tokenFor(a.appId);
    assert.equal(claims(early)['wids'], undefined);
    assert.equal(
      (await invoke(w.sb.complianceRegion, String(early.json['access_token']), 'Get-Label')).status,
      401,
    );
    w.clock.t += 31_000;
    const late = await tokenFor(a.appId);
    assert.equal(
      (await invoke(w.sb.complianceRegion, String(late.json['access_token']), 'Get-Label')).status,
      200,
    );
  });

  test('redirect fault off: the global host serves; throttling in the Exchange shape', async () => {
    const token = String(
      (await tokenFor(complianceApp(ROLE.complianceAdministrator).appId)).json['access_token'],
    );
    w.sb.faults.set({ complianceRedirect: false });
    try {
      assert.equal((await invoke(w.sb.compliance, token, 'Get-Label')).status, 200);
    } finally {
      w.sb.faults.set({ complianceRedirect: true });
    }
    w.sb.faults.set({ throttleEvery: 1, throttleServices: ['compliance-region'] });
    const r = await invoke(w.sb.complianceRegion, token, 'Get-Label');
    w.sb.faults.set({ throttleEvery: 0, throttleServices: ['graph'] });
    assert.equal(r.status, 429);
    assert.equal(r.headers['retry-after'], '1');
    assert.equal((r.json['error'] as { code: string }).code, 'TooManyRequests');
    const log = w.sb.faults.log.filter((e) => e.service === 'compliance-region' && e.status === 429);
    assert.equal(log.length, 1);
  });
});

describe('sandbox: SharePoint Online', () => {
  let w: World;
  before(async () => (w = await world()));
  after(() => w.sb.stop());

  const spToken = async (
    appId: string,
    proof: { cert: TestCert } | { secret: string } = { cert: w.cert },
    host = SPO_HOST,
  ) => {
    const r = await w.c.token(appId, `https://${host}/.default`, proof);
    assert.equal(r.status, 200, r.text);
    return String(r.json['access_token']);
  };
  const web = (token: string, site = '') =>
    w.c.call('GET', `${w.sb.sharepoint}${site}/_api/web`, undefined, {
      authorization: `Bearer ${token}`,
      accept: 'application/json;odata=nometadata',
    });
  const graph = (method: string, path: string, token: string, body?: unknown) =>
    w.c.call(method, `${w.sb.graph}/v1.0${path}`, body, { authorization: `Bearer ${token}` });
  const siteId = async (admin: string, path: string) => {
    const r = await graph('GET', `/sites/${SPO_HOST}:${path}`, admin);
    assert.equal(r.status, 200, r.text);
    return String(r.json['id']);
  };

  test('the SharePoint Online SP holds its three app roles; a Graph grant lands in the token', async () => {
    const spo = w.sb.directory.spByAppId(SPO_APP_ID);
    assert.ok(spo);
    const ids = Object.fromEntries(spo.appRoles.map((r) => [r.value, r.id]));
    assert.deepEqual(ids, {
      'Sites.FullControl.All': '678536fe-1083-478a-9c59-b99265e6b0d3',
      'Sites.Read.All': 'd13f72ca-a275-4b96-b789-48ebcc4da984',
      'Sites.Selected': '20d37865-089c-4dee-8c41-6967602d4ac8',
    });
    const a = seedApp(w.sb, w.cert, 'PnP app');
    const admin = await w.c.adminToken(['Application.ReadWrite.All', 'AppRoleAssignment.ReadWrite.All']);
    const g = await graph('POST', `/servicePrincipals/${spo.id}/appRoleAssignedTo`, admin, {
      principalId: a.spId,
      resourceId: spo.id,
      appRoleId: ids['Sites.FullControl.All'],
    });
    assert.equal(g.status, 201, g.text);
    const t = decodeJwt(await spToken(a.appId));
    assert.equal(t['aud'], `https://${SPO_HOST}`);
    assert.deepEqual(t['roles'], ['Sites.FullControl.All']);
    assert.equal(t['appidacr'], '2');
  });

  test('Sites.FullControl.All and Sites.Read.All read every site, in odata=nometadata JSON', async () => {
    for (const role of ['Sites.FullControl.All', 'Sites.Read.All']) {
      const a = seedApp(w.sb, w.cert);
      grantAppRole(w.sb, a.spId, SPO_APP_ID, role);
      const token = await spToken(a.appId);
      const root = await web(token);
      assert.equal(root.status, 200, root.text);
      assert.equal(root.json['Url'], `https://${SPO_HOST}`);
      assert.match(root.headers['content-type'] ?? '', /odata=nometadata/);
      const hr = await web(token, '/sites/hr');
      assert.equal(hr.status, 200);
      assert.equal(hr.json['Title'], 'HR');
    }
  });

  test('a token for another SharePoint host is refused: 401 Invalid audience Uri', async () => {
    const a = seedApp(w.sb, w.cert);
    grantAppRole(w.sb, a.spId, SPO_APP_ID, 'Sites.FullControl.All');
    const r = await web(await spToken(a.appId, { cert: w.cert }, 'contoso.sharepoint.com'));
    assert.equal(r.status, 401);
    assert.equal(r.json['error_description'], "Invalid audience Uri 'https://contoso.sharepoint.com'.");
    assert.match(r.headers['www-authenticate'] ?? '', /client_id="00000003-0000-0ff1-ce00-000000000000"/);
    const graphToken = (await w.c.token(a.appId, 'https://graph.microsoft.com/.default', { cert: w.cert }))
      .json;
    const g = await web(String(graphToken['access_token']));
    assert.equal(g.status, 401);
    assert.equal(g.json['error_description'], "Invalid audience Uri 'https://graph.microsoft.com'.");
  });

  test('the Graph twin of Sites.FullControl.All gives no SharePoint role: 403 Access denied', async () => {
    const a = seedApp(w.sb, w.cert);
    grantAppRole(w.sb, a.spId, GRAPH_APP_ID, 'Sites.FullControl.All');
    const token = await spToken(a.appId);
    assert.equal(decodeJwt(token)['roles'], undefined);
    const r = await web(token);
    assert.equal(r.status, 403);
    const err = r.json['odata.error'] as { code: string; message: { value: string } };
    assert.equal(err.code, '-2147024891, System.UnauthorizedAccessException');
    assert.match(err.message.value, /^Access denied\./);
  });

  test('a client-secret token is refused: 401 Unsupported app only token.', async () => {
    const a = seedApp(w.sb, w.cert);
    grantAppRole(w.sb, a.spId, SPO_APP_ID, 'Sites.FullControl.All');
    const app = w.sb.directory.appByAppId(a.appId, true);
    assert.ok(app);
    const { createHash } = await import('node:crypto');
    app.passwordCredentials = [
      {
        keyId: 'k1',
        displayName: 'secret',
        hint: 'abc',
        startDateTime: new Date(w.clock.t - 60_000).toISOString(),
        endDateTime: new Date(w.clock.t + 86_400_000).toISOString(),
        secretHash: createHash('sha256').update('s3cret-value').digest('hex'),
      },
    ];
    const wrong = await w.c.token(a.appId, `https://${SPO_HOST}/.default`, { secret: 'nope' });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.json['error_codes'], [7000215]);
    const token = await spToken(a.appId, { secret: 's3cret-value' });
    assert.equal(decodeJwt(token)['appidacr'], '1');
    const r = await web(token);
    assert.equal(r.status, 401);
    assert.equal(r.json['error_description'], 'Unsupported app only token.');
  });

  test('Graph resolves sites by host and path, and the root by host; an unknown path is itemNotFound', async () => {
    const admin = await w.c.adminToken(['Sites.FullControl.All']);
    const root = await graph('GET', `/sites/${SPO_HOST}`, admin);
    assert.equal(root.status, 200, root.text);
    assert.equal(root.json['webUrl'], `https://${SPO_HOST}`);
    assert.match(
      String(root.json['id']),
      new RegExp(`^${SPO_HOST.replace(/\./g, '\\.')},[0-9a-f-]{36},[0-9a-f-]{36}$`),
    );
    const hr = await graph('GET', `/sites/${SPO_HOST}:/sites/hr:`, admin);
    assert.equal(hr.json['webUrl'], `https://${SPO_HOST}/sites/hr`);
    const byId = await graph('GET', `/sites/${String(hr.json['id'])}`, admin);
    assert.equal(byId.json['displayName'], 'HR');
    const none = await graph('GET', `/sites/${SPO_HOST}:/sites/nope`, admin);
    assert.equal(none.status, 404);
    assert.equal((none.json['error'] as { code: string }).code, 'itemNotFound');
  });

  test('Sites.Selected reaches only the sites granted through Graph, once the grant has replicated', async () => {
    const a = seedApp(w.sb, w.cert, 'Selected app');
    grantAppRole(w.sb, a.spId, SPO_APP_ID, 'Sites.Selected');
    const admin = await w.c.adminToken(['Sites.FullControl.All']);
    const hr = await siteId(admin, '/sites/hr');
    assert.equal((await web(await spToken(a.appId), '/sites/hr')).status, 403, 'no grant yet');
    w.sb.faults.set({ replicationDelayMs: 20_000 });
    w.sb.directory.replicationDelayMs = 20_000;
    const body = {
      roles: ['write'],
      grantedToIdentities: [{ application: { id: a.appId, displayName: 'Selected app' } }],
    };
    const p = await graph('POST', `/sites/${hr}/permissions`, admin, body);
    w.sb.faults.set({ replicationDelayMs: 0 });
    w.sb.directory.replicationDelayMs = 0;
    assert.equal(p.status, 201, p.text);
    assert.deepEqual(p.json['roles'], ['write']);
    assert.deepEqual(p.json['grantedToIdentitiesV2'], [
      { application: { id: a.appId, displayName: 'Selected app' } },
    ]);
    assert.deepEqual(p.json['grantedToIdentities'], p.json['grantedToIdentitiesV2']);
    assert.equal((await web(await spToken(a.appId), '/sites/hr')).status, 403, 'still replicating');
    assert.deepEqual((await graph('GET', `/sites/${hr}/permissions`, admin)).json['value'], []);
    w.clock.t += 21_000;
    const token = await spToken(a.appId);
    assert.equal((await web(token, '/sites/hr')).status, 200);
    assert.equal((await web(token, '/sites/finance')).status, 403, 'another site stays closed');
    assert.equal((await web(token)).status, 403, 'the root too');
    const list = await graph('GET', `/sites/${hr}/permissions`, admin);
    assert.equal((list.json['value'] as unknown[]).length, 1);
    const again = await graph('POST', `/sites/${hr}/permissions`, admin, { ...body, roles: ['read'] });
    assert.equal(again.json['id'], p.json['id'], 'a second grant for the app is the same permission');
    const out = w.sb.act({
      action: 'remove-site-grant',
      appId: a.appId,
      siteUrl: `https://${SPO_HOST}/sites/finance`,
    });
    assert.equal(out.message, 'removed 0 site grant(s)', 'another site names no grant of the app');
    const one = await graph('GET', `/sites/${hr}/permissions/${String(p.json['id'])}`, admin);
    assert.deepEqual(one.json['roles'], ['read']);
    assert.equal(
      (await graph('DELETE', `/sites/${hr}/permissions/${String(p.json['id'])}`, admin)).status,
      204,
    );
    assert.equal((await graph('GET', `/sites/${hr}/permissions/${String(p.json['id'])}`, admin)).status, 404);
    assert.equal((await web(await spToken(a.appId), '/sites/hr')).status, 403, 'revoked');
  });

  test('a site grant removed out of band (sandbox action) closes the site again', async () => {
    const a = seedApp(w.sb, w.cert, 'Selected app');
    grantAppRole(w.sb, a.spId, SPO_APP_ID, 'Sites.Selected');
    const admin = await w.c.adminToken(['Sites.FullControl.All']);
    const finance = await siteId(admin, '/sites/finance');
    const body = {
      roles: ['read'],
      grantedToIdentities: [{ application: { id: a.appId, displayName: 'x' } }],
    };
    assert.equal((await graph('POST', `/sites/${finance}/permissions`, admin, body)).status, 201);
    assert.equal((await web(await spToken(a.appId), '/sites/finance')).status, 200);
    const out = w.sb.act({
      action: 'remove-site-grant',
      appId: a.appId,
      siteUrl: `https://${SPO_HOST}/sites/finance`,
    });
    assert.equal(out.message, 'removed 1 site grant(s)');
    assert.equal((await web(await spToken(a.appId), '/sites/finance')).status, 403);
  });

  test('site permissions need Sites.FullControl.All and an admin with SharePoint Administrator or higher', async () => {
    const hr = await siteId(await w.c.adminToken(['Sites.FullControl.All']), '/sites/hr');
    const noScope = await w.c.adminToken(['Sites.Read.All']);
    const r1 = await graph('GET', `/sites/${hr}/permissions`, noScope);
    assert.equal(r1.status, 403);
    assert.equal((r1.json['error'] as { code: string }).code, 'accessDenied');
    const admin = w.sb.directory.data.users[0];
    assert.ok(admin);
    const ra = w.sb.directory.data.roleAssignments;
    const ga = ra.find((x) => x.principalId === admin.id && x.roleDefinitionId === ROLE.globalAdministrator);
    assert.ok(ga);
    ga.roleDefinitionId = ROLE.applicationAdministrator;
    try {
      const token = await w.c.adminToken(['Sites.FullControl.All']);
      const r2 = await graph('GET', `/sites/${hr}/permissions`, token);
      assert.equal(r2.status, 403, 'Application Administrator is not enough');
      ga.roleDefinitionId = ROLE.sharePointAdministrator;
      assert.equal(
        (await graph('GET', `/sites/${hr}/permissions`, token)).status,
        200,
        'SharePoint Administrator is',
      );
    } finally {
      ga.roleDefinitionId = ROLE.globalAdministrator;
    }
  });

  test('SharePoint throttling answers 429 with Retry-After', async () => {
    const a = seedApp(w.sb, w.cert);
    grantAppRole(w.sb, a.spId, SPO_APP_ID, 'Sites.Read.All');
    const token = await spToken(a.appId);
    w.sb.faults.set({ throttleEvery: 1, throttleServices: ['sharepoint'] });
    const r = await web(token);
    w.sb.faults.set({ throttleEvery: 0, throttleServices: ['graph'] });
    assert.equal(r.status, 429);
    assert.equal(r.headers['retry-after'], '1');
    assert.equal(w.sb.faults.log.filter((e) => e.service === 'sharepoint' && e.status === 429).length, 1);
  });
});

describe('sandbox: Teams tenant admin API and Graph for Teams', () => {
  let w: World;
  before(async () => (w = await world()));
  after(() => w.sb.stop());

  const teamsToken = async (appId: string) => {
    const r = await w.c.token(appId, `${TEAMS_API}/.default`, { cert: w.cert });
    assert.equal(r.status, 200, r.text);
    return String(r.json['access_token']);
  };
  const tenants = (token: string) =>
    w.c.call('GET', `${w.sb.teams}/Teams.Tenant/tenants`, undefined, { authorization: `Bearer ${token}` });

  test('a Teams Administrator app gets a Teams API token and the tenant with service discovery', async () => {
    const a = seedApp(w.sb, w.cert, 'Teams app');
    assignRole(w.sb, a.spId, ROLE.teamsAdministrator);
    const token = await teamsToken(a.appId);
    assert.equal(decodeJwt(token)['aud'], TEAMS_API);
    assert.deepEqual(decodeJwt(token)['wids'], [ROLE.teamsAdministrator]);
    const r = await tenants(token);
    assert.equal(r.status, 200, r.text);
    const body = JSON.parse(r.text) as { tenantId: string; serviceDiscovery: { Endpoints: object } }[];
    assert.equal(body[0]?.tenantId, w.sb.directory.tenant.id);
    assert.ok(body[0]?.serviceDiscovery.Endpoints);
  });

  test('each Teams-capable role is served', async () => {
    for (const role of [
      ROLE.teamsCommunicationsAdministrator,
      ROLE.skypeForBusinessAdministrator,
      ROLE.globalReader,
      ROLE.globalAdministrator,
    ]) {
      const a = seedApp(w.sb, w.cert);
      assignRole(w.sb, a.spId, role);
      assert.equal((await tenants(await teamsToken(a.appId))).status, 200, role);
    }
  });

  test('Teams Reader: found by displayName, assigned through Graph, and served', async () => {
    const admin = await w.c.adminToken(['RoleManagement.ReadWrite.Directory']);
    const g = (method: string, path: string, body?: unknown) =>
      w.c.call(method, `${w.sb.graph}/v1.0${path}`, body, { authorization: `Bearer ${admin}` });
    const found = await g(
      'GET',
      `/roleManagement/directory/roleDefinitions?$filter=displayName eq 'Teams Reader'`,
    );
    assert.equal(found.status, 200, found.text);
    const defs = found.json['value'] as { id: string; templateId: string }[];
    assert.equal(defs.length, 1);
    const a = seedApp(w.sb, w.cert);
    const ra = await g('POST', '/roleManagement/directory/roleAssignments', {
      principalId: a.spId,
      roleDefinitionId: defs[0]?.templateId,
      directoryScopeId: '/',
    });
    assert.equal(ra.status, 201, ra.text);
    assert.equal((await tenants(await teamsToken(a.appId))).status, 200);
  });

  test('every role the workloads assign is a role definition of the sandbox directory', async () => {
    const admin = await w.c.adminToken(['RoleManagement.Read.Directory']);
    const r = await w.c.call(
      'GET',
      `${w.sb.graph}/v1.0/roleManagement/directory/roleDefinitions`,
      undefined,
      {
        authorization: `Bearer ${admin}`,
      },
    );
    const ids = (r.json['value'] as { id: string }[]).map((d) => d.id);
    for (const id of Object.values(ROLE)) assert.ok(ids.includes(id), id);
  });

  test('an app without a Teams role, a delegated token and a Graph token are refused', async () => {
    const a = seedApp(w.sb, w.cert);
    assignRole(w.sb, a.spId, ROLE.exchangeAdministrator);
    const r = await tenants(await teamsToken(a.appId));
    assert.equal(r.status, 403);
    assert.deepEqual(r.json, {
      code: 'Forbidden',
      message: 'Access Denied. Provide different credential or request access.',
    });
    const none = seedApp(w.sb, w.cert);
    assert.equal((await tenants(await teamsToken(none.appId))).status, 403, 'no role at all');
    const graphToken = await w.c.token(a.appId, 'https://graph.microsoft.com/.default', { cert: w.cert });
    const g = await tenants(String(graphToken.json['access_token']));
    assert.equal(g.status, 401);
    assert.match(g.headers['www-authenticate'] ?? '', /invalid_token/);
  });

  test("Graph's service principal offers every Graph permission Teams names, with ids to resolve by value", () => {
    const graph = w.sb.directory.spByAppId(GRAPH_APP_ID);
    assert.ok(graph);
    for (const value of [
      'Organization.Read.All',
      'User.Read.All',
      'Group.ReadWrite.All',
      'AppCatalog.ReadWrite.All',
      'TeamSettings.ReadWrite.All',
      'Channel.Delete.All',
      'ChannelSettings.ReadWrite.All',
      'ChannelMember.ReadWrite.All',
    ])
      assert.ok(
        graph.appRoles.some((r) => r.value === value && r.allowedMemberTypes.includes('Application')),
        value,
      );
  });

  test('GET /v1.0/organization: app-only with Organization.Read.All served, without refused', async () => {
    const a = seedApp(w.sb, w.cert);
    const without = await w.c.token(a.appId, 'https://graph.microsoft.com/.default', { cert: w.cert });
    const org = (t: unknown) =>
      w.c.call('GET', `${w.sb.graph}/v1.0/organization`, undefined, { authorization: `Bearer ${String(t)}` });
    const r1 = await org(without.json['access_token']);
    assert.equal(r1.status, 403);
    assert.equal((r1.json['error'] as { code: string }).code, 'Authorization_RequestDenied');
    grantAppRole(w.sb, a.spId, GRAPH_APP_ID, 'Organization.Read.All');
    const withRole = await w.c.token(a.appId, 'https://graph.microsoft.com/.default', { cert: w.cert });
    assert.deepEqual(decodeJwt(String(withRole.json['access_token']))['roles'], ['Organization.Read.All']);
    const r2 = await org(withRole.json['access_token']);
    assert.equal(r2.status, 200, r2.text);
    assert.equal((r2.json['value'] as { id: string }[])[0]?.id, w.sb.directory.tenant.id);
  });
});
