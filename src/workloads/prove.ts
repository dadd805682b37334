import type { Context, Progress } from '../context.js';
import { backoff, PROPAGATION_BACKOFF } from '../core/retry.js';
import { AuthError } from '../adapters/identity.js';
import { diagnoseAuthError, type Diagnosis } from '../tenant/diagnose.js';
import type { VerifyInput, VerifyOutcome, VerifyStage, WorkloadDeps } from './workload.js';

/**
 * The proof every workload makes, in one loop: an app-only token from the certificate for the workload's
 * resource, the permission in its `roles` (and what else the workload reads from the claims), then the
 * workload's read-only call, polled with backoff and a countdown while Entra and the service replicate,
 * until `waitMs` is spent. A workload supplies only what is its own (workloads/<name>/verify.ts).
 */
export interface Proof {
  service: string;
  resource: string;
  /** The app role values the token's `roles` must carry (none: the resource grants nothing by app role). */
  permissions: readonly string[];
  /** A further claim the service needs (S&C: a role it accepts in `wids`); a diagnosis when it is missing. */
  claims?(claims: Record<string, unknown>): Diagnosis | undefined;
  /** What the call does, for the progress line: 'Running Get-AcceptedDomain in Exchange Online'. */
  calling: string;
  call(accessToken: string): Promise<{ ok: true; said: string } | CallRefused>;
  /** The countdown label while the service has not seen the rights yet. */
  waitingForService: string;
}

export interface CallRefused {
  ok: false;
  diagnosis: Diagnosis;
  retryAfterMs?: number;
}

const rolesOf = (claims: Record<string, unknown>) =>
  Array.isArray(claims['roles']) ? (claims['roles'] as string[]) : [];

export async function prove(
  ctx: Pick<Context, 'clock' | 'out'>,
  deps: Pick<WorkloadDeps, 'identity'>,
  input: VerifyInput,
  proof: Proof,
): Promise<VerifyOutcome> {
  const started = ctx.clock.now().getTime();
  const deadline = started + input.waitMs;
  const progress = input.progress ?? ctx.out.progress('Verifying the connection');
  let tries = 0;
  const secondsSince = () => Math.round((ctx.clock.now().getTime() - started) / 1000);
  const waitWithCountdown = async (ms: number, label: string) => {
    const until = Math.min(ctx.clock.now().getTime() + ms, deadline);
    for (;;) {
      const left = until - ctx.clock.now().getTime();
      if (left <= 0) return;
      progress.update(
        `${label} — retrying, ${Math.ceil((deadline - ctx.clock.now().getTime()) / 1000)} s left`,
      );
      await ctx.clock.sleep(Math.min(left, 1000));
    }
  };
  for (;;) {
    const last = await attempt({ deps, input, proof, progress });
    if ('verified' in last) {
      progress.succeed(`Verified: ${last.said} (${secondsSince()} s)`);
      return { verified: true, seconds: secondsSince(), roles: last.roles };
    }
    ctx.out.verbose(`verify: ${last.diagnosis.what}`);
    if (!last.diagnosis.replicating || ctx.clock.now().getTime() >= deadline) {
      progress.fail(`Not verified: ${last.diagnosis.what}`);
      return { verified: false, stage: last.stage, diagnosis: last.diagnosis, seconds: secondsSince() };
    }
    const label =
      last.stage === 'token'
        ? 'Waiting for Entra to replicate the app and key'
        : last.stage === 'consent'
          ? 'Waiting for the consent to reach the token service'
          : proof.waitingForService;
    await waitWithCountdown(last.retryAfterMs ?? backoff(tries, PROPAGATION_BACKOFF), label);
    tries += 1;
  }
}

type Attempt =
  | { verified: true; said: string; roles: string[] }
  | { stage: VerifyStage; diagnosis: Diagnosis; retryAfterMs?: number };

/** One try: the token, its claims, then the call; a refusal says at which stage, and why. */
async function attempt(a: {
  deps: Pick<WorkloadDeps, 'identity'>;
  input: VerifyInput;
  proof: Proof;
  progress: Progress;
}): Promise<Attempt> {
  const { deps, input, proof, progress } = a;
  try {
    progress.update(`Getting an app-only token for ${proof.service} with the certificate`);
    const token = await deps.identity.appToken(input.cred, proof.resource);
    const roles = rolesOf(token.claims);
    const missing = proof.permissions.filter((p) => !roles.includes(p)).join(', ');
    if (missing)
      return {
        stage: 'consent',
        diagnosis: {
          what:
            `The ${proof.service} token has no ${missing} role: admin consent is missing or has ` +
            `not replicated yet.`,
          fix: `Grant admin consent for ${missing} (exo-cba init does it).`,
          replicating: true,
        },
      };
    const claimsRefused = proof.claims?.(token.claims);
    if (claimsRefused) return { stage: 'service', diagnosis: claimsRefused };
    progress.update(proof.calling);
    const answer = await proof.call(token.accessToken);
    if (answer.ok) return { verified: true, said: answer.said, roles };
    return {
      stage: 'service',
      diagnosis: answer.diagnosis,
      ...(answer.retryAfterMs !== undefined ? { retryAfterMs: answer.retryAfterMs } : {}),
    };
  } catch (err) {
    if (!(err instanceof AuthError)) {
      progress.fail();
      throw err;
    }
    return {
      stage: 'token',
      diagnosis: diagnoseAuthError(err, {
        appId: input.cred.clientId,
        tenant: input.cred.tenant,
        service: proof.service,
      }),
    };
  }
}
