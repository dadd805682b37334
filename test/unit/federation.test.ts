import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  credentialName,
  place,
  trustOf,
  FEDERATED_CREDENTIAL_LIMIT,
  type ExistingCredential,
} from '../../src/tenant/federation.js';
import { FederatedSignInError, explainFederatedError } from '../../src/tenant/federated-token.js';
import { AuthError } from '../../src/adapters/token-errors.js';
import { CliError } from '../../src/core/errors.js';

const NAME_RULE = /^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/;

describe('federated credential names and placement (pure)', () => {
  test('names are read off the subject and keep within Graph’s rules, however long or odd the subject', () => {
    const t = trustOf({
      provider: 'github',
      repository: 'contoso/jobs',
      on: { kind: 'branch', name: 'release/2026.1' },
    });
    assert.equal(t.name, 'github-contoso-jobs-branch-release-2026-1');
    assert.equal(t.subject, 'repo:contoso/jobs:ref:refs/heads/release/2026.1');
    const long = credentialName('issuer', 'https://x.example', `job:${'é'.repeat(300)}:${'a'.repeat(300)}`);
    assert.match(long, NAME_RULE);
    assert.match(long, /-[0-9a-f]{8}$/, 'a name cut to fit ends in a hash');
    assert.match(
      credentialName('issuer', 'https://x.example', '::'),
      NAME_RULE,
      'too short is padded by a hash',
    );
  });

  test('place: the same issuer + subject exists (or with another audience), the app is full, a taken name', () => {
    const t = trustOf({
      provider: 'gitlab',
      project: 'ops/x',
      url: 'https://gitlab.com',
      ref: { kind: 'branch', name: 'main' },
    });
    const mk = (i: number, over: Partial<ExistingCredential> = {}): ExistingCredential => ({
      id: String(i),
      name: `n${i}`,
      issuer: 'https://gitlab.com',
      subject: `s${i}`,
      audiences: ['api://AzureADTokenExchange'],
      ...over,
    });
    assert.equal(place(t, [mk(1, { subject: t.subject })]).kind, 'exists');
    assert.equal(
      place(t, [mk(1, { subject: t.subject, audiences: ['api://other'] })]).kind,
      'other-audience',
    );
    const full = Array.from({ length: FEDERATED_CREDENTIAL_LIMIT }, (_, i) => mk(i));
    assert.deepEqual(place(t, full), { kind: 'full', count: 20 });
    const taken = place(t, [mk(1, { name: t.name.toUpperCase() })]);
    assert.equal(taken.kind, 'add');
    if (taken.kind === 'add') assert.match(taken.trust.name, new RegExp(`^${t.name}-[0-9a-f]{8}$`));
  });
});

describe('a failed federated sign-in in the admin’s terms (pure)', () => {
  const presented = {
    issuer: 'https://token.actions.githubusercontent.com',
    subject: 'repo:contoso/jobs:environment:prod',
    audience: 'api://AzureADTokenExchange',
    source: 'GitHub Actions (ACTIONS_ID_TOKEN_REQUEST_URL)',
  };
  const refused = (aadsts: number) =>
    new FederatedSignInError(
      new AuthError('federated-no-match', 'invalid_request', aadsts, `AADSTS${aadsts}: No matching …`),
      presented,
    );

  test('each no-match code names what did not match, the claims the token carried, and the federate line', () => {
    for (const [aadsts, what] of [
      [700211, /trusts the issuer/],
      [700212, /accepts the CI token's audience/],
      [700213, /trusts the CI token's subject/],
      [7002138, /differs only in case/],
      [70021, /no federated credential that matches/],
    ] as const) {
      const e = explainFederatedError(refused(aadsts), { appId: 'a', profile: { name: 'p' } });
      assert.ok(e instanceof CliError);
      assert.equal(e.exitCode, 1);
      assert.equal(e.code, 'EXO-FEDERATED-NO-MATCH');
      assert.match(e.message, what);
      assert.match(e.detail.why ?? '', /subject repo:contoso\/jobs:environment:prod/);
      assert.match(
        e.detail.fix ?? '',
        /exo-cba federate --profile p --github contoso\/jobs --environment prod/,
      );
    }
  });

  test('with a profile, the subject the token carried stands beside each one the app trusts', () => {
    const trusted = (subject: string) => ({
      name: subject.replace(/[^a-z]+/g, '-'),
      issuer: presented.issuer,
      subject,
      audience: presented.audience,
    });
    const e = explainFederatedError(refused(700213), {
      appId: 'a',
      profile: {
        name: 'p',
        federatedCredentials: [
          trusted('repo:contoso/jobs:ref:refs/heads/main'),
          trusted('repo:Contoso/Jobs:environment:prod'),
        ],
      },
    });
    assert.ok(e instanceof CliError);
    const why = e.detail.why ?? '';
    assert.match(why, /carried issuer \S+, subject repo:contoso\/jobs:environment:prod/);
    assert.match(why, /subject repo:contoso\/jobs:ref:refs\/heads\/main \(≠\)/);
    assert.match(why, /subject repo:Contoso\/Jobs:environment:prod \(~\)/);
    assert.match(why, /audience api:\/\/AzureADTokenExchange \(=\)/);
    const unknown = explainFederatedError(refused(700213), { appId: 'a' });
    assert.ok(unknown instanceof CliError);
    assert.match(unknown.detail.why ?? '', /not known here: an admin sees it with exo-cba federate --list/);
  });

  test('no CI token is bad input (exit 2, EXO-CI-TOKEN); anything else passes through', () => {
    const e = explainFederatedError(new AuthError('ci-token-unavailable', 'no_ci_token', undefined, 'none'), {
      appId: 'a',
    });
    assert.ok(e instanceof CliError);
    assert.equal(e.exitCode, 2);
    assert.equal(e.code, 'EXO-CI-TOKEN');
    const other = new Error('x');
    assert.equal(explainFederatedError(other, { appId: 'a' }), other);
  });
});
