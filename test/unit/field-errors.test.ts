import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FIELD_ERRORS } from '../../src/sandbox/field-errors.js';
import { classifyGraphError } from '../../src/adapters/graph-errors.js';
import { classifyTokenError } from '../../src/adapters/token-errors.js';
import { interpret } from '../../src/workloads/exchange/admin-api.js';
import { classifyCmdletError } from '../../src/workloads/exchange/cmdlet-errors.js';

/**
 * Every recorded field answer (with its source, in the sandbox's catalogue) through the tool's classifier for
 * that service. The expectations live here, not in the catalogue: the sandbox records what Microsoft says,
 * the tool decides what it means.
 */
const EXPECTED: Record<string, string> = {
  'graph.sp-before-app.400-details': 'replication-gap',
  'graph.sp-before-app.400-plain': 'replication-gap',
  'graph.sp-before-app.403': 'replication-gap',
  'graph.reference-not-present.400': 'replication-gap',
  'graph.not-found.404': 'replication-gap',
  'graph.not-a-valid-reference-update.400': 'replication-gap',
  'graph.throttled.429-retry-after': 'throttled',
  'graph.throttled.429-bare': 'throttled',
  'graph.unavailable.503': 'transient',
  'graph.gateway-timeout.504': 'transient',
  'graph.denied.403': 'permission-denied',
  'graph.conflicting-object.400': 'conflict',
  'token.throttled.429': 'throttled',
  'token.unavailable.503': 'throttled',
  'token.server-error.500': 'throttled',
  'token.client-unknown.700016': 'client-unknown',
  'token.client-disabled.7000112': 'client-blocked',
  'token.conditional-access.53003': 'conditional-access',
  'token.tenant-not-found.90002': 'tenant-not-found',
  'token.declined.70000': 'declined',
  'token.expired.70020': 'expired',
  'token.key-unknown.700027': 'key-unknown',
  'token.key-expired.700027': 'key-expired',
  'exchange.no-app-role.401': 'no-app-role',
  'exchange.role-unsupported.401': 'no-directory-role',
  'exchange.no-role.403-nul': 'no-directory-role',
  'exchange.throttled.429': 'throttled',
  'exchange.unavailable.503': 'unavailable',
  'graph.alternate-key-unsupported.400': 'bad-request',
  'graph.credential-lifetime-policy.400': 'bad-request',
  'exchange.object-not-found.400': 'cmdlet',
  'exchange.object-not-found.403': 'cmdlet',
  'exchange.object-not-found.404': 'cmdlet',
  'exchange.object-not-found.403-details-only': 'cmdlet',
};

const bodyBytes = (b: unknown) =>
  Buffer.isBuffer(b) ? b : Buffer.from(typeof b === 'string' ? b : JSON.stringify(b ?? ''));

describe('every recorded field answer is classified', () => {
  test('the catalogue and the expectations name the same answers, each with a source', () => {
    assert.deepEqual(FIELD_ERRORS.map((f) => f.id).sort(), Object.keys(EXPECTED).sort());
    for (const f of FIELD_ERRORS) assert.ok(f.source.length > 20, `${f.id} says where it was seen`);
  });
  for (const f of FIELD_ERRORS) {
    test(`${f.id} (${f.source.slice(0, 60)}…)`, () => {
      const r = f.answer({
        appId: '11111111-2222-3333-4444-555555555555',
        id: '66666666-7777-8888-9999-000000000000',
        retryAfterS: 2,
      });
      if (f.service === 'graph') {
        const e = (r.body as { error: { code: string; message: string; details?: { code: string }[] } })
          .error;
        const reason = classifyGraphError({
          status: r.status,
          code: e.code,
          message: e.message,
          detailCodes: (e.details ?? []).map((d) => d.code),
        });
        // A plain 404 on a read is "not found", which the replication waits treat as a gap (isReplicationGap).
        assert.equal(reason === 'not-found' ? 'replication-gap' : reason, EXPECTED[f.id]);
      } else if (f.service === 'token') {
        const b = r.body as { error: string; error_description: string; error_codes: number[] };
        const seen = {
          ...(r.status === 429 || r.status >= 500 ? { status: r.status } : {}),
          oauth: { error: b.error, description: b.error_description, aadsts: b.error_codes[0]! },
        };
        assert.equal(classifyTokenError(new Error('post_request_failed'), seen).reason, EXPECTED[f.id]);
      } else {
        const probe = interpret(r.status, bodyBytes(r.body), r.headers ?? {});
        assert.equal(probe.ok ? 'ok' : probe.kind, EXPECTED[f.id]);
        if (!probe.ok && f.id.includes('429')) assert.equal(probe.retryAfterMs, 2000, 'Retry-After is read');
        if (f.id.startsWith('exchange.object-not-found')) {
          assert.ok(!probe.ok && probe.error, 'classified by its exception type');
          assert.equal(probe.error.kind, 'not-found');
          assert.match(probe.message, /couldn't be found/, 'the real text, not "Invalid Operation"');
        }
      }
    });
  }
});

describe("Exchange's cmdlet errors by exception type (cmdlet-errors.ts)", () => {
  const envelope = (type: string, message: string) => ({
    error: {
      code: 'BadRequest',
      message: 'Invalid Operation',
      details: [{ code: 'Client', message: `|${type}|${message}` }],
      innererror: { internalexception: { message, type } },
    },
  });
  const cases: [string, string, string][] = [
    [
      'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException',
      "object 'x' couldn't be found",
      'not-found',
    ],
    [
      'System.Management.Automation.ParameterBindingException',
      "A parameter cannot be found that matches 'Foo'.",
      'parameter-binding',
    ],
    ['Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException', 'already exists', 'already-exists'],
    [
      'System.Management.Automation.CommandNotFoundException',
      "The term 'New-X' is not recognized as a name of a cmdlet",
      'not-recognised',
    ],
    ['Microsoft.Exchange.Configuration.Tasks.TaskException', 'something else', 'other'],
  ];
  for (const [type, message, kind] of cases)
    test(`${type.split('.').pop()} → ${kind}`, () => {
      assert.deepEqual(classifyCmdletError(envelope(type, message)), { kind, type, message });
    });
  test('a body without a typed envelope is not a classified cmdlet error', () => {
    assert.equal(classifyCmdletError({ error: { code: 'Unauthorized', message: 'no' } }), undefined);
    assert.equal(classifyCmdletError(undefined), undefined);
  });
});
