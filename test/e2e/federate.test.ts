import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startHarness, initArgs, json, type Harness } from '../helpers/harness.js';

/** exo-cba federate against the sandbox, with the built binary: each provider form, re-runs, limits, remove. */

// The subjects and issuers as the providers document them (written here, not imported from the tool).
const GITHUB = 'https://token.actions.githubusercontent.com';
const AUDIENCE = 'api://AzureADTokenExchange';

interface FederateJson {
  action: string;
  appId: string;
  credential?: { name: string; issuer: string; subject: string; audiences: string[] };
  credentials: { id: string; name: string; subject: string }[];
  plan?: string[];
  pipeline?: { file: string; text: string };
}

describe('exo-cba federate (built binary, sandbox)', () => {
  let h: Harness;
  let objectId: string;
  before(async () => {
    h = await startHarness();
    const r = await h.run([...initArgs(h), '--json']);
    assert.equal(r.code, 0, r.stderr);
    objectId = json<{ objectId: string }>(r).objectId;
  });
  after(() => h.close());
  const onApp = () => h.sandbox.directory.app(objectId)?.federatedIdentityCredentials ?? [];
  const federate = (args: string[]) => h.run(['federate', ...args, '--json']);

  test('--github with --environment adds one credential, read back, and prints a workflow', async () => {
    const r = await federate(['--github', 'contoso/exchange-jobs', '--environment', 'production']);
    assert.equal(r.code, 0, r.stderr);
    const d = json<FederateJson>(r);
    assert.equal(d.action, 'added');
    assert.equal(d.credential?.subject, 'repo:contoso/exchange-jobs:environment:production');
    assert.equal(d.credential?.issuer, GITHUB);
    assert.deepEqual(d.credential?.audiences, [AUDIENCE]);
    assert.match(r.stderr, /read back/);
    const stored = onApp().find((f) => f.subject === 'repo:contoso/exchange-jobs:environment:production');
    assert.ok(stored, 'the credential is on the app');
    assert.equal(d.pipeline?.file, '.github/workflows/exchange-connection.yml');
    assert.match(d.pipeline?.text ?? '', /id-token: write/);
    assert.match(d.pipeline?.text ?? '', /schedule:/);
    assert.match(d.pipeline?.text ?? '', /environment: production/);
    assert.match(
      d.pipeline?.text ?? '',
      /Connect-ExchangeOnline -AccessToken \$token -Organization exocbasandbox/,
    );
    assert.match(d.pipeline?.text ?? '', /exo-cba token --federated/);
  });

  test('a re-run adds nothing and says so', async () => {
    const before = onApp().length;
    const posts = () =>
      h.sandbox.faults.log.filter((e) => e.method === 'POST' && /federatedIdentity/.test(e.path));
    const n = posts().length;
    const r = await federate(['--github', 'contoso/exchange-jobs', '--environment', 'production']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json<FederateJson>(r).action, 'exists');
    assert.match(r.stderr, /Already trusted/);
    assert.equal(onApp().length, before);
    assert.equal(posts().length, n, 'no write was sent');
  });

  test('each provider form writes its documented issuer and subject', async () => {
    const orgId = randomUUID();
    const cases: [string[], string, string][] = [
      [
        ['--github', 'contoso/exchange-jobs', '--branch', 'main'],
        GITHUB,
        'repo:contoso/exchange-jobs:ref:refs/heads/main',
      ],
      [
        ['--github', 'contoso/exchange-jobs', '--tag', 'v1.0'],
        GITHUB,
        'repo:contoso/exchange-jobs:ref:refs/tags/v1.0',
      ],
      [
        ['--github', 'contoso/exchange-jobs', '--pull-request'],
        GITHUB,
        'repo:contoso/exchange-jobs:pull_request',
      ],
      [
        ['--azure-devops', 'contoso/jobs/exchange-online', '--organization-id', orgId],
        `https://vstoken.dev.azure.com/${orgId}`,
        'sc://contoso/jobs/exchange-online',
      ],
      [
        ['--gitlab', 'ops/exchange', '--branch', 'main'],
        'https://gitlab.com',
        'project_path:ops/exchange:ref_type:branch:ref:main',
      ],
      [
        ['--gitlab', 'ops/sub/exchange', '--tag', 'v2', '--gitlab-url', 'https://gitlab.contoso.com/'],
        'https://gitlab.contoso.com',
        'project_path:ops/sub/exchange:ref_type:tag:ref:v2',
      ],
      [
        ['--issuer', 'https://issuer.contoso.com/oidc', '--subject', 'job:nightly'],
        'https://issuer.contoso.com/oidc',
        'job:nightly',
      ],
    ];
    for (const [args, issuer, subject] of cases) {
      const r = await federate(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(json<FederateJson>(r).action, 'added');
      const stored = onApp().find((f) => f.subject === subject);
      assert.equal(stored?.issuer, issuer, args.join(' '));
      assert.match(stored?.name ?? '', /^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/);
    }
    const ado = await federate([
      '--azure-devops',
      'contoso/jobs/exchange-online',
      '--organization-id',
      orgId,
    ]);
    assert.equal(json<FederateJson>(ado).pipeline?.file, 'azure-pipelines.yml');
    const gl = await federate(['--gitlab', 'ops/exchange', '--branch', 'main']);
    assert.match(
      json<FederateJson>(gl).pipeline?.text ?? '',
      /id_tokens:[\s\S]*aud: api:\/\/AzureADTokenExchange/,
    );
  });

  test('--list shows them; --dry-run changes nothing; --remove deletes one and reads back', async () => {
    const list = json<FederateJson>(await federate(['--list']));
    assert.equal(list.credentials.length, onApp().length);
    const victim = list.credentials.find((c) => c.subject.endsWith(':pull_request'));
    assert.ok(victim);
    const plan = await federate(['--remove', victim.name, '--dry-run']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.ok(json<FederateJson>(plan).plan?.length);
    assert.ok(
      onApp().some((f) => f.id === victim.id),
      'dry run removed nothing',
    );
    const r = await federate(['--remove', victim.name]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json<FederateJson>(r).action, 'removed');
    assert.match(r.stderr, /read back: gone/);
    assert.ok(!onApp().some((f) => f.id === victim.id));
    const again = await federate(['--remove', victim.name]);
    assert.equal(again.code, 2, 'removing a name that is not there is bad input');
    assert.match(again.stderr, /no federated credential named/);
  });

  test('--dry-run of an add plans it and writes nothing', async () => {
    const before = onApp().length;
    const r = await federate(['--github', 'contoso/other', '--branch', 'main', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(json<FederateJson>(r).plan?.[0] ?? '', /repo:contoso\/other:ref:refs\/heads\/main/);
    assert.equal(onApp().length, before);
  });

  test('the limit of 20 is explained before anything is sent', async () => {
    const app = h.sandbox.directory.app(objectId);
    assert.ok(app);
    const kept = [...(app.federatedIdentityCredentials ?? [])];
    try {
      for (let i = kept.length; i < 20; i++)
        (app.federatedIdentityCredentials ??= []).push({
          id: randomUUID(),
          name: `filler-${i}`,
          issuer: GITHUB,
          subject: `repo:contoso/filler:environment:e${i}`,
          audiences: [AUDIENCE],
        });
      const r = await h.run(['federate', '--github', 'contoso/exchange-jobs', '--environment', 'staging']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /already has 20 federated credentials, the most Entra allows \(20\)/);
      assert.match(r.stderr, /EXO-FEDERATION-LIMIT/);
      assert.match(r.stderr, /--remove/);
      assert.equal(onApp().length, 20);
    } finally {
      app.federatedIdentityCredentials = kept;
    }
  });

  test('a name taken by another subject gets a free one; a duplicate subject Graph refuses is explained', async () => {
    const app = h.sandbox.directory.app(objectId);
    assert.ok(app);
    (app.federatedIdentityCredentials ??= []).push({
      id: randomUUID(),
      name: 'github-contoso-exchange-jobs-branch-release',
      issuer: GITHUB,
      subject: 'repo:contoso/somewhere-else:environment:x',
      audiences: [AUDIENCE],
    });
    const r = await federate(['--github', 'contoso/exchange-jobs', '--branch', 'release']);
    assert.equal(r.code, 0, r.stderr);
    const made = json<FederateJson>(r).credential;
    assert.match(made?.name ?? '', /^github-contoso-exchange-jobs-branch-release-[0-9a-f]{8}$/);
    // Another admin has just added the same subject: Graph's reads do not show it yet, its write check does.
    app.federatedIdentityCredentials.push({
      id: randomUUID(),
      name: 'added-elsewhere',
      issuer: GITHUB,
      subject: 'repo:contoso/exchange-jobs:ref:refs/heads/hotfix',
      audiences: [AUDIENCE],
      visibleAt: Date.now() + 600_000,
    });
    const dup = await h.run(['federate', '--github', 'contoso/exchange-jobs', '--branch', 'hotfix']);
    assert.equal(dup.code, 1, dup.stderr);
    assert.match(
      dup.stderr,
      /already trusts issuer https:\/\/token\.actions\.githubusercontent\.com with subject/,
    );
    assert.match(dup.stderr, /EXO-FEDERATION-DUPLICATE/);
    const refused = h.sandbox.faults.log.filter(
      (e) => e.method === 'POST' && /federatedIdentityCredentials/.test(e.path) && e.status === 400,
    );
    assert.ok(refused.length >= 1, 'Graph refused the write');
  });

  test('bad input is exit 2 before any sign-in', async () => {
    const before = h.sandbox.faults.log.length;
    const bad: [string[], RegExp][] = [
      [['--github', 'contoso'], /OWNER\/REPO/],
      [['--github', 'contoso/jobs'], /exactly one of --environment, --branch, --tag, --pull-request/],
      [['--github', 'contoso/jobs', '--branch', 'a', '--tag', 'b'], /exactly one of/],
      [['--gitlab', 'ops/x', '--pull-request'], /--pull-request does not apply to --gitlab/],
      [['--azure-devops', 'contoso/jobs/sc'], /needs --organization-id/],
      [['--issuer', 'http://insecure.example', '--subject', 'x'], /https URL/],
      [['--issuer', 'https://issuer.example'], /needs --subject/],
      [['--github', 'contoso/jobs', '--branch', 'main', '--list'], /one thing at a time/],
      [[], /needs a provider/],
      [['--remove', 'has space'], /not a federated credential name/],
    ];
    for (const [args, message] of bad) {
      const r = await h.run(['federate', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
    assert.equal(h.sandbox.faults.log.length, before, 'nothing was sent to the tenant');
  });
});
