/**
 * The one catalogue of exo-cba's error codes: stable names a script can branch on, printed with every
 * failure (text: the `code:` line; --json: `{"error":{"code",…}}`). README "Error codes" lists exactly these
 * (a test compares the two). A code, once published, keeps its meaning; new situations get new codes.
 */
export const ERROR_CODES = {
  'EXO-USAGE': { exit: 2, meaning: 'bad usage or input (no more specific code applies)' },
  'EXO-FAILED': { exit: 1, meaning: 'an operation failed (no more specific code applies)' },
  'EXO-CANCELLED': { exit: 130, meaning: 'cancelled (Ctrl-C)' },
  'EXO-BUG': { exit: 1, meaning: 'exo-cba failed unexpectedly: a bug to report' },
  'EXO-SIGNIN-DECLINED': { exit: 1, meaning: 'the admin declined the sign-in' },
  'EXO-SIGNIN-EXPIRED': { exit: 1, meaning: 'the sign-in code expired before the sign-in finished' },
  'EXO-SIGNIN-CLIENT': { exit: 1, meaning: 'the tenant does not know, or blocks, the public client' },
  'EXO-SIGNIN-CONSENT': { exit: 1, meaning: 'the public client has no consent for the permissions asked' },
  'EXO-SIGNIN-CONDITIONAL-ACCESS': { exit: 1, meaning: 'a Conditional Access policy blocked the sign-in' },
  'EXO-TENANT-NOT-FOUND': { exit: 1, meaning: 'the tenant was not found at its sign-in endpoint' },
  'EXO-SIGNIN-ACCOUNT': { exit: 1, meaning: 'the account cannot sign in to this tenant' },
  'EXO-SIGNIN-THROTTLED': {
    exit: 1,
    meaning: 'the token service was busy and the sign-in did not go through',
  },
  'EXO-SIGNIN-FAILED': { exit: 1, meaning: 'the admin sign-in failed for another reason' },
  'EXO-NETWORK': {
    exit: 1,
    meaning: 'a service could not be reached, timed out, or its TLS was not trusted',
  },
  'EXO-GRAPH-DENIED': {
    exit: 1,
    meaning: 'Microsoft Graph refused a step: the admin lacks the rights (403)',
  },
  'EXO-GRAPH-REPLICATION': { exit: 1, meaning: 'a new object did not replicate within --wait' },
  'EXO-GRAPH-UNAUTHENTICATED': { exit: 1, meaning: 'Microsoft Graph did not accept the admin token (401)' },
  'EXO-GRAPH-BUSY': { exit: 1, meaning: 'Microsoft Graph was throttling or failing (429, 5xx)' },
  'EXO-GRAPH-FAILED': { exit: 1, meaning: 'Microsoft Graph refused a request for another reason' },
  'EXO-ADMIN-RIGHTS': {
    exit: 1,
    meaning: 'the signed-in admin may not do a step; stopped before any change',
  },
  'EXO-SP-MISSING': {
    exit: 1,
    meaning: "the app's service principal is missing (the app-only token has no oid)",
  },
  'EXO-ROLE-NOT-SERVING': {
    exit: 2,
    meaning: 'the --role given is not one the chosen workload accepts for app-only access',
  },
  'EXO-POLICY-LIFETIME': {
    exit: 2,
    meaning: "the certificate's lifetime is longer than a tenant credential policy allows",
  },
  'EXO-POLICY-TRUSTED-CA': {
    exit: 1,
    meaning:
      'a tenant credential policy requires certificates from a trusted CA; a self-signed one is refused',
  },
  'EXO-PROFILE-LOCKED': {
    exit: 1,
    meaning: 'another exo-cba run holds the profile (rotate or init), past --wait; nothing was changed',
  },
  'EXO-FEDERATION-LIMIT': {
    exit: 1,
    meaning: 'the app already has the 20 federated credentials Entra allows',
  },
  'EXO-FEDERATION-DUPLICATE': {
    exit: 1,
    meaning: 'a federated credential of that name, or for that issuer and subject, is already on the app',
  },
  'EXO-FEDERATED-NO-MATCH': {
    exit: 1,
    meaning: "no federated credential on the app matches the CI token's issuer, subject or audience",
  },
  'EXO-CI-TOKEN': {
    exit: 2,
    meaning: "the CI system's OIDC token could not be had (no id-token permission, no token file)",
  },
} as const satisfies Record<string, { exit: 1 | 2 | 130; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The code of a failure that names none: one per exit class (a stopgap until the site names its own). */
export function defaultCode(exit: 1 | 2 | 130): ErrorCode {
  return exit === 2 ? 'EXO-USAGE' : exit === 130 ? 'EXO-CANCELLED' : 'EXO-FAILED';
}
