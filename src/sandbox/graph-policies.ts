import type { SbResponse } from './http-util.js';
import { fieldError } from './field-errors.js';

/**
 * The tenant's default app management policy (Graph: tenantAppManagementPolicy, keyCredentialConfiguration),
 * and the refusal of a key that breaks its lifetime cap (400 CredentialInvalidLifetimeAsPerAppPolicy, recorded
 * for passwords in azure-cli#28522 and microsoft-365-agents-toolkit#10998; microsoft-facts §8).
 */
const DEFAULT_POLICY_ID = '00000000-0000-0000-0000-000000000000';

export interface KeyRule {
  restrictionType: 'asymmetricKeyLifetime' | 'trustedCertificateAuthority';
  maxLifetime?: string;
  state?: 'enabled' | 'disabled';
  restrictForAppsCreatedAfterDateTime?: string;
}

/** GET /policies/defaultAppManagementPolicy, in the documented shape. */
export function defaultPolicyView(rules: KeyRule[], origin: string) {
  return {
    '@odata.context': `${origin}/v1.0/$metadata#policies/defaultAppManagementPolicy/$entity`,
    id: DEFAULT_POLICY_ID,
    displayName: 'Default app management tenant policy',
    description:
      'Default tenant policy that enforces app management restrictions on applications and service principals.',
    isEnabled: rules.length > 0,
    applicationRestrictions: {
      passwordCredentials: [],
      keyCredentials: rules.map((r) => ({
        restrictionType: r.restrictionType,
        maxLifetime: r.maxLifetime ?? null,
        state: r.state ?? 'enabled',
        restrictForAppsCreatedAfterDateTime: r.restrictForAppsCreatedAfterDateTime ?? '2019-01-01T00:00:00Z',
      })),
    },
    servicePrincipalRestrictions: { passwordCredentials: [], keyCredentials: [] },
  };
}

const days = (iso: string) => {
  const m = /^P(?:(\d+)D)?$/.exec(iso);
  return m ? Number(m[1] ?? 0) : undefined;
};

/** The refusal for keys longer-lived than the cap, or undefined when every key fits. */
export function lifetimeRefusal(
  rules: KeyRule[],
  keys: { startDateTime: string; endDateTime: string }[],
): SbResponse | undefined {
  const caps = rules
    .filter((r) => r.restrictionType === 'asymmetricKeyLifetime' && r.state !== 'disabled' && r.maxLifetime)
    .map((r) => days(r.maxLifetime ?? ''))
    .filter((d): d is number => d !== undefined);
  if (!caps.length) return undefined;
  const capMs = Math.min(...caps) * 86_400_000;
  const tooLong = keys.some((k) => Date.parse(k.endDateTime) - Date.parse(k.startDateTime) > capMs);
  return tooLong
    ? fieldError('graph.credential-lifetime-policy.400').answer({ id: DEFAULT_POLICY_ID })
    : undefined;
}
