import { failure } from '../core/errors.js';
import type { Clock, Output } from '../core/ports.js';
import { REPLICATION_BACKOFF, withRetries } from '../core/retry.js';

/**
 * Microsoft Graph's refusals, read once where they are received. Graph's `code` and `details[].code` are
 * preferred; where Graph gives one code two meanings, the recorded field text decides, here and nowhere else
 * (sources: hashicorp/go-azure-sdk odata/errors.go and terraform-provider-azuread's retry functions; Azure
 * CLI role/custom.py; Microsoft Graph throttling and error docs). Everything above branches on `reason`.
 */
export type GraphErrorReason =
  /** The object (or one it refers to) exists but has not replicated to this read or reference yet: wait and retry. */
  | 'replication-gap'
  /** 429: wait as told (Retry-After) or back off. */
  | 'throttled'
  /** 5xx (not 501): the service failed this time; a retry may succeed. */
  | 'transient'
  | 'permission-denied'
  | 'unauthenticated'
  /** It exists already (a duplicate grant, role assignment or service principal). */
  | 'conflict'
  | 'not-found'
  | 'bad-request'
  | 'other';

/** What each kind of operation asks of the signed-in admin, for advice on a 403. */
export type AdminNeed = 'apps' | 'consent' | 'role-assignment' | 'read';

const REPLICATION_TEXT = [
  // POST /servicePrincipals right after the app is created (400, with or without details[].code NoBackingApplicationObject).
  /The appId '.+' of the service principal does not reference a valid application object/i,
  // The same moment, answered as a 403 (go-azure-sdk ErrorServicePrincipalAppInOtherTenant: "misleading, means not replicated yet").
  /When using this permission, the backing application of the service principal being created must in the local tenant/i,
  // A reference to an object that has not replicated (go-azure-sdk ErrorResourceDoesNotExist).
  /does not exist or one of its queried reference-property objects are not present/i,
  // appRoleAssignedTo with a principal that has not replicated (terraform-provider-azuread app role assignment RetryFunc).
  /Not a valid reference update/i,
];

export function classifyGraphError(e: {
  status: number;
  code: string;
  message: string;
  detailCodes: string[];
}): GraphErrorReason {
  if (e.detailCodes.includes('NoBackingApplicationObject')) return 'replication-gap';
  if (
    (e.status === 400 || e.status === 403 || e.status === 404) &&
    REPLICATION_TEXT.some((re) => re.test(e.message))
  )
    return 'replication-gap';
  if (e.status === 429) return 'throttled';
  if (e.status >= 500 && e.status !== 501) return 'transient';
  if (
    e.status === 409 ||
    (e.status === 400 &&
      /already exists|conflicting object|MultipleObjectsWithSameKeyValue/i.test(`${e.code} ${e.message}`))
  )
    return 'conflict';
  if (e.status === 401) return 'unauthenticated';
  if (e.status === 403) return 'permission-denied';
  if (e.status === 404) return 'not-found';
  if (e.status === 400) return 'bad-request';
  return 'other';
}

/** A Graph error reduced to what a decision needs; its reason is decided here, once. */
export class GraphApiError extends Error {
  readonly reason: GraphErrorReason;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detailCodes: string[],
    readonly requestId: string | undefined,
    readonly operation: string,
    readonly extra: { retryAfterMs?: number; needs?: AdminNeed } = {},
  ) {
    super(message);
    this.name = 'GraphApiError';
    this.reason = classifyGraphError({ status, code, message, detailCodes });
  }
}

/** A replication gap, or a read that does not see a new object yet (404): worth waiting for. */
export function isReplicationGap(err: unknown): boolean {
  return err instanceof GraphApiError && (err.reason === 'replication-gap' || err.reason === 'not-found');
}

const ADMIN_ROLES: Record<AdminNeed, string> = {
  apps:
    'Registering and changing apps needs the Application Administrator, Cloud Application ' +
    'Administrator or Global Administrator role.',
  consent:
    'Granting an application permission (admin consent) needs the ' +
    'Application Administrator, Cloud Application Administrator or Global Administrator role.',
  'role-assignment':
    'Assigning a directory role needs the Privileged Role Administrator or Global Administrator role.',
  read:
    'Reading apps, service principals and their grants needs at least the Directory Readers ' +
    'role, or one of the administrator roles exo-cba asks for.',
};

/** Turns a Graph refusal into what / why / what to do, from its reason and what the operation needs. */
export function explainGraphError(err: unknown, step: string): Error {
  if (!(err instanceof GraphApiError)) return err as Error;
  const detail = { serviceCode: err.code, ...(err.requestId ? { requestId: err.requestId } : {}) };
  switch (err.reason) {
    case 'permission-denied':
      return failure(`Microsoft Graph refused to ${step} (403 ${err.code}).`, {
        ...detail,
        code: 'EXO-GRAPH-DENIED',
        why: `The signed-in admin lacks the rights for this step. ${ADMIN_ROLES[err.extra.needs ?? 'apps']}`,
        fix:
          'Sign in with an account that holds that role (or activate it in PIM), then re-run: ' +
          'finished steps are reused.',
      });
    case 'replication-gap':
      return failure(
        `Microsoft Graph still did not see a new object while trying to ${step} (${err.status} ${err.code}).`,
        {
          ...detail,
          code: 'EXO-GRAPH-REPLICATION',
          why:
            `${err.message} Entra is eventually consistent, and this did not clear within the ` +
            `wait.${err.status === 403 ? ' The same answer also comes when the admin may not create service principals: ' + ADMIN_ROLES.apps : ''}`,
          fix: 'Re-run the same command (finished steps are reused), or give it longer with --wait.',
        },
      );
    case 'unauthenticated':
      return failure(`Microsoft Graph did not accept the admin token while trying to ${step}.`, {
        ...detail,
        code: 'EXO-GRAPH-UNAUTHENTICATED',
        why: err.message,
        fix: 'Sign in again; if the tenant restricts the default client, use --client-id with your own public client.',
      });
    case 'throttled':
    case 'transient':
      return failure(`Microsoft Graph is busy or failing (HTTP ${err.status}) while trying to ${step}.`, {
        ...detail,
        code: 'EXO-GRAPH-BUSY',
        why: err.message,
        fix: 'Re-run in a few minutes: finished steps are reused.',
      });
    default:
      return failure(`Microsoft Graph could not ${step}: ${err.message}`, {
        ...detail,
        code: 'EXO-GRAPH-FAILED',
        fix: 'Re-run with --verbose for the request details.',
      });
  }
}

/**
 * Entra is eventually consistent: a write succeeds, then reads and references miss the new object for
 * seconds to minutes. Waits those gaps out under the one retry policy, until the deadline.
 */
export function untilReplicated<T>(
  ctx: { clock: Clock; out: Pick<Output, 'verbose' | 'progress'> },
  what: string,
  fn: () => Promise<T>,
  opts: { deadline: number; isGap?: (err: unknown) => boolean },
): Promise<T> {
  const isGap = opts.isGap ?? isReplicationGap;
  return withRetries(ctx, what, fn, {
    deadline: opts.deadline,
    backoff: REPLICATION_BACKOFF,
    decide: (err) => (isGap(err) ? { label: 'Waiting for Entra to replicate' } : undefined),
  });
}
