import type { Context } from '../context.js';
import type { Outcome } from '../core/steps.js';
import type { Directory } from '../adapters/graph.js';
import type { AdminNeed } from '../tenant/admin-rights.js';
import type { ExchangeAdmin } from '../workloads/exchange/admin-session.js';
import type { Rights } from './types.js';

/**
 * One way for the app to hold Exchange rights. init, check, status and the printed PowerShell go through
 * this interface only, so a new way (Exchange role groups, management roles) is a new module plus a line in
 * STRATEGIES, and no command changes.
 */
export interface RightsStrategy<R extends Rights = Rights> {
  kind: R['kind'];
  /** For summaries, status and messages: "Exchange Administrator (Entra directory role)". */
  describe(r: R): string;
  /** What the signed-in admin must hold to grant them (checked before the first write). */
  readonly adminNeeds: readonly AdminNeed[];
  /** Delegated Graph scopes the admin's sign-in needs to grant these rights. */
  readonly graphScopes: readonly string[];
  /** Whether the app's service principal holds them already (read-only). */
  isHeld(on: RightsTarget, r: R): Promise<boolean>;
  /** Grants them (idempotent: held rights are reused), and reads them back. */
  grant(ctx: Pick<Context, 'clock' | 'out'>, on: RightsTarget, r: R, deadline: number): Promise<Outcome>;
  /** Takes them away again (remove, or a switch to another way), and reads back. */
  revoke(ctx: Pick<Context, 'clock' | 'out'>, on: RightsTarget, r: R): Promise<void>;
  /** The plan line for --dry-run and the summary. */
  plan(r: R, held: boolean): string;
  /** They serve Security & Compliance PowerShell (Connect-IPPSSession) too. */
  servesCompliance(r: R): boolean;
  /** A read-only cmdlet these rights allow: what verification and check run. */
  verifyCmdlet(r: R): string;
  /** What it means, and what to do, when Exchange refuses the app for the verify cmdlet. */
  whenRefused(r: R): { what: string; fix: string };
}

/** Where rights are granted: the app's service principal, through Graph, and (for Exchange RBAC) ' +
  'an admin's Exchange session. */
export interface RightsTarget {
  dir: Directory;
  sp: { id: string; appId: string; displayName: string };
  exchangeAdmin(): Promise<ExchangeAdmin>;
}
