import type { Context, Progress } from '../context.js';
import type { Cloud, CloudName } from '../core/clouds.js';
import type { HttpTransport } from '../adapters/http.js';
import type { AppCredential, AppToken, Identity } from '../adapters/identity.js';
import type { Rights } from '../rights/types.js';
import type { RightsStrategy, WorkloadAdmin } from '../rights/strategy.js';
import type { RoleChoice } from '../rights/roles.js';
import type { Diagnosis } from '../tenant/diagnose.js';

/**
 * A workload: one Microsoft 365 service that app-only PowerShell jobs connect to (Exchange Online,
 * Security & Compliance, …), with everything exo-cba knows about it. Commands, steps, checks and the renderer
 * take the workload of the run (a profile's `workload`, or --workload) from the registry in index.ts and go
 * through this interface only; a workload's folder is never imported from outside workloads/ (lint says so).
 * Adding a workload is adding a folder that exports one of these, and a line in the registry.
 */
export interface Workload {
  /** What --workload and profiles say: 'exchange'. */
  name: string;
  /** For messages: 'Exchange Online'. */
  service: string;
  /** One line in the wizard: what the workload's jobs do. */
  purpose: string;
  /** The app's display name when --app-name is not given. */
  defaultAppName: string;
  /** The profile name when --profile is not given. */
  profileName(initialDomain: string): string;
  /** The application permissions its app needs (declared, consented, and checked in the token's roles). */
  permissions(cloud: CloudName): readonly AppPermission[];
  /** The directory roles it accepts for app-only access, least privilege first, and those it does not. */
  roles: RoleChoice;
  /** The ways of holding its rights it accepts (the first is the default: a directory role). */
  strategies: readonly RightsStrategy[];
  /** Where its API is and what its tokens are for, in this cloud, with its EXO_CBA_*_ENDPOINT override. */
  endpoint(cloud: CloudName, env: Env): WorkloadEndpoint;
  /** The EXO_CBA_* variables that override its endpoints. */
  readonly endpointEnv: readonly string[];
  /** The read-only call verification and check make with these rights (for plans and messages). */
  verifyCall(rights: Rights | undefined): string;
  /** The proof of a connection: a token from the certificate, its claims, and the read-only call. */
  verify(ctx: Pick<Context, 'clock' | 'out'>, deps: WorkloadDeps, input: VerifyInput): Promise<VerifyOutcome>;
  /** Its own checks, run after the token and consent checks, in this order. */
  checks: readonly WorkloadCheck[];
  /** The PowerShell exo-cba prints for its jobs: the one owner of this text for the workload. */
  connect: ConnectText;
  /** An admin's session with the workload's own admin API, where a rights strategy needs one (Exchange RBAC). */
  adminSession?(deps: WorkloadDeps, session: AdminSessionInput): WorkloadAdmin;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** An application permission: the resource's appId and the app role's value, resolved to its id at run time. */
export interface AppPermission {
  resourceAppId: string;
  /** For messages: 'Office 365 Exchange Online'. */
  resourceName: string;
  value: string;
}

export interface WorkloadEndpoint {
  /** What its tokens are for (never follows an override): the resource of the `.default` scope. */
  resource: string;
  /** Where its API requests go. */
  url: string;
}

export interface WorkloadDeps {
  identity: Identity;
  http: HttpTransport;
  cloud: Cloud;
  /** The endpoint overrides of the run (the environment, or the sandbox's). */
  env: Env;
}

export interface VerifyInput {
  cred: AppCredential;
  tenantId: string;
  organization: string;
  rights?: Rights;
  waitMs: number;
  progress?: Progress;
}

export type VerifyStage = 'token' | 'consent' | 'service';

export type VerifyOutcome =
  | { verified: true; seconds: number; roles: string[] }
  | { verified: false; stage: VerifyStage; diagnosis: Diagnosis; seconds: number };

/** What a workload check returns: its report line. */
export interface CheckOutcome {
  status: 'pass' | 'warn' | 'fail' | 'skip';
  message: string;
  fix?: string;
}

/** A check of the workload's own; resolves undefined where it does not apply (it is then left out of the report). */
export interface WorkloadCheck {
  id: string;
  run(
    ctx: Pick<Context, 'clock' | 'out'>,
    input: {
      token: AppToken;
      tenantId: string;
      organization: string;
      rights?: Rights;
      profileName?: string;
      deps: WorkloadDeps;
    },
  ): Promise<CheckOutcome | undefined>;
}

/** What the printed PowerShell needs to know. */
export interface ConnectFacts {
  appId: string;
  thumbprint: string;
  organization: string;
  pfx?: string;
  cloud: CloudName;
  rights?: Rights;
  servicePrincipalId?: string;
  appName?: string;
}

export interface ConnectText {
  /** Every way to connect: by thumbprint on Windows, with the PFX file anywhere. */
  lines(f: ConnectFacts): string;
  /** Windows: import the PFX and connect by thumbprint (what a rotation tells thumbprint jobs to do). */
  thumbprintLines(f: ConnectFacts): string[];
  /** After init: a narrower way to hold the rights, where the workload has one. */
  narrower?(f: ConnectFacts & { role: string }): string[];
}

interface AdminSessionInput {
  tenantId: string;
  organization: string;
  /** The admin's delegated token for a resource. */
  token(resource: string): Promise<{ accessToken: string; scopes: string[] }>;
}
