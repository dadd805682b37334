import type { AppCredentials, GraphApplication } from '../adapters/graph.js';
import type { CertificateRecord, Profile } from '../profile/store.js';
import { thumbprintOfKey } from '../certificate/keys.js';

/**
 * Whether an app registration is provably exo-cba's own, so that exo-cba may add a key to it and grant it
 * Exchange rights. Graph finds apps by display name without regard to case, and any user may register an
 * app with a predictable name and keys of their own: a name is never proof.
 */

/** Set on every app exo-cba creates, beside the uniqueName it chooses. */
export const EXO_CBA_TAG = 'exo-cba';

/** Set beside it: the workload the app was made for (one app per workload). */
export const workloadTag = (workload: string): string => `exo-cba-workload:${workload}`;

/**
 * The workload an exo-cba app was made for: its tag, or Exchange for an app made before workloads had tags;
 * undefined for an app exo-cba did not mark.
 */
export function workloadOfApp(app: Pick<GraphApplication, 'tags' | 'uniqueName'>): string | undefined {
  const tag = (app.tags ?? []).find((t) => t.startsWith('exo-cba-workload:'));
  if (tag) return tag.slice('exo-cba-workload:'.length);
  return isMarked(app) ? 'exchange' : undefined;
}

export type ForeignCredential =
  | { kind: 'certificate'; id: string; thumbprint?: string; endDateTime: string }
  | { kind: 'secret'; id: string; hint?: string; endDateTime?: string }
  | { kind: 'federated'; id: string; issuer: string; subject: string };

export interface Verdict {
  ours: boolean;
  /** Profiles here that record this app (shared when more than one, or another than the one being set up). */
  profiles: string[];
  /** Credentials exo-cba did not make: anyone holding them signs in as the app. */
  foreign: ForeignCredential[];
  why: string;
}

const isMarked = (app: Pick<GraphApplication, 'tags' | 'uniqueName'>) =>
  (app.tags ?? []).includes(EXO_CBA_TAG) || (app.uniqueName ?? '').startsWith('exo-cba-');

export function recordsOf(p: Profile): CertificateRecord[] {
  return [p.certificate, p.pendingCertificate, ...(p.previousCertificates ?? [])].filter(
    (r): r is CertificateRecord => r !== undefined,
  );
}

/** Certificates this machine's profiles know, by thumbprint. */
function knownThumbprints(profiles: Profile[], extra: string[] = []): Set<string> {
  return new Set([
    ...profiles.flatMap((p) => recordsOf(p).map((r) => r.thumbprint.toUpperCase())),
    ...extra.map((t) => t.toUpperCase()),
  ]);
}

export function profilesUsing(
  app: Pick<GraphApplication, 'id' | 'appId'>,
  profiles: Profile[],
  tenantId: string,
): string[] {
  return profiles
    .filter((p) => p.tenantId === tenantId && (p.app.objectId === app.id || p.app.appId === app.appId))
    .map((p) => p.name);
}

function foreignCredentials(creds: AppCredentials, known: Set<string>): ForeignCredential[] {
  return [
    ...creds.keys
      .filter((k) => !known.has(thumbprintOfKey(k) ?? ''))
      .map((k): ForeignCredential => ({
        kind: 'certificate',
        id: k.keyId,
        ...(thumbprintOfKey(k) ? { thumbprint: thumbprintOfKey(k)! } : {}),
        endDateTime: k.endDateTime,
      })),
    ...creds.passwords.map((p): ForeignCredential => ({
      kind: 'secret',
      id: p.keyId,
      ...(p.hint ? { hint: p.hint } : {}),
      ...(p.endDateTime ? { endDateTime: p.endDateTime } : {}),
    })),
    ...creds.federated.map((f): ForeignCredential => ({
      kind: 'federated',
      id: f.id,
      issuer: f.issuer,
      subject: f.subject,
    })),
  ];
}

/** Recorded in a profile here, or marked by exo-cba with every credential on it known here. */
export function judge(
  app: GraphApplication,
  creds: AppCredentials,
  profiles: Profile[],
  tenantId: string,
  extraKnown: string[] = [],
): Verdict {
  const using = profilesUsing(app, profiles, tenantId);
  const foreign = foreignCredentials(creds, knownThumbprints(profiles, extraKnown));
  if (using.length)
    return { ours: true, profiles: using, foreign, why: `recorded in profile ${using.join(', ')}` };
  if (!isMarked(app))
    return {
      ours: false,
      profiles: [],
      foreign,
      why: 'exo-cba did not create it (no exo-cba marker) and no profile here records it',
    };
  if (foreign.length)
    return {
      ours: false,
      profiles: [],
      foreign,
      why: `it carries exo-cba's marker, but ${foreign.length} credential(s) on it are not known here`,
    };
  return {
    ours: true,
    profiles: [],
    foreign,
    why: "it carries exo-cba's marker and every credential on it is known here",
  };
}

export function describeForeign(f: ForeignCredential): string {
  switch (f.kind) {
    case 'certificate':
      return (
        `certificate ${f.thumbprint ?? '(thumbprint unknown)'} (keyId ${f.id}, expires ` +
        `${f.endDateTime.slice(0, 10)})`
      );
    case 'secret':
      return (
        `client secret ${f.hint ? `${f.hint}…` : ''} (keyId ` +
        `${f.id}${f.endDateTime ? `, expires ${f.endDateTime.slice(0, 10)}` : ''})`
      );
    case 'federated':
      return `federated credential ${f.subject} from ${f.issuer} (id ${f.id})`;
  }
}
