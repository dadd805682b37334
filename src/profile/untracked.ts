import type { KeyCredentialView } from '../adapters/graph.js';
import { thumbprintOfKey } from '../certificate/keys.js';
import type { Profile } from './schema.js';

/**
 * Keys registered on an app that no profile of that app knows (current, pending or previous certificate):
 * left by two rotations that ran at once, or added by hand. exo-cba never removes them itself, since some
 * job may use one; check and rotate name them.
 */
export function untrackedKeys(
  keys: KeyCredentialView[],
  appId: string,
  profiles: Profile[],
): KeyCredentialView[] {
  const known = new Set<string>();
  for (const p of profiles.filter((x) => x.app.appId === appId))
    for (const c of [p.certificate, p.pendingCertificate, ...(p.previousCertificates ?? [])])
      if (c) known.add(c.thumbprint.toUpperCase());
  return keys.filter((k) => {
    const t = thumbprintOfKey(k);
    return t === undefined || !known.has(t);
  });
}

/** One line for each: thumbprint (or key id), its end date, and what to do. */
export function describeUntracked(keys: KeyCredentialView[]): string {
  const list = keys
    .map((k) => `${thumbprintOfKey(k) ?? `key ${k.keyId}`} (ends ${k.endDateTime.slice(0, 10)})`)
    .join(', ');
  return `${keys.length} key(s) on the app that no profile tracks: ${list}`;
}

export const UNTRACKED_FIX =
  'A key no profile tracks was left by two runs at once or added by hand. If no job uses it, remove it ' +
  '(Entra admin center > App registrations > the app > Certificates & secrets); exo-cba does not remove ' +
  'keys it does not know.';
