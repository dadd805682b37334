import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, tenantState, initArgs, type Harness } from '../helpers/harness.js';
import type { FaultState } from '../../src/sandbox/faults.js';

/**
 * Every answer of the token service or the network during the admin sign-in ends as what / why / what to do,
 * exit 1, with nothing changed: never "failed unexpectedly". The built binary, real MSAL, the sandbox's answers.
 */

interface Case {
  name: string;
  faults?: Partial<FaultState>;
  args?: string[];
  env?: (h: Harness) => Record<string, string | undefined>;
  expect: RegExp[];
}

const GRAPH_CLI = '14d82eec-204b-4c2f-b7e8-296a70dab67e';

const cases: Case[] = [
  {
    name: 'the admin declines',
    faults: { deviceCode: { mode: 'deny', approveAfterMs: 0, interval: 1 } },
    expect: [/The sign-in was declined/, /AADSTS70000/, /fix: Run the command again/],
  },
  {
    name: 'the code expires',
    faults: { deviceCode: { mode: 'expire', approveAfterMs: 0, interval: 1 } },
    expect: [/code expired/, /within 15 minutes/],
  },
  {
    name: 'the tenant blocks the default client (AADSTS7000112)',
    faults: { blockedClients: [GRAPH_CLI] },
    expect: [
      /blocks sign-in through Microsoft Graph Command Line Tools/,
      /AADSTS7000112/,
      /Allow public client flows/,
      /--client-id/,
    ],
  },
  {
    name: 'the client id is unknown in the tenant (AADSTS700016)',
    args: ['--client-id', '0bd1a111-2222-4333-8444-555566667777'],
    expect: [/does not know the client 0bd1a111/, /AADSTS700016/, /App registrations > New registration/],
  },
  {
    name: 'Conditional Access blocks the sign-in (AADSTS53003)',
    faults: { deviceCode: { mode: 'conditional-access', approveAfterMs: 0, interval: 1 } },
    expect: [/Conditional Access policy blocked the sign-in/, /AADSTS53003/],
  },
  {
    name: 'the tenant does not exist (AADSTS90002)',
    args: ['--tenant', 'nosuchtenant.onmicrosoft.com'],
    expect: [/tenant 'nosuchtenant.onmicrosoft.com' was not found/, /--cloud/],
  },
  {
    name: 'the sign-in host does not answer',
    env: () => ({ EXO_CBA_AUTHORITY_HOST: 'https://127.0.0.1:9' }),
    expect: [/Could not reach https:\/\/127\.0\.0\.1:9/, /ECONNREFUSED/, /HTTPS_PROXY/],
  },
  {
    name: 'the sign-in host presents a certificate this machine does not trust',
    env: () => ({ NODE_EXTRA_CA_CERTS: undefined }),
    expect: [/TLS connection to https:\/\/127\.0\.0\.1:\d+ could not be trusted/, /NODE_EXTRA_CA_CERTS/],
  },
];

describe('admin sign-in: every answer explained', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  for (const c of cases) {
    test(c.name, async () => {
      h.sandbox.faults.set({
        deviceCode: { mode: 'approve', approveAfterMs: 0, interval: 1 },
        blockedClients: [],
        ...(c.faults ?? {}),
      });
      const args = initArgs(h, c.args ?? []);
      const i = args.indexOf('--tenant');
      if (c.args?.includes('--tenant')) args.splice(i, 2);
      const r = await h.run(args, { env: c.env?.(h) ?? {} });
      assert.equal(r.code, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /failed unexpectedly|This is a bug|TypeError/);
      for (const e of c.expect) assert.match(r.stderr, e);
      assert.equal(tenantState(h.sandbox).apps.length, 0, 'nothing changed');
    });
  }
});
