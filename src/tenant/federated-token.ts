import { decodeJwtClaims, type AppToken, type Identity } from '../adapters/identity.js';
import { AuthError } from '../adapters/token-errors.js';
import { readCiToken, type CiTokenDeps } from '../adapters/ci-token.js';
import { TOKEN_EXCHANGE_AUDIENCE, federateFlagsFor } from './federation.js';
import { CliError, EXIT, failure } from '../core/errors.js';
import type { Profile } from '../profile/store.js';

/**
 * An app-only token for a resource from the CI system's own OIDC token (workload identity federation): the
 * one call `token --federated` (and a federated check) makes. Failures are AuthError with a reason:
 * `ci-token-unavailable` (no token to offer), `federated-no-match` (no federated credential on the app
 * matches the token's issuer, subject or audience), `assertion-invalid`, `clock-skew` (expired), or any
 * refusal of an ordinary app sign-in; `presented` holds the claims the CI token carried, to set beside the
 * app's credentials.
 */

export interface PresentedToken {
  issuer: string;
  subject: string;
  audience: string;
  /** Where the CI token came from (never the token). */
  source: string;
}

export class FederatedSignInError extends AuthError {
  constructor(
    err: AuthError,
    readonly presented: PresentedToken,
  ) {
    super(err.reason, err.code, err.aadsts, err.description, err.extra);
  }
}

export interface FederatedTokenRequest {
  appId: string;
  tenant: string;
  resource: string;
  /** --federated-token-file, when given. */
  tokenFile?: string;
}

const text = (v: unknown) => (Array.isArray(v) ? v.join(',') : typeof v === 'string' ? v : '');

export async function federatedAppToken(
  deps: CiTokenDeps & { identity: Identity },
  req: FederatedTokenRequest,
): Promise<AppToken & { presented: PresentedToken }> {
  const ci = await readCiToken(deps, {
    audience: TOKEN_EXCHANGE_AUDIENCE,
    ...(req.tokenFile !== undefined ? { file: req.tokenFile } : {}),
  });
  const c = decodeJwtClaims(ci.token);
  const presented = {
    issuer: text(c['iss']),
    subject: text(c['sub']),
    audience: text(c['aud']),
    source: ci.source,
  };
  try {
    const token = await deps.identity.federatedAppToken(
      { clientId: req.appId, tenant: req.tenant, assertion: async () => ci.token },
      req.resource,
    );
    return { ...token, presented };
  } catch (err) {
    if (err instanceof AuthError) throw new FederatedSignInError(err, presented);
    throw err;
  }
}

const NO_MATCH: Record<number, string> = {
  70021: 'The app has no federated credential that matches the CI token',
  700211: 'No federated credential on the app trusts the issuer the CI token carries',
  700212: "No federated credential on the app accepts the CI token's audience",
  700213: "No federated credential on the app trusts the CI token's subject",
  7002131: "No federated credential on the app matches the CI token's subject",
  7002138:
    "The CI token's subject differs only in case from the one the app trusts (matching is case-sensitive)",
};

/** What a refusal reads of the profile: its name and the trusts it recorded. */
type TrustingProfile = Pick<Profile, 'name' | 'federatedCredentials'>;

/**
 * The app's side of a refusal: the trusts the profile recorded (federate and init read them back), set beside
 * the token's claims; without a profile (a pipeline), where to look.
 */
function trustedSide(p: PresentedToken, profile: TrustingProfile | undefined): string {
  const trusted = profile?.federatedCredentials;
  if (!profile || !trusted)
    return 'What the app trusts is not known here: an admin sees it with exo-cba federate --list.';
  if (!trusted.length) return `Profile '${profile.name}' records no federated credential on the app.`;
  const mark = (a: string, b: string) => (a === b ? '=' : a.toLowerCase() === b.toLowerCase() ? '~' : '≠');
  const lines = trusted.map(
    (c) =>
      `${c.name}: issuer ${c.issuer} (${mark(p.issuer, c.issuer)}), subject ${c.subject} ` +
      `(${mark(p.subject, c.subject)}), audience ${c.audience} (${mark(p.audience, c.audience)})`,
  );
  return (
    `The app trusts (as profile '${profile.name}' last read it; = same, ~ differs only in case, ≠ differs): ` +
    lines.join('; ') +
    '.'
  );
}

function noMatch(err: FederatedSignInError, o: { profile?: TrustingProfile }): CliError {
  const p = err.presented;
  const add = federateFlagsFor(p.issuer, p.subject);
  const profile = o.profile ? ` --profile ${o.profile.name}` : '';
  return failure(`${NO_MATCH[err.aadsts ?? 70021] ?? NO_MATCH[70021] ?? ''} (AADSTS${err.aadsts ?? ''}).`, {
    code: 'EXO-FEDERATED-NO-MATCH',
    serviceCode: `AADSTS${err.aadsts ?? ''}`,
    why:
      `The CI token (${p.source}) carried issuer ${p.issuer}, subject ${p.subject}, audience ${p.audience}. ` +
      `${trustedSide(p, o.profile)} ` +
      'Entra compares each exactly, case included; a credential added a minute ago may not be used yet.',
    fix:
      `Compare with what the app trusts (exo-cba federate${profile} --list)` +
      (add ? `, and trust this job: exo-cba federate${profile} ${add}.` : '.'),
  });
}

/** A failed federated sign-in in the admin's terms: what, why (the claims the token carried), what to do. */
export function explainFederatedError(
  err: unknown,
  o: { profile?: TrustingProfile; appId: string },
): unknown {
  if (!(err instanceof AuthError)) return err;
  const code = err.aadsts ? `AADSTS${err.aadsts}` : err.code;
  switch (err.reason) {
    case 'ci-token-unavailable':
      return new CliError(EXIT.usage, err.description, {
        code: 'EXO-CI-TOKEN',
        fix:
          err.code === 'github_no_id_token_permission'
            ? 'Add "permissions: id-token: write" to the workflow (or the job), next to "contents: read".'
            : 'On GitHub Actions give the job "permissions: id-token: write"; elsewhere write the CI ' +
              "system's OIDC token to a file and set AZURE_FEDERATED_TOKEN_FILE or pass --federated-token-file.",
      });
    case 'federated-no-match':
      return err instanceof FederatedSignInError
        ? noMatch(err, o)
        : failure(err.description, { serviceCode: code });
    case 'assertion-invalid':
      return failure(`Entra could not verify the CI token's signature (${code}).`, {
        code: 'EXO-FEDERATED-NO-MATCH',
        serviceCode: code,
        why: err.description,
        fix:
          "Pass the CI system's token unchanged; its issuer must publish its keys " +
          '(/.well-known/openid-configuration).',
      });
    case 'clock-skew':
      return failure(`The CI token has expired, or is not valid yet (${code}).`, {
        serviceCode: code,
        why: err.description,
        fix: "Fetch the token right before the sign-in (CI tokens live minutes), and check the runner's clock.",
      });
    case 'client-unknown':
      return failure(`The app ${o.appId} does not exist in this tenant (${code}).`, {
        serviceCode: code,
        fix: 'Check EXO_CBA_APP_ID / --app-id and EXO_CBA_TENANT / --tenant.',
      });
    default:
      return failure(`The token service refused the federated sign-in: ${err.description}`, {
        serviceCode: code,
        fix: err.aadsts
          ? `See https://login.microsoftonline.com/error?code=${err.aadsts}`
          : 'Run again with --verbose for the request details.',
      });
  }
}
