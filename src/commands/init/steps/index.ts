import type { Context } from '../../../context.js';
import { parallel, type StepList } from '../../../core/steps.js';
import type { InitRun } from '../run.js';
import { certificate } from './certificate.js';
import { application } from './application.js';
import { foreignCredentials } from './foreign-credentials.js';
import { servicePrincipal } from './service-principal.js';
import { consent } from './consent.js';
import { rights } from './rights.js';
import { key } from './key.js';
import { verify } from './verify.js';
import { previousRights } from './previous-rights.js';

/**
 * What init does, in order. The certificate comes first (local, journaled); the app is created with its
 * key; then two independent chains run side by side (the service principal, then consent and rights; and
 * the key on a reused app); then the proof. --dry-run prints the plan of exactly these steps.
 */
export const INIT_STEPS: StepList<InitRun, Context> = [
  certificate,
  application,
  foreignCredentials,
  parallel<InitRun, Context>(
    [servicePrincipal, parallel<InitRun, Context>([consent], [rights, previousRights])],
    [key],
  ),
  verify,
];
