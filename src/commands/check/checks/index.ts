import type { Check } from './types.js';
import { certificate } from './certificate.js';
import { validity } from './validity.js';
import { signIn } from './sign-in.js';
import { consent } from './consent.js';
import { exchange } from './exchange.js';
import { overlap } from './overlap.js';
import { scoping } from './scoping.js';
import { keys } from './keys.js';

/** Every check, in the order they run and report; each may use what the ones before it found. */
export const CHECKS: Check[] = [certificate, validity, signIn, consent, exchange, scoping, overlap, keys];
