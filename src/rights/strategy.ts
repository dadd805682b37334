import type { Context, Prompt } from '../context.js';
import type { Outcome } from '../core/steps.js';
import type { Directory } from '../adapters/graph.js';
import type { AdminNeed } from '../tenant/admin-rights.js';
import type { Rights } from './types.js';

/**
 * One way for an app to hold a workload's rights. init, check, status, remove and the printed PowerShell go
 * through this interface only; a workload lists the strategies it accepts (Workload.strategies), so a new way
 * (a directory role is generic, Exchange RBAC is Exchange's) is a module plus a line in that list.
 */
export interface RightsStrategy<R extends Rights = Rights> {
  kind: R['kind'];
  /** For summaries, status and messages: "Exchange Administrator (Entra directory role)". */
  describe(r: R): string;
  /** What the signed-in admin must hold to grant them (checked before the first write). */
  readonly adminNeeds: readonly AdminNeed[];
  /** Delegated Graph scopes the admin's sign-in needs to grant these rights. */
  readonly graphScopes: readonly string[];
  /**
   * The rights live outside the app registration (in the workload's own RBAC): deleting the app does not
   * take them away, so remove revokes them first.
   */
  readonly heldOutsideApp: boolean;
  /** Whether the app's service principal holds them already (read-only). */
  isHeld(on: RightsTarget, r: R): Promise<boolean>;
  /** Grants them (idempotent: held rights are reused), and reads them back. */
  grant(ctx: Pick<Context, 'clock' | 'out'>, on: RightsTarget, r: R, deadline: number): Promise<Outcome>;
  /** Takes them away again (remove, or a switch to another way), and reads back. */
  revoke(ctx: Pick<Context, 'clock' | 'out'>, on: RightsTarget, r: R): Promise<void>;
  /** The plan line for --dry-run and the summary. */
  plan(r: R, held: boolean): string;
  /** How the wizard offers this way, beside a directory role (absent: not offered by the wizard). */
  readonly choice?: { name: string; description: string };
  /** The wizard's questions for this way. */
  ask?(prompt: Prompt): Promise<R>;
}

/** An admin's session with a workload's own admin API (cmdlets run as the admin). */
export interface WorkloadAdmin {
  /**
   * Runs a cmdlet; resolves with its rows, or with the failure the service gave (a cmdlet error is an answer,
   * not a crash).
   */
  run(
    cmdlet: string,
    parameters?: Record<string, unknown>,
  ): Promise<{ ok: true; rows: Record<string, unknown>[] } | { ok: false; message: string }>;
}

/**
 * Where rights are granted: the app's service principal, through Graph, and (for a workload's own RBAC) an
 * admin's session.
 */
export interface RightsTarget {
  dir: Directory;
  sp: { id: string; appId: string; displayName: string };
  admin(): Promise<WorkloadAdmin>;
}
