import type { Context, Progress } from '../../context.js';
import { backoff, PROPAGATION_BACKOFF } from '../../core/retry.js';
import type { Cloud } from '../../core/clouds.js';
import type { AppCredential, Identity } from '../../adapters/identity.js';
import { AuthError } from '../../adapters/identity.js';
import type { ExchangeProbe, ProbeResult } from './admin-api.js';
import { EXCHANGE_MANAGE_AS_APP, EXCHANGE_ROLES, VERIFY_CMDLET } from './facts.js';

/** What a token-service refusal means for an Exchange app, and what to do about it. */
export interface Diagnosis {
  what: string;
  fix: string;
  /** May clear by itself while a new app, key or grant replicates. */
  replicating: boolean;
}

const EXCHANGE_ROLE_NAMES = EXCHANGE_ROLES.map((r) => r.name).join(', ');

export function diagnoseAuthError(err: AuthError, ctx: { appId: string; tenant: string }): Diagnosis {
  const code = err.aadsts ? ` (AADSTS${err.aadsts})` : '';
  switch (err.reason) {
    case 'client-unknown':
      return {
        what: `The app ${ctx.appId} does not exist in tenant ${ctx.tenant}${code}.`,
        fix: 'Check --app-id and --tenant; if the app was deleted, run exo-cba init again.',
        replicating: true,
      };
    case 'key-expired':
      return {
        what: `The key registered on the app for this certificate has expired${code}.`,
        fix: 'Rotate with an admin: exo-cba rotate --admin.',
        replicating: false,
      };
    case 'key-not-yet-valid':
      return {
        what: `The key registered on the app for this certificate is not valid yet${code}.`,
        fix: "Wait until the certificate's start date, or check this machine's clock.",
        replicating: false,
      };
    case 'key-unknown':
      return {
        what: `This certificate is not registered on the app, or the signature does not match${code}.`,
        fix:
          'Upload the certificate (exo-cba rotate --admin, or the portal), or use the ' +
          'certificate that is registered.',
        replicating: true,
      };
    case 'no-service-principal':
      return {
        what: `The app has no service principal in this tenant${code}.`,
        fix: 'Run exo-cba init again: it creates the service principal and grants.',
        replicating: true,
      };
    case 'tenant-not-found':
      return {
        what: `Tenant ${ctx.tenant} was not found${code}.`,
        fix: 'Use the tenant id or the initial .onmicrosoft.com domain, and the right --cloud.',
        replicating: false,
      };
    case 'clock-skew':
      return {
        what: `The client assertion was outside its valid time range${code}.`,
        fix: "Check this machine's clock (it must be within a few minutes of real time).",
        replicating: false,
      };
    case 'resource-missing':
      return {
        what: `The Exchange Online resource is not in this tenant${code}.`,
        fix: 'Check that the tenant has Exchange Online and that --cloud is right.',
        replicating: false,
      };
    case 'client-blocked':
      return {
        what: `The app ${ctx.appId} is disabled in this tenant${code}.`,
        fix: 'Enable it in Entra ID > Enterprise applications > Properties ("Enabled for users to sign in").',
        replicating: false,
      };
    case 'conditional-access':
      return {
        what: `A Conditional Access policy for workload identities blocked the app${code}.`,
        fix: 'Exclude the app from the policy, or run the job from a location the policy allows.',
        replicating: false,
      };
    case 'throttled':
      return {
        what: `The token service is busy (HTTP ${err.extra.status ?? err.code}).`,
        fix: 'Try again in a few minutes.',
        replicating: true,
      };
    case 'unreachable':
    case 'timeout':
      return {
        what: `Could not reach ${err.extra.network?.origin ?? 'the token service'}: ${err.description}.`,
        fix: 'Check the network and DNS; behind a proxy set HTTPS_PROXY (and NO_PROXY).',
        replicating: false,
      };
    case 'tls':
      return {
        what:
          `The TLS connection to ${err.extra.network?.origin ?? 'the token service'} could not ` +
          `be trusted: ${err.description}.`,
        fix: "A TLS-inspecting proxy's root CA must be trusted: set NODE_EXTRA_CA_CERTS to a PEM file with it.",
        replicating: false,
      };
    default:
      return {
        what: `The token service refused: ${err.description}${code}.`,
        fix: err.aadsts
          ? `See https://login.microsoftonline.com/error?code=${err.aadsts}`
          : 'Run again with --verbose for the request details.',
        replicating: false,
      };
  }
}

export function diagnoseProbe(
  p: Exclude<ProbeResult, { ok: true }>,
  refused = {
    what: 'it holds no directory role Exchange accepts',
    fix: `Assign one of: ${EXCHANGE_ROLE_NAMES} (re-run exo-cba init, or Entra ID > Roles).`,
  },
  cmdlet = VERIFY_CMDLET,
): Diagnosis {
  switch (p.kind) {
    case 'no-app-role':
      return {
        what:
          `Exchange refused the token (HTTP ${p.status}): the app is missing the ` +
          `${EXCHANGE_MANAGE_AS_APP} permission or its consent.`,
        fix: 'Grant admin consent for Exchange.ManageAsApp (re-run exo-cba init).',
        replicating: true,
      };
    case 'no-directory-role':
      return {
        what: `Exchange refused the app (HTTP ${p.status}): ${refused.what}.`,
        fix: refused.fix,
        replicating: true,
      };
    case 'throttled':
    case 'unavailable':
      return {
        what: `Exchange is busy (HTTP ${p.status}).`,
        fix: 'Try again in a few minutes.',
        replicating: true,
      };
    case 'cmdlet':
      return {
        what: `Exchange ran ${cmdlet} and it failed: ${p.message}`,
        fix: 'Check the rights given to the app.',
        replicating: false,
      };
    default:
      return {
        what: p.message,
        fix: 'Run again with --verbose and report it if it persists.',
        replicating: false,
      };
  }
}

type VerifyStage = 'token' | 'consent' | 'exchange';

export type VerifyOutcome =
  | { verified: true; seconds: number; roles: string[] }
  | { verified: false; stage: VerifyStage; diagnosis: Diagnosis; seconds: number };

/**
 * Proves the connection end to end (token, Exchange.ManageAsApp in `roles`, a read-only cmdlet) and
 * polls with backoff while Entra and Exchange replicate, showing a countdown, until `waitMs` is spent.
 */
export async function verifyConnection(
  ctx: Pick<Context, 'clock' | 'out'>,
  deps: { identity: Identity; exchange: ExchangeProbe; cloud: Cloud },
  input: {
    cred: AppCredential;
    tenantId: string;
    organization: string;
    waitMs: number;
    progress?: Progress;
    cmdlet?: string;
    refused?: { what: string; fix: string };
  },
): Promise<VerifyOutcome> {
  const started = ctx.clock.now().getTime();
  const deadline = started + input.waitMs;
  const cmdlet = input.cmdlet ?? VERIFY_CMDLET;
  const progress = input.progress ?? ctx.out.progress('Verifying the connection');
  let attempt = 0;
  let delay = backoff(attempt, PROPAGATION_BACKOFF);
  let last: { stage: VerifyStage; diagnosis: Diagnosis } | undefined;
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
    let retryAfter: number | undefined;
    try {
      progress.update('Getting an app-only token for Exchange with the certificate');
      const token = await deps.identity.appToken(input.cred, deps.cloud.exchangeResource);
      const roles = Array.isArray(token.claims['roles']) ? (token.claims['roles'] as string[]) : [];
      if (!roles.includes(EXCHANGE_MANAGE_AS_APP)) {
        last = {
          stage: 'consent',
          diagnosis: {
            what:
              `The token has no ${EXCHANGE_MANAGE_AS_APP} role: admin consent is missing or has ` +
              `not replicated yet.`,
            fix: 'Grant admin consent for Exchange.ManageAsApp (exo-cba init does it).',
            replicating: true,
          },
        };
      } else {
        progress.update(`Running ${cmdlet} in Exchange Online`);
        const probe = await deps.exchange.invoke({
          tenantId: input.tenantId,
          organization: input.organization,
          accessToken: token.accessToken,
          cmdlet,
        });
        if (probe.ok) {
          progress.succeed(`Verified: Exchange accepted the app and ran ${cmdlet} (${secondsSince()} s)`);
          return { verified: true, seconds: secondsSince(), roles };
        }
        retryAfter = probe.retryAfterMs;
        last = { stage: 'exchange', diagnosis: diagnoseProbe(probe, input.refused, cmdlet) };
      }
    } catch (err) {
      if (!(err instanceof AuthError)) {
        progress.fail();
        throw err;
      }
      last = {
        stage: 'token',
        diagnosis: diagnoseAuthError(err, { appId: input.cred.clientId, tenant: input.cred.tenant }),
      };
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
          : 'Waiting for the role to reach Exchange (2–5 minutes are usual)';
    await waitWithCountdown(retryAfter ?? delay, label);
    attempt += 1;
    delay = backoff(attempt, PROPAGATION_BACKOFF);
  }
}
