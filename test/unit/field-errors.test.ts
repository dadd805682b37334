import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FIELD_ERRORS } from '../../src/sandbox/field-errors.js';
import { classifyGraphError } from '../../src/adapters/graph-errors.js';
import { classifyTokenError } from '../../src/adapters/token-errors.js';
import { interpret } from '../../src/workloads/exchange/admin-api.js';

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
  'token.throttled.429': 'throttled',
  'token.unavailable.503': 'throttled',
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
      }
    });
  }
});
