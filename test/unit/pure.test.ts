import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  parseTenant,
  parseKeySize,
  parseDuration,
  parseIntIn,
  parseAppName,
  parseEnvName,
  parseGuid,
} from '../../src/core/values.js';
import { resolveCloud, parseOrigin, parseCloudName } from '../../src/core/clouds.js';
import { CliError } from '../../src/core/errors.js';
import { configDir } from '../../src/core/paths.js';
import { EXCHANGE_ROLES } from '../../src/workloads/exchange/facts.js';
import { COMPLIANCE_ROLES } from '../../src/workloads/compliance/facts.js';
import { findRole, parseRole } from '../../src/rights/roles.js';
import { interpret } from '../../src/workloads/exchange/admin-api.js';
import { redactUrl } from '../../src/adapters/http.js';
import { cleanDescription, classifyTokenError } from '../../src/adapters/token-errors.js';
import { toJunit } from '../../src/output/junit.js';
import { workloadNamed } from '../../src/workloads/index.js';
import { regionalOrigin } from '../../src/workloads/compliance/api.js';
import { parseFilter } from '../../src/sandbox/graph-views.js';
import { endpointOf } from '../../src/sandbox/faults.js';
import { declares, withDeclared, type ResolvedPermission } from '../../src/tenant/permissions.js';
import { uniqueNameFor } from '../../src/commands/init/steps/application.js';
import { thumbprintOfKey } from '../../src/certificate/keys.js';
import { diagnoseAuthError } from '../../src/tenant/diagnose.js';
import * as cert from '../../src/certificate/x509.js';

const usage = (fn: () => unknown, re: RegExp) => {
  assert.throws(fn, (e: unknown) => e instanceof CliError && e.exitCode === 2 && re.test(e.message));
};

describe('flag values', () => {
  test('tenants are a GUID or a domain', () => {
    assert.equal(parseTenant('Contoso.OnMicrosoft.com'), 'contoso.onmicrosoft.com');
    assert.equal(parseTenant('72F988BF-86F1-41AF-91AB-2D7CD011DB47'), '72f988bf-86f1-41af-91ab-2d7cd011db47');
    for (const bad of ['contoso', 'a b.com', '', 'https://contoso.com'])
      usage(() => parseTenant(bad), /not a tenant/);
  });
  test('key sizes: 2048, 3072, 4096; smaller is refused as too small', () => {
    assert.equal(parseKeySize('3072'), 3072);
    usage(() => parseKeySize('1024'), /too small/);
    usage(() => parseKeySize('2049'), /one of/);
    usage(() => parseKeySize('abc'), /one of/);
  });
  const durations: [string, number][] = [
    ['300', 300_000],
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['250ms', 250],
  ];
  for (const [input, ms] of durations)
    test(`duration ${input} is ${ms} ms`, () => assert.equal(parseDuration('--wait', input), ms));
  test('bad durations and numbers are usage errors', () => {
    usage(() => parseDuration('--wait', 'soon'), /duration/);
    usage(() => parseIntIn('--validity-days', '0', 1, 3650), /1 to 3650/);
    usage(() => parseIntIn('--validity-days', '3651', 1, 3650), /1 to 3650/);
    usage(() => parseIntIn('--validity-days', '1.5', 1, 3650), /whole number/);
  });
  test('app names: trimmed, not empty, not too long, no control characters', () => {
    assert.equal(parseAppName('  Jobs  '), 'Jobs');
    usage(() => parseAppName('   '), /empty/);
    usage(() => parseAppName('x'.repeat(121)), /121 characters/);
    usage(() => parseAppName('a\u0007b'), /control/);
  });
  test('a password flag takes a variable name, never the secret', () => {
    assert.equal(parseEnvName('--pfx-password-env', 'PFX_PASSWORD'), 'PFX_PASSWORD');
    usage(() => parseEnvName('--pfx-password-env', 'p@ss word'), /NAME of an environment variable/);
    usage(() => parseGuid('--app-id', 'nope'), /GUID/);
  });
  test('roles by key, display name or template id; only the eight Exchange accepts', () => {
    assert.equal(EXCHANGE_ROLES.accepted.length, 8);
    assert.equal(findRole(EXCHANGE_ROLES, 'Exchange Administrator')?.key, 'exchange-administrator');
    assert.equal(findRole(EXCHANGE_ROLES, 'f2ef992c-3afb-46b9-b7cf-a126ee74c451')?.name, 'Global Reader');
    assert.equal(findRole(EXCHANGE_ROLES, 'application-administrator'), undefined);
  });
  test('S&C takes its five roles; the Exchange-only ones are refused by name, with exit 2', () => {
    assert.deepEqual(
      COMPLIANCE_ROLES.accepted.map((r) => r.key),
      [
        'global-reader',
        'security-reader',
        'compliance-administrator',
        'security-administrator',
        'global-administrator',
      ],
    );
    for (const key of [
      'exchange-administrator',
      'exchange-recipient-administrator',
      'helpdesk-administrator',
    ])
      usage(
        () => parseRole(COMPLIANCE_ROLES, 'Security & Compliance', key),
        /does not serve Security & Compliance/,
      );
    usage(() => parseRole(COMPLIANCE_ROLES, 'Security & Compliance', 'nope'), /not a directory role/);
  });
});

describe('clouds', () => {
  test('each cloud has its endpoints; each workload its own per cloud', () => {
    assert.equal(workloadNamed('exchange').endpoint('gcchigh', {}).url, 'https://outlook.office365.us');
    assert.equal(
      workloadNamed('compliance').endpoint('gcchigh', {}).resource,
      'https://ps.compliance.protection.office365.us',
    );
    assert.equal(resolveCloud('dod', {}).graphEndpoint, 'https://dod-graph.microsoft.us');
    assert.equal(resolveCloud('china', {}).authorityHost, 'https://login.chinacloudapi.cn');
    usage(() => parseCloudName('mars'), /Unknown cloud/);
  });
  test('EXO_CBA_* overrides move requests, never the resource identifiers used in scopes', () => {
    const c = resolveCloud('global', {
      EXO_CBA_AUTHORITY_HOST: 'https://127.0.0.1:8443',
      EXO_CBA_GRAPH_ENDPOINT: 'https://graph.internal:9000/',
      EXO_CBA_EXCHANGE_ENDPOINT: 'https://exo.internal',
    });
    assert.equal(c.authorityHost, 'https://127.0.0.1:8443');
    assert.equal(c.graphEndpoint, 'https://graph.internal:9000');
    assert.equal(c.graphResource, 'https://graph.microsoft.com');
    const exo = workloadNamed('exchange').endpoint('global', {
      EXO_CBA_EXCHANGE_ENDPOINT: 'https://exo.internal',
    });
    assert.equal(exo.url, 'https://exo.internal');
    assert.equal(exo.resource, 'https://outlook.office365.com');
  });
  test('overrides must be https origins', () => {
    usage(() => parseOrigin('EXO_CBA_GRAPH_ENDPOINT', 'http://graph.internal'), /https/);
    usage(() => parseOrigin('EXO_CBA_GRAPH_ENDPOINT', 'https://graph.internal/v1.0'), /origin only/);
    usage(() => parseOrigin('EXO_CBA_GRAPH_ENDPOINT', 'not a url'), /not a URL/);
  });
  test('the config dir follows EXO_CBA_CONFIG_DIR, XDG and %APPDATA%', () => {
    assert.equal(configDir({ EXO_CBA_CONFIG_DIR: '/x/y' }, 'linux', '/home/a'), '/x/y');
    assert.equal(configDir({ XDG_CONFIG_HOME: '/xdg' }, 'darwin', '/home/a'), '/xdg/exo-cba');
    assert.equal(configDir({}, 'linux', '/home/a'), '/home/a/.config/exo-cba');
    assert.equal(
      configDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32', 'C:\\Users\\a'),
      path.join('C:\\Users\\a\\AppData\\Roaming', 'exo-cba'),
    );
  });
});

describe('certificates', () => {
  test('a generated certificate: SHA-256, clientAuth, notBefore in the past, thumbprint as OpenSSL computes it', async () => {
    const keyPem = await cert.generateKey(2048);
    const now = new Date();
    const pem = cert.selfSignedCertificate({ keyPem, commonName: 'Unit', now, validityDays: 10 });
    const info = cert.describeCertificate(pem);
    assert.ok(info.notBefore < now);
    assert.equal(Math.round((info.notAfter.getTime() - now.getTime()) / 86_400_000), 10);
    assert.equal(info.keyBits, 2048);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'exo-cba-unit-'));
    writeFileSync(path.join(dir, 'c.pem'), pem);
    const text = execFileSync('openssl', [
      'x509',
      '-in',
      path.join(dir, 'c.pem'),
      '-noout',
      '-text',
      '-fingerprint',
      '-sha1',
    ]).toString();
    assert.match(text, /sha256WithRSAEncryption/);
    assert.match(text, /TLS Web Client Authentication/);
    assert.equal(/SHA1 Fingerprint=([0-9A-F:]+)/i.exec(text)![1]!.replace(/:/g, ''), info.thumbprint);
  });
  for (const legacy of [false, true]) {
    test(`PFX (${legacy ? '3DES' : 'AES-256'}) round-trips through OpenSSL and back`, async () => {
      const keyPem = await cert.generateKey(2048);
      const pem = cert.selfSignedCertificate({
        keyPem,
        commonName: 'Unit',
        now: new Date(),
        validityDays: 10,
      });
      const pfx = cert.toPfx({ keyPem, certPem: pem, password: 'pw-123', legacy, friendlyName: 'Unit' });
      const dir = mkdtempSync(path.join(os.tmpdir(), 'exo-cba-unit-'));
      writeFileSync(path.join(dir, 'a.pfx'), pfx);
      execFileSync(
        'openssl',
        ['pkcs12', '-info', '-in', path.join(dir, 'a.pfx'), '-passin', 'pass:pw-123', '-noout'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const back = cert.requireCredential(cert.readCredential(pfx, 'a.pfx', 'pw-123'), 'a.pfx');
      assert.equal(back.thumbprint, cert.describeCertificate(pem).thumbprint);
      // A PFX written by OpenSSL 3 (SHA-256 MAC) reads too.
      writeFileSync(path.join(dir, 'c.pem'), pem);
      writeFileSync(path.join(dir, 'k.pem'), keyPem);
      execFileSync(
        'openssl',
        [
          'pkcs12',
          '-export',
          '-in',
          path.join(dir, 'c.pem'),
          '-inkey',
          path.join(dir, 'k.pem'),
          '-out',
          path.join(dir, 'o.pfx'),
          '-passout',
          'pass:pw-456',
        ],
        { stdio: 'ignore' },
      );
      const { readFileSync } = await import('node:fs');
      const fromOpenssl = cert.readCredential(readFileSync(path.join(dir, 'o.pfx')), 'o.pfx', 'pw-456');
      assert.equal(fromOpenssl.cert.thumbprint, back.thumbprint);
      assert.ok(fromOpenssl.keyPem);
    });
  }
  test('a wrong PFX password and a mismatched key are usage errors', async () => {
    const keyPem = await cert.generateKey(2048);
    const other = await cert.generateKey(2048);
    const pem = cert.selfSignedCertificate({ keyPem, commonName: 'Unit', now: new Date(), validityDays: 10 });
    const pfx = cert.toPfx({ keyPem, certPem: pem, password: 'right', legacy: false, friendlyName: 'Unit' });
    usage(() => cert.readCredential(pfx, 'x.pfx', 'wrong'), /password .* is wrong/);
    usage(
      () => cert.requireCredential(cert.readCredential(Buffer.from(pem + other), 'x.pem'), 'x.pem'),
      /does not belong/,
    );
    usage(() => cert.readCredential(Buffer.from('hello'), 'x.txt'), /not a certificate/);
  });
  test('generated passwords are long and unambiguous', () => {
    const p = cert.generatePassword();
    assert.equal(p.length, 24);
    assert.doesNotMatch(p, /[0O1lI]/);
    assert.notEqual(p, cert.generatePassword());
  });
});

describe('reading service answers', () => {
  const b = (s: string) => Buffer.from(s);
  test('Exchange: 200 with value, 401 without the app role, 403 with a NUL body, 400 cmdlet failure, odd shapes', () => {
    assert.deepEqual(interpret(200, b('{"value":[{},{}]}'), {}), {
      ok: true,
      status: 200,
      count: 2,
      rows: [{}, {}],
    });
    assert.equal(
      (interpret(401, b('{"error":{"code":"Unauthorized","message":"not allowed"}}'), {}) as { kind: string })
        .kind,
      'no-app-role',
    );
    assert.equal(
      (
        interpret(
          401,
          b('{"error":{"message":"The role assigned to application x isn\'t supported in this scenario"}}'),
          {},
        ) as { kind: string }
      ).kind,
      'no-directory-role',
    );
    assert.equal((interpret(403, Buffer.alloc(32), {}) as { kind: string }).kind, 'no-directory-role');
    assert.equal(
      (
        interpret(
          400,
          b('{"error":{"message":"Invalid Operation","details":[{"message":"real reason"}]}}'),
          {},
        ) as { message: string }
      ).message,
      'real reason',
    );
    assert.equal(
      (interpret(429, b(''), { 'retry-after': '3' }) as { retryAfterMs: number }).retryAfterMs,
      3000,
    );
    assert.equal((interpret(302, b('<html>'), {}) as { kind: string }).kind, 'unrecognised');
    assert.equal((interpret(200, b('<html>'), {}) as { kind: string }).kind, 'unrecognised');
  });
  test('AADSTS refusals map to what to do, branching on the code, not the text', () => {
    const d = (n: number, text = 'x') =>
      diagnoseAuthError(
        classifyTokenError({ errorCode: 'invalid_client', errorNo: String(n), errorMessage: text }),
        { appId: 'A', tenant: 'T' },
      );
    assert.match(d(700016).what, /does not exist/);
    assert.match(d(700027).what, /not registered/);
    assert.match(d(700027, 'The key used is expired.').fix, /--admin/);
    assert.match(d(90002).fix, /--cloud/);
    assert.equal(
      cleanDescription('AADSTS700016: App not found. Trace ID: 1 Correlation ID: 2'),
      'AADSTS700016: App not found.',
    );
  });
  test('secrets never reach a log line', () => {
    assert.equal(
      redactUrl('https://x/token?code=abc&state=1&client_assertion=eyJ'),
      'https://x/token?code=[redacted]&state=1&client_assertion=[redacted]',
    );
  });
});

describe('small pieces', () => {
  test('requiredResourceAccess gains a permission once, keeping what was there', () => {
    const graphRead = {
      resourceAppId: '00000003-0000-0000-c000-000000000000',
      resourceAccess: [{ id: 'x', type: 'Scope' }],
    };
    const p = {
      resourceAppId: '00000002-0000-0ff1-ce00-000000000000',
      resourceName: 'Office 365 Exchange Online',
      value: 'Exchange.ManageAsApp',
      roleId: 'role-id-from-the-tenant',
    } as ResolvedPermission;
    const once = withDeclared([graphRead], [p]);
    assert.equal(once.length, 2);
    assert.ok(declares(once, p));
    assert.deepEqual(withDeclared(once, [p]), once);
  });
  test("S&C's redirect names a backend; the client calls the region's ps.compliance host instead", () => {
    const loc = 'https://zaf01b.admin.protection.outlook.com:446/adminapi/beta/t/InvokeCommand';
    assert.equal(regionalOrigin(loc, {}), 'https://zaf01b.ps.compliance.protection.outlook.com');
    assert.equal(
      regionalOrigin(loc, { EXO_CBA_COMPLIANCE_REGION_ENDPOINT: 'https://127.0.0.1:9' }),
      'https://127.0.0.1:9',
    );
    assert.equal(regionalOrigin('https://login.example.net/x', {}), undefined);
    assert.equal(regionalOrigin('http://zaf01b.admin.protection.outlook.com/x', {}), undefined);
    assert.equal(regionalOrigin('not a url', {}), undefined);
  });
  test('uniqueName is stable and safe; thumbprints come back from customKeyIdentifier', () => {
    assert.match(uniqueNameFor('Exo Background Process'), /^exo-cba-exo-background-process-[0-9a-f]{10}$/);
    assert.equal(uniqueNameFor('Exo Background Process'), uniqueNameFor('Exo Background Process'));
    assert.notEqual(uniqueNameFor('Exo Jobs'), uniqueNameFor('exo-jobs'));
    assert.equal(
      thumbprintOfKey({
        keyId: 'k',
        startDateTime: '',
        endDateTime: '',
        type: '',
        usage: '',
        customKeyIdentifier: Buffer.from('AB'.repeat(20), 'hex').toString('base64'),
      }),
      'AB'.repeat(20),
    );
  });
  test('PowerShell for sovereign clouds carries -ExchangeEnvironmentName; S&C its own endpoints', () => {
    const facts = {
      appId: 'A',
      thumbprint: 'T',
      organization: 'c.onmicrosoft.us',
      cloud: 'gcchigh' as const,
    };
    const ps = workloadNamed('exchange').connect.lines(facts);
    assert.match(
      ps,
      /Connect-ExchangeOnline -AppId A -CertificateThumbprint T -Organization c\.onmicrosoft\.us -ExchangeEnvironmentName O365USGovGCCHigh/,
    );
    assert.doesNotMatch(ps, /Connect-IPPSSession -AppId/, 'S&C takes an app of its own');
    const sc = workloadNamed('compliance').connect.lines(facts);
    for (const line of sc.split('\n').filter((l) => l.startsWith('Connect-IPPSSession')))
      assert.match(
        line,
        /-ConnectionUri https:\/\/ps\.compliance\.protection\.office365\.us\/powershell-liveid\/ -AzureADAuthorizationEndpointUri https:\/\/login\.microsoftonline\.us/,
      );
    assert.doesNotMatch(
      workloadNamed('exchange').connect.lines({ ...facts, organization: 'o', cloud: 'global' }),
      /ExchangeEnvironmentName/,
    );
    assert.doesNotMatch(
      workloadNamed('compliance').connect.lines({ ...facts, organization: 'o', cloud: 'global' }),
      /ConnectionUri/,
    );
  });
  test('JUnit escapes what it quotes', () => {
    const xml = toJunit(
      [
        {
          profile: 'a&b',
          workload: 'exchange',
          status: 'fail',
          checks: [{ id: 'x', status: 'fail', message: '<bad> "quote"' }],
        },
      ],
      false,
      't',
    );
    assert.match(xml, /a&amp;b/);
    assert.match(xml, /&lt;bad&gt; &quot;quote&quot;/);
  });
  test('the sandbox command reads a --fail-once spec', async () => {
    const { parseFailOnce } = await import('../../src/cli/options.js');
    assert.deepEqual(parseFailOnce('graph:POST:/servicePrincipals:503'), {
      service: 'graph',
      method: 'POST',
      path: '/servicePrincipals',
      status: 503,
    });
    assert.deepEqual(parseFailOnce('exchange::/InvokeCommand:500'), {
      service: 'exchange',
      path: '/InvokeCommand',
      status: 500,
    });
    usage(() => parseFailOnce('graph-503'), /service:METHOD:path:status/);
  });
  test('the sandbox parses the OData filters exo-cba sends', () => {
    assert.deepEqual(parseFilter("displayName eq 'O''Brien jobs'"), [
      { prop: 'displayName', value: "O'Brien jobs" },
    ]);
    assert.equal(parseFilter("startswith(displayName,'x')"), 'invalid');
    assert.equal(
      endpointOf('/v1.0/applications/8c1b6f0e-1b2c-4d3e-8f90-123456789abc/addKey', 'x'),
      '/v1.0/applications/{id}/addKey',
    );
  });
});

describe('private files on Windows', () => {
  test('key files are restricted with the platform tool; a failure is said plainly, not claimed as done', async () => {
    const { makeFiles } = await import('../../src/adapters/files.js');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'exo-cba-win-'));
    try {
      const restricted: string[] = [];
      const warnings: string[] = [];
      const files = makeFiles('win32', {
        restrictOnWindows: (f) => void restricted.push(f),
        warn: (t) => void warnings.push(t),
      });
      await files.writeNew(path.join(dir, 'a.key'), 'k', 0o600);
      await files.writeNew(path.join(dir, 'a.cer'), 'c', 0o644);
      assert.deepEqual(
        restricted.map((f) => path.basename(f)),
        ['a.key'],
        'only what holds or unlocks the key',
      );
      const failing = makeFiles('win32', {
        restrictOnWindows: () => {
          throw new Error('icacls: access denied');
        },
        warn: (t) => void warnings.push(t),
      });
      await failing.writeNew(path.join(dir, 'b.pfx'), 'p', 0o600);
      assert.match(
        warnings.join('\n'),
        /Could not restrict .*b\.pfx to the current user with icacls \(icacls: access denied\)/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('one version', () => {
  test('the version the CLI declares is the package version (bin/ reads package.json for --version)', async () => {
    const { readFileSync } = await import('node:fs');
    const { VERSION } = await import('../../src/version.js');
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    assert.equal(VERSION, pkg.version);
  });
});
