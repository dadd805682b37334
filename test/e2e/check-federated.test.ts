import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startHarness, initArgs, json, tempDir, type Harness } from '../helpers/harness.js';

/** exo-cba check --federated with the built binary against the sandbox and its GitHub Actions stand-in. */

const AUDIENCE = 'api://AzureADTokenExchange';
const NOT_GITHUB = { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined };
const MAIN = 'repo:contoso/exchange-jobs:ref:refs/heads/main';

interface Report {
  status: string;
  profile?: string;
  appId?: string;
  checks: { id: string; status: string; message: string; fix?: string }[];
}
const byId = (r: Report, id: string) => r.checks.find((c) => c.id === id);

describe('exo-cba check --federated (built binary, sandbox)', () => {
  let h: Harness;
  let appId: string;
  let tenant: string;
  before(async () => {
    h = await startHarness();
    const r = await h.run([...initArgs(h), '--json']);
    assert.equal(r.code, 0, r.stderr);
    appId = json<{ appId: string }>(r).appId;
    tenant = h.sandbox.directory.tenant.id;
    const f = await h.run(['federate', '--github', 'contoso/exchange-jobs', '--branch', 'main']);
    assert.equal(f.code, 0, f.stderr);
  });
  after(() => h.close());

  test('from a GitHub-style job: the CI token signs in, the workload probe runs, the certificate is skipped', async () => {
    const served = h.sandbox.oidc.served;
    const r = await h.run(['check', '--federated', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(h.sandbox.oidc.served, served + 1, 'the token came from the GitHub Actions endpoint');
    const rep = json<{ reports: Report[] }>(r).reports[0]!;
    assert.deepEqual(
      rep.checks.map((c) => [c.id, c.status]),
      [
        ['certificate', 'skip'],
        ['sign-in', 'pass'],
        ['consent', 'pass'],
        ['exchange', 'pass'],
      ],
    );
    assert.match(
      byId(rep, 'certificate')!.message,
      /--federated: .*certificate and file checks do not apply/,
    );
    assert.match(byId(rep, 'sign-in')!.message, new RegExp(`subject ${MAIN}`));
  });

  test('a pipeline with only EXO_CBA_APP_ID and EXO_CBA_TENANT, a token file and a JUnit report', async () => {
    const file = path.join(h.dir, 'ci-token');
    writeFileSync(file, await h.sandbox.oidc.sign({ audience: AUDIENCE }));
    const junit = path.join(h.dir, 'federated.xml');
    const r = await h.run(['check', '--federated', '--junit', junit], {
      env: {
        ...NOT_GITHUB,
        EXO_CBA_CONFIG_DIR: tempDir(),
        EXO_CBA_APP_ID: appId,
        EXO_CBA_TENANT: tenant,
        AZURE_FEDERATED_TOKEN_FILE: file,
      },
    });
    assert.equal(r.code, 0, r.stderr);
    const xml = readFileSync(junit, 'utf8');
    assert.match(xml, /name="sign-in"/);
    assert.match(xml, /name="exchange"/);
    assert.doesNotMatch(xml, /<failure/);
  });

  test('a wrong subject fails (exit 1) with the subject carried beside the ones the app trusts', async () => {
    h.sandbox.oidc.configure({ subject: 'repo:contoso/exchange-jobs:environment:production' });
    try {
      const junit = path.join(h.dir, 'refused.xml');
      const r = await h.run(['check', '--federated', '--json', '--junit', junit]);
      assert.equal(r.code, 1, r.stderr);
      const rep = json<{ reports: Report[] }>(r).reports[0]!;
      const signIn = byId(rep, 'sign-in')!;
      assert.equal(signIn.status, 'fail');
      assert.match(signIn.message, /trusts the CI token's subject \(AADSTS700213\)/);
      assert.match(
        signIn.message,
        /carried issuer \S+, subject repo:contoso\/exchange-jobs:environment:production/,
      );
      assert.match(signIn.message, new RegExp(`subject ${MAIN} \\(≠\\)`));
      assert.match(
        signIn.fix ?? '',
        /federate --profile \S+ --github contoso\/exchange-jobs --environment production/,
      );
      assert.equal(byId(rep, 'exchange')?.status, 'skip');
      assert.match(readFileSync(junit, 'utf8'), /<failure type="fail"/);
    } finally {
      h.sandbox.oidc.configure({ subject: MAIN });
    }
  });

  test('an unknown issuer and a wrong audience each fail with their explanation', async () => {
    const gitlab = path.join(h.dir, 'gitlab-token');
    writeFileSync(gitlab, await h.sandbox.oidc.sign({ audience: AUDIENCE, issuer: 'https://gitlab.com' }));
    const i = await h.run(['check', '--federated', '--federated-token-file', gitlab]);
    assert.equal(i.code, 1, i.stderr);
    assert.match(i.stdout, /trusts the issuer the CI token carries \(AADSTS700211\)/);
    const aud = path.join(h.dir, 'aud-token');
    writeFileSync(aud, await h.sandbox.oidc.sign({ audience: 'https://github.com/contoso' }));
    const a = await h.run(['check', '--federated', '--federated-token-file', aud]);
    assert.equal(a.code, 1, a.stderr);
    assert.match(a.stdout, /accepts the CI token's audience \(AADSTS700212\)/);
  });

  test('no CI token is unreadable input (exit 2); the consent removed out of band fails its check', async () => {
    const none = await h.run(['check', '--federated'], { env: { ...NOT_GITHUB, GITHUB_ACTIONS: 'true' } });
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stdout, /permissions: id-token: write/);
    assert.equal(h.sandbox.act({ action: 'remove-grant', appId }).ok, true);
    const r = await h.run(['check', '--federated', '--json']);
    assert.equal(r.code, 1, r.stderr);
    const rep = json<{ reports: Report[] }>(r).reports[0]!;
    assert.equal(byId(rep, 'sign-in')?.status, 'pass');
    assert.equal(byId(rep, 'consent')?.status, 'fail');
  });

  test('status shows the CI systems the profile trusts, as federate read them back', async () => {
    const j = await h.run(['status', '--json']);
    assert.equal(j.code, 0, j.stderr);
    const row = json<{ profiles: { federatedCredentials?: { subject: string; audience: string }[] }[] }>(j)
      .profiles[0]!;
    assert.deepEqual(
      row.federatedCredentials?.map((c) => [c.subject, c.audience]),
      [[MAIN, AUDIENCE]],
    );
    const t = await h.run(['status']);
    assert.match(
      t.stdout,
      /trusts CI tokens of https:\/\/token\.actions\.githubusercontent\.com with subject/,
    );
  });

  test('--federated refuses --cert-file, --all and --graph before signing in (exit 2)', async () => {
    for (const extra of [['--cert-file', 'x.pem'], ['--all'], ['--graph']]) {
      const r = await h.run(['check', '--federated', ...extra]);
      assert.equal(r.code, 2, `${extra.join(' ')}: ${r.stderr}`);
    }
    const alone = await h.run(['check', '--federated-token-file', 'x']);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /goes with --federated/);
  });
});
