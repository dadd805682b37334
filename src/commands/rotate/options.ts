import type { KeySize } from '../../certificate/x509.js';
import type { AdminSignIn, TargetOptions } from '../shared/options.js';

export interface RotateOptions extends AdminSignIn {
  target: TargetOptions;
  ifExpiringWithin?: number;
  admin: boolean;
  keepOld: boolean;
  finish: boolean;
  exportPfxBase64?: string;
  validityDays: number;
  keySize: KeySize;
  pfxLegacy: boolean;
  waitMs: number;
  outDir?: string;
  objectId?: string;
  /** How long the old key stays registered after the switch (0: removed at once, for a suspected leak). */
  overlapMs: number;
  /** Change the PFX password on purpose (prompted, or from --new-password-env). */
  newPassword: boolean;
  newPasswordEnv?: string;
  /** A command to run after each verified rotation; remembered in the profile ('' forgets it). */
  onRotated?: string;
  dryRun: boolean;
  /** Rotations in flight at once with --all, shared fairly between tenants. */
  concurrency: number;
}

export const DEFAULT_OVERLAP_MS = 7 * 86_400_000;
