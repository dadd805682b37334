import type { AuthError } from '../adapters/identity.js';

/**
 * What the token service's refusals mean for an app signing in with its certificate, whatever the workload:
 * one diagnosis per AuthError reason (adapters/token-errors.ts reads the AADSTS payload).
 */

/** What a refusal means, and what to do about it. */
export interface Diagnosis {
  what: string;
  fix: string;
  /** May clear by itself while a new app, key or grant replicates. */
  replicating: boolean;
}

export function diagnoseAuthError(
  err: AuthError,
  ctx: { appId: string; tenant: string; service?: string },
): Diagnosis {
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
        what: `The ${ctx.service ?? 'service'} resource is not in this tenant${code}.`,
        fix: `Check that the tenant has ${ctx.service ?? 'the service'} and that --cloud is right.`,
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
