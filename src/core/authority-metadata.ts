/**
 * A tenant's authority metadata: the fields of its OpenID configuration that MSAL uses (its
 * `authorityMetadata` option). Kept with a profile, it spares every check the request that fetches it; it is
 * fetched again when it is older than a day, or when a sign-in fails in a way stale metadata could explain.
 */
export interface AuthorityMetadata {
  /** The authority it describes: `https://<authority host>/<tenant>`. */
  authority: string;
  /** When it was fetched (ISO 8601). */
  fetchedAt: string;
  document: OpenIdDocument;
}

/** What msal-common's isOpenIdConfigResponse requires, and the optional endpoints MSAL also reads. */
export interface OpenIdDocument {
  token_endpoint: string;
  authorization_endpoint: string;
  issuer: string;
  jwks_uri: string;
  end_session_endpoint?: string;
  device_authorization_endpoint?: string;
}

/** How long a kept copy is used before it is fetched again. */
export const AUTHORITY_METADATA_MAX_AGE_MS = 86_400_000;
