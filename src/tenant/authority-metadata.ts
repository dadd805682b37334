import type { Context } from '../context.js';
import { AUTHORITY_METADATA_MAX_AGE_MS, type AuthorityMetadata } from '../core/authority-metadata.js';
import { AuthError, type AppCredential, type AppToken, type Identity } from '../adapters/identity.js';
import { openIdDocumentOf } from '../adapters/authority-metadata.js';

/**
 * An app-only token with the tenant's authority metadata kept from an earlier run (the profile's copy), so
 * that the sign-in is one request: the token. The copy is fetched again when it is older than a day, or
 * describes another authority, or when the sign-in fails in a way stale metadata could explain; a copy that
 * cannot be refreshed is used as it is rather than failing the sign-in over the metadata alone.
 */

/** Failures that a moved token endpoint would give; the service's own refusals (AADSTS) never say so. */
const STALE_COULD_EXPLAIN = new Set<AuthError['reason']>([
  'unreachable',
  'tls',
  'timeout',
  'invalid-response',
  'tenant-not-found',
  'other',
]);

export interface KeptSignIn {
  token: AppToken;
  /** The metadata used for the token, to keep (undefined when MSAL ships it for this host). */
  metadata?: AuthorityMetadata;
}

export async function appTokenWithKeptMetadata(
  ctx: Pick<Context, 'clock' | 'out'>,
  a: { identity: Identity; cred: AppCredential; resource: string; kept?: AuthorityMetadata },
): Promise<KeptSignIn> {
  const { identity, cred, resource } = a;
  // A copy edited by hand, or of another authority (another tenant, cloud or sandbox), is not used.
  const usable = a.kept?.authority === identity.authorityOf(cred.tenant) && openIdDocumentOf(a.kept.document);
  const kept = usable ? a.kept : undefined;
  const age = kept ? ctx.clock.now().getTime() - Date.parse(kept.fetchedAt) : Infinity;
  const keptFresh = age >= 0 && age < AUTHORITY_METADATA_MAX_AGE_MS ? kept : undefined;
  const metadata = keptFresh ?? (await refreshed(ctx, identity, cred.tenant, kept));
  try {
    return { token: await identity.appToken(cred, resource, metadata ? { metadata } : {}), metadata };
  } catch (err) {
    // Only a kept copy can be stale: this run's copy was fetched moments ago (once for every app of the tenant).
    if (!(err instanceof AuthError) || !keptFresh || !STALE_COULD_EXPLAIN.has(err.reason)) throw err;
    const fresh = await identity.authorityMetadata(cred.tenant).catch(() => undefined);
    if (!fresh || JSON.stringify(fresh.document) === JSON.stringify(keptFresh.document)) throw err;
    ctx.out.verbose(
      `the authority metadata of ${fresh.authority} changed; signing in again with the new one`,
    );
    return { token: await identity.appToken(cred, resource, { metadata: fresh }), metadata: fresh };
  }
}

/** This run's copy; when it cannot be fetched, the older kept one (still the likeliest to be right). */
async function refreshed(
  ctx: Pick<Context, 'out' | 'clock'>,
  identity: Identity,
  tenant: string,
  kept: AuthorityMetadata | undefined,
): Promise<AuthorityMetadata | undefined> {
  try {
    // With a copy to fall back on, one try: a refresh that fails costs nothing but that request.
    return await identity.authorityMetadata(tenant, kept ? { deadline: ctx.clock.now().getTime() } : {});
  } catch (err) {
    if (!kept || !(err instanceof AuthError)) throw err;
    ctx.out.verbose(
      `the authority metadata could not be refreshed (${err.description}); using the copy of ${kept.fetchedAt}`,
    );
    return kept;
  }
}
