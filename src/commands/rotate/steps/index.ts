import type { Context } from '../../../context.js';
import type { StepList } from '../../../core/steps.js';
import type { RotateRun } from '../run.js';
import { retireDue } from './retire.js';
import { decide } from './decide.js';
import { certificate } from './certificate.js';
import { addKey } from './add-key.js';
import { verify } from './verify.js';
import { switchFiles } from './switch-files.js';
import { retireOld } from './retire-old.js';
import { exportPfx } from './export.js';
import { hook } from './hook.js';
import { untracked } from './untracked.js';

/**
 * What rotate does for one app, in order: finish overlaps that are over, decide whether a new certificate is
 * due, make it (beside the current files), add its key, prove it, switch the files and the profile, retire the
 * old key at once only with --overlap 0, export, run the hook, and name any key no profile tracks.
 * --dry-run prints the plan of these same steps.
 */
export const ROTATE_STEPS: StepList<RotateRun, Context> = [
  retireDue,
  decide,
  certificate,
  addKey,
  verify,
  switchFiles,
  retireOld,
  exportPfx,
  hook,
  untracked,
];
