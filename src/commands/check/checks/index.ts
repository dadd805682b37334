import type { Workload } from '../../../workloads/index.js';
import type { Check } from './types.js';
import { certificate } from './certificate.js';
import { validity } from './validity.js';
import { federatedSignIn, noCertificate, signIn } from './sign-in.js';
import { consent } from './consent.js';
import { overlap } from './overlap.js';
import { keys } from './keys.js';
import { fromWorkload } from './workload.js';
import { pfxFile, pemFile, keyFile, passwordFile } from './files.js';

/**
 * Every check of one app, in the order they run and report; each may use what the ones before it found. The
 * workload's own checks (its service probe, and what else it knows) come after the token and consent checks.
 * A federated check (--federated) signs in with the CI system's token and runs the same token, consent and
 * workload checks.
 */
export function checksFor(workload: Workload, o: { federated: boolean }): Check[] {
  // Signed in with the CI token: no certificate, no files, no keys of its own to look at.
  if (o.federated) return [noCertificate, federatedSignIn, consent, ...workload.checks.map(fromWorkload)];
  return [
    certificate,
    ...[pfxFile, pemFile, keyFile, passwordFile],
    validity,
    signIn,
    consent,
    ...workload.checks.map(fromWorkload),
    overlap,
    keys,
  ];
}
