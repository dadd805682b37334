import type { Context } from './context.js';
import type { AdminSession, Identity } from './adapters/identity.js';
import { AuthError } from './adapters/identity.js';
import { failure } from './errors.js';
import { DEFAULT_PUBLIC_CLIENT_ID } from './constants.js';
import type { AuthMethod } from './options.js';

/** The admin sign-in shared by init, rotate --admin and remove: least scopes, message on stderr, clear refusals. */
export async function signInAdmin(
  ctx: Pick<Context, 'out' | 'services'>,
  identity: Identity,
  req: { tenant: string; clientId: string; method: AuthMethod; scopes: string[] },
): Promise<AdminSession> {
  ctx.out.info(`Signing in an admin (${req.method === 'device' ? 'device code' : 'browser'}) for: ${req.scopes.join(', ')}`);
  try {
    const session = await identity.signInAdmin({
      tenant: req.tenant,
      clientId: req.clientId,
      scopes: req.scopes,
      method: req.method,
      onDeviceCode: (message) => ctx.out.info(ctx.out.color.bold(message)),
      openBrowser: (url) => ctx.services.openBrowser(url),
    });
    ctx.out.info(`${ctx.out.color.green('✔')} Signed in as ${session.username} (tenant ${session.tenantId})`);
    return session;
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    const defaultClient = req.clientId === DEFAULT_PUBLIC_CLIENT_ID;
    const blocked = err.aadsts === 7000112 || err.aadsts === 700016 || err.aadsts === 65001 || err.aadsts === 53003;
    if (blocked && defaultClient) {
      throw failure(`The tenant does not allow sign-in through Microsoft Graph Command Line Tools (AADSTS${err.aadsts}).`, {
        why: err.description,
        fix: 'Register a public client in your tenant (Authentication > Mobile and desktop, redirect http://localhost, "Allow public client flows" on) and pass its id with --client-id.',
      });
    }
    if (err.code === 'authorization_declined' || err.aadsts === 70000 && /declined/i.test(err.description)) {
      throw failure('The sign-in was declined.', { why: err.description, fix: 'Run again and approve the sign-in.' });
    }
    if (err.code === 'expired_token' || err.aadsts === 70020) {
      throw failure('The device code expired before the sign-in finished.', { fix: 'Run again and complete the sign-in within 15 minutes.' });
    }
    throw failure(`The admin sign-in failed${err.aadsts ? ` (AADSTS${err.aadsts})` : ''}: ${err.description}`, {
      fix: err.aadsts === 90002 ? 'Check --tenant and --cloud.' : 'Check the account, --tenant and --client-id, then try again.',
    });
  }
}
