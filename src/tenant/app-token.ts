/**
 * What an app-only token says about the app's service principal. Entra can issue an app-only token while
 * the service principal is missing: it carries `appid` and `idtyp: app` but no `oid`, and Graph then answers
 * 401 Authorization_IdentityNotFound (pnp/cli-microsoft365#7589). That is "the service principal is
 * missing", not a refusal of consent or a bug.
 */
export function servicePrincipalMissing(claims: Record<string, unknown>): boolean {
  const appOnly = claims['idtyp'] === 'app' || typeof claims['appid'] === 'string';
  return appOnly && (typeof claims['oid'] !== 'string' || claims['oid'] === '');
}

export const SP_MISSING = {
  what: "the app's service principal is missing (deleted, or not created yet): Entra issued a token without an oid",
  fix: (profile?: string) =>
    `Re-run 'exo-cba init${profile ? ` --profile ${profile}` : ''}' (it creates the service ` +
    `principal and grants it again), ` +
    'or restore the deleted enterprise application in Entra ID > Enterprise applications > Deleted applications.',
};
