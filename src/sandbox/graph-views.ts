import type { Application, KeyCredential, ServicePrincipal } from './directory.js';

/** What Graph returns for directory objects (no sandbox bookkeeping), and the OData query options exo-cba uses. */

/** `prop eq 'value'` (and `and` of those): the filters exo-cba uses. */
export function parseFilter(
  filter: string | null,
): { prop: string; value: string; any?: true }[] | 'invalid' | undefined {
  if (!filter) return undefined;
  const parts = filter.split(/\s+and\s+/i);
  const out: { prop: string; value: string; any?: true }[] = [];
  for (const p of parts) {
    const m = /^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$/.exec(p);
    // A collection of strings: `tags/any(t:t eq 'x')`.
    const a = /^\s*(\w+)\/any\((\w+):\2\s+eq\s+'((?:[^']|'')*)'\)\s*$/.exec(p);
    if (m) out.push({ prop: m[1]!, value: m[2]!.replace(/''/g, "'") });
    else if (a) out.push({ prop: a[1]!, value: a[3]!.replace(/''/g, "'"), any: true });
    else return 'invalid';
  }
  return out;
}

/** Whether an object meets the parsed filter; Graph compares directory strings without regard to case. */
export function meets(obj: object, f: { prop: string; value: string; any?: true }[] | undefined): boolean {
  return (f ?? []).every((c) => {
    const v = (obj as Record<string, unknown>)[c.prop];
    const want = c.value.toLowerCase();
    if (c.any) return Array.isArray(v) && v.some((x) => String(x).toLowerCase() === want);
    return String(v).toLowerCase() === want;
  });
}

export function select<T extends object>(obj: T, selectParam: string | null): Partial<T> {
  if (!selectParam) return obj;
  const keys = new Set(['id', ...selectParam.split(',').map((s) => s.trim())]);
  return Object.fromEntries(Object.entries(obj).filter(([k]) => keys.has(k))) as Partial<T>;
}

export function keyView(k: KeyCredential, withKey: boolean) {
  return {
    customKeyIdentifier: k.customKeyIdentifier,
    displayName: k.displayName,
    endDateTime: k.endDateTime,
    key: withKey ? k.key : null,
    keyId: k.keyId,
    startDateTime: k.startDateTime,
    type: k.type,
    usage: k.usage,
  };
}

export function appView(a: Application, selectParam: string | null) {
  const withKey = (selectParam ?? '')
    .split(',')
    .map((s) => s.trim())
    .includes('keyCredentials');
  return {
    id: a.id,
    appId: a.appId,
    displayName: a.displayName,
    uniqueName: a.uniqueName ?? null,
    signInAudience: a.signInAudience,
    createdDateTime: a.createdDateTime,
    isFallbackPublicClient: a.isFallbackPublicClient,
    requiredResourceAccess: a.requiredResourceAccess,
    keyCredentials: a.keyCredentials.map((k) => keyView(k, withKey)),
    passwordCredentials: (a.passwordCredentials ?? []).map((p) => ({
      ...p,
      customKeyIdentifier: null,
      secretText: null,
    })),
    tags: a.tags ?? [],
  };
}

export function spView(s: ServicePrincipal) {
  return {
    id: s.id,
    appId: s.appId,
    displayName: s.displayName,
    accountEnabled: s.accountEnabled,
    appRoles: s.appRoles,
    servicePrincipalNames: s.servicePrincipalNames,
    servicePrincipalType: 'Application',
  };
}
