/**
 * The tenant's credential policy for certificates on apps (Graph: tenantAppManagementPolicy, GET
 * /policies/defaultAppManagementPolicy; keyCredentialConfiguration). A tenant can cap a key's lifetime
 * (`asymmetricKeyLifetime` with `maxLifetime`, an ISO-8601 duration) or require certificates from a trusted CA
 * (`trustedCertificateAuthority`). Graph refuses a violating key with 400 CredentialInvalidLifetimeAsPerAppPolicy
 * (microsoft-facts §8; workloads-and-secretless §3.6). Read before the certificate is made.
 */
import type { TenantAppManagementPolicy } from '../adapters/graph.js';

export interface KeyPolicy {
  /** Where the rule comes from, for messages: "the tenant's default app management policy (id …)". */
  source: string;
  /** The longest lifetime allowed, in whole days. */
  maxDays?: number;
  /** A trusted-CA rule: a self-signed certificate will be refused. */
  trustedCaRequired: boolean;
}

/** P90D, P1Y, P2W, P1DT12H, PT2160H → whole days (rounded down); undefined when not a duration. */
function durationDays(iso: string): number | undefined {
  const m =
    /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
      iso.trim(),
    );
  if (!m || iso.trim() === 'P' || iso.trim().endsWith('T')) return undefined;
  const n = (i: number) => Number(m[i] ?? 0);
  const days = n(1) * 365 + n(2) * 30 + n(3) * 7 + n(4) + (n(5) + n(6) / 60 + n(7) / 3600) / 24;
  return Math.floor(days);
}

/** The rules of an enabled policy that apply to an app created now (`restrictForAppsCreatedAfterDateTime`). */
export function keyPolicyOf(p: TenantAppManagementPolicy, now: Date): KeyPolicy | undefined {
  if (p.isEnabled === false) return undefined;
  const rules = (p.applicationRestrictions?.keyCredentials ?? []).filter(
    (r) =>
      r.state !== 'disabled' &&
      (!r.restrictForAppsCreatedAfterDateTime ||
        Date.parse(r.restrictForAppsCreatedAfterDateTime) <= now.getTime()),
  );
  const caps = rules
    .filter((r) => r.restrictionType === 'asymmetricKeyLifetime' && r.maxLifetime)
    .map((r) => durationDays(r.maxLifetime ?? ''))
    .filter((d): d is number => d !== undefined);
  const trustedCaRequired = rules.some((r) => r.restrictionType === 'trustedCertificateAuthority');
  if (!caps.length && !trustedCaRequired) return undefined;
  return {
    source: `the tenant's default app management policy${p.id ? ` (${p.id})` : ''}`,
    ...(caps.length ? { maxDays: Math.min(...caps) } : {}),
    trustedCaRequired,
  };
}

/** The certificate starts 5 minutes back (clock skew): its lifetime is the validity plus those minutes. */
const longestFittingDays = (maxDays: number) => Math.max(1, maxDays - 1);

/**
 * What the policy means for a certificate exo-cba is about to make: the validity to use (fitted under a cap,
 * with a note), or a refusal before any change (a trusted-CA rule; --validity-days above the cap).
 */
export function fitToPolicy(
  policy: KeyPolicy | undefined,
  want: { days: number; explicit: boolean },
):
  | { ok: true; days: number; note?: string }
  | { ok: false; rule: 'trusted-ca' | 'lifetime'; what: string; why: string; fix: string } {
  if (!policy) return { ok: true, days: want.days };
  if (policy.trustedCaRequired)
    return {
      ok: false,
      rule: 'trusted-ca',
      what: `The tenant accepts app certificates only from a trusted certificate authority (${policy.source}).`,
      why:
        'A self-signed certificate, which exo-cba makes, would be refused when it is added to ' +
        'the app. Nothing was changed.',
      fix:
        'Have your CA issue a certificate (RSA 2048 or more, with its private key), then run init with it: ' +
        '--cert-file cert.pfx (and --pfx-password-env NAME) or --cert-file cert.pem --key-file key.pem.',
    };
  if (policy.maxDays === undefined) return { ok: true, days: want.days };
  const fit = longestFittingDays(policy.maxDays);
  if (want.days <= fit) return { ok: true, days: want.days };
  if (want.explicit)
    return {
      ok: false,
      rule: 'lifetime',
      what:
        `--validity-days ${want.days} is longer than the tenant allows: at most ` +
        `${policy.maxDays} days (${policy.source}).`,
      why:
        `Graph refuses a key that outlives the cap (CredentialInvalidLifetimeAsPerAppPolicy); ` +
        `the certificate starts 5 minutes back for clock skew, so ${fit} days is the longest that fits.`,
      fix: `Pass --validity-days ${fit} or less (or leave it out: exo-cba then fits the certificate to the cap).`,
    };
  return {
    ok: true,
    days: fit,
    note:
      `The tenant caps certificate lifetimes at ${policy.maxDays} days (${policy.source}): the ` +
      `certificate is made valid ${fit} days.`,
  };
}
