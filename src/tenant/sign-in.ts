import type { Context, Progress } from '../context.js';
import type { AdminSession, Identity } from '../adapters/identity.js';
import { AuthError } from '../adapters/identity.js';
import { failure, type CliError } from '../core/errors.js';
import { DEFAULT_PUBLIC_CLIENT_ID } from '../tenant/entra.js';
import type { AuthMethod } from '../core/values.js';

/** The admin sign-in shared by init, rotate --admin and remove: least scopes, message on stderr, clear refusals. */
export async function signInAdmin(
  ctx: Pick<Context, 'out' | 'services' | 'clock'>,
  identity: Identity,
  req: { tenant: string; clientId: string; method: AuthMethod; scopes: string[]; waitMs?: number },
): Promise<AdminSession> {
  ctx.out.info(
    `Signing in an admin (${req.method === 'device' ? 'device code' : 'browser'}) for: ${req.scopes.join(', ')}`,
  );
  let waiting: Progress | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;
  const stopWaiting = () => {
    if (ticker) clearInterval(ticker);
    waiting?.stop();
    waiting = undefined;
  };
  // A sign-in started over (a transient failure of the token service) shows its new code and countdown.
  const waitUntil = (label: string, until: number) => {
    stopWaiting();
    const text = () => {
      const left = Math.max(0, Math.round((until - ctx.clock.now().getTime()) / 1000));
      return `${label} — ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left`;
    };
    waiting = ctx.out.progress(text());
    ticker = setInterval(() => waiting?.update(text()), 1000);
    ticker.unref();
  };
  try {
    const session = await identity.signInAdmin({
      tenant: req.tenant,
      clientId: req.clientId,
      scopes: req.scopes,
      method: req.method,
      ...(req.waitMs !== undefined ? { retryWithinMs: req.waitMs } : {}),
      onDeviceCode: (message, expiresIn) => {
        ctx.out.info(ctx.out.color.bold(message));
        waitUntil(
          'Waiting for you to enter the code and sign in',
          ctx.clock.now().getTime() + expiresIn * 1000,
        );
      },
      openBrowser: async (url) => {
        await ctx.services.openBrowser(url);
        waitUntil('Waiting for the sign-in in the browser', ctx.clock.now().getTime() + 15 * 60_000);
      },
    });
    stopWaiting();
    ctx.out.info(`${ctx.out.color.green('✔')} Signed in as ${session.username} (tenant ${session.tenantId})`);
    return session;
  } catch (err) {
    stopWaiting();
    if (err instanceof AuthError) throw explainSignInError(err, req);
    throw err;
  }
}

const OWN_CLIENT_STEPS =
  'Register your own public client once: Entra ID > App registrations > New registration (single tenant); ' +
  'Authentication > Add a platform > Mobile and desktop applications, redirect URI ' +
  'http://localhost; "Allow public client flows": Yes. ' +
  'Then pass its Application (client) id with --client-id.';

/** Every answer of the token service or the network during an admin sign-in, as what / why / what to do. */
function explainSignInError(err: AuthError, req: { tenant: string; clientId: string }): CliError {
  const code = err.aadsts ? `AADSTS${err.aadsts}` : err.code;
  const base = { why: err.description, serviceCode: code };
  const clientName =
    req.clientId === DEFAULT_PUBLIC_CLIENT_ID
      ? 'Microsoft Graph Command Line Tools'
      : `the client ${req.clientId}`;
  switch (err.reason) {
    case 'declined':
      return failure('The sign-in was declined.', {
        ...base,
        code: 'EXO-SIGNIN-DECLINED',
        fix: 'Run the command again and approve the sign-in (nothing was changed).',
      });
    case 'expired':
      return failure('The sign-in code expired before the sign-in finished.', {
        ...base,
        code: 'EXO-SIGNIN-EXPIRED',
        fix: 'Run the command again and complete the sign-in within 15 minutes.',
      });
    case 'client-unknown':
      return failure(`The tenant does not know ${clientName}.`, {
        ...base,
        code: 'EXO-SIGNIN-CLIENT',
        fix: OWN_CLIENT_STEPS,
      });
    case 'client-blocked':
      return failure(`The tenant blocks sign-in through ${clientName}.`, {
        ...base,
        code: 'EXO-SIGNIN-CLIENT',
        fix: OWN_CLIENT_STEPS,
      });
    case 'consent-required':
      return failure(`${clientName} has no consent for the permissions exo-cba asks.`, {
        ...base,
        code: 'EXO-SIGNIN-CONSENT',
        fix:
          `Sign in as an admin who can consent (Global or Privileged Role Administrator), or ` +
          `have one grant admin consent to ${clientName}; or: ${OWN_CLIENT_STEPS}`,
      });
    case 'conditional-access':
      return failure('A Conditional Access policy blocked the sign-in.', {
        ...base,
        code: 'EXO-SIGNIN-CONDITIONAL-ACCESS',
        fix:
          'Sign in from a device and place the policy allows (a compliant or joined device, a ' +
          "trusted network), or ask the tenant's Conditional Access owner for an exception; --auth " +
          'browser may satisfy device-based policies.',
      });
    case 'tenant-not-found':
      return failure(`The tenant '${req.tenant}' was not found.`, {
        ...base,
        code: 'EXO-TENANT-NOT-FOUND',
        fix: 'Check --tenant (the tenant id, or the initial *.onmicrosoft.com domain) and --cloud.',
      });
    case 'user-not-found':
      return failure('That account cannot sign in to this tenant.', {
        ...base,
        code: 'EXO-SIGNIN-ACCOUNT',
        fix: `Sign in with an admin account of ${req.tenant}, or pass the right --tenant.`,
      });
    case 'throttled':
      return failure('The token service is busy and the sign-in did not go through.', {
        ...base,
        code: 'EXO-SIGNIN-THROTTLED',
        fix: 'Wait a minute and run the command again.',
      });
    case 'unreachable':
      return failure(`Could not reach ${err.extra.network?.origin ?? 'the sign-in service'}.`, {
        code: 'EXO-NETWORK',
        why: `${err.extra.network?.code ?? ''} ${err.extra.network?.message ?? err.description}`.trim(),
        fix: err.extra.network?.proxy
          ? `Check that the proxy ${new URL(err.extra.network.proxy).host} (HTTPS_PROXY) is up and ` +
            `lets this host through, or list the host in NO_PROXY if it must be reached directly.`
          : 'Check the network and DNS. Behind a proxy, set HTTPS_PROXY (and NO_PROXY for hosts ' +
            'that bypass it); in a sovereign cloud, check --cloud.',
      });
    case 'timeout':
      return failure(`${err.extra.network?.origin ?? 'The sign-in service'} did not answer in time.`, {
        code: 'EXO-NETWORK',
        why: err.description,
        fix: 'Check the network or the proxy (HTTPS_PROXY), then run the command again.',
      });
    case 'tls':
      return failure(
        `The TLS connection to ${err.extra.network?.origin ?? 'the sign-in service'} could not be trusted.`,
        {
          code: 'EXO-NETWORK',
          why: `${err.extra.network?.code ?? ''} ${err.extra.network?.message ?? err.description}`.trim(),
          fix:
            'A proxy that inspects TLS needs its root CA trusted: put it in a PEM file and set ' +
            'NODE_EXTRA_CA_CERTS to that file. Otherwise check the system clock.',
        },
      );
    default:
      return failure(`The admin sign-in failed (${code}).`, {
        ...base,
        code: 'EXO-SIGNIN-FAILED',
        fix: 'Check the account, --tenant and --client-id, then try again; --verbose shows each request.',
      });
  }
}
