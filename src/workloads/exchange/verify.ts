import type { Context } from '../../context.js';
import type { Rights } from '../../rights/types.js';
import type { Diagnosis } from '../../tenant/diagnose.js';
import { prove, type CallRefused, type Proof } from '../prove.js';
import type { VerifyInput, VerifyOutcome, WorkloadDeps } from '../workload.js';
import { makeExchangeProbe, type ExchangeProbe, type ProbeResult } from './admin-api.js';
import { exchangeEndpoint } from './endpoints.js';
import { EXCHANGE_MANAGE_AS_APP, EXCHANGE_ROLES, RECIPIENT_ONLY_ROLES, VERIFY_CMDLET } from './facts.js';
import { names, rbacReadCmdlet } from './rbac.js';

/** The read-only cmdlet the rights allow: recipient-only roles may not read the organisation's configuration. */
export function verifyCmdlet(r: Rights | undefined): string {
  if (!r) return VERIFY_CMDLET;
  if (r.kind === 'exchange-rbac') return rbacReadCmdlet(r);
  return RECIPIENT_ONLY_ROLES.includes(r.templateId) ? 'Get-Recipient' : VERIFY_CMDLET;
}

/** What it means, and what to do, when Exchange refuses the app for the verify cmdlet. */
export function whenRefused(r: Rights | undefined): { what: string; fix: string } {
  if (r?.kind === 'exchange-rbac')
    return {
      what:
        `Exchange does not let the app run this cmdlet with ${names(r).join(', ')}, or the roles ` +
        `have not reached Exchange yet`,
      fix:
        `Check the app's Exchange roles (Get-ManagementRoleAssignment -RoleAssignee <service ` +
        `principal object id>); new assignments take a few minutes.`,
    };
  return {
    what: `it holds no directory role Exchange accepts${r ? ` (it should hold ${r.name})` : ''}`,
    fix:
      `Assign one of: ${EXCHANGE_ROLES.accepted.map((x) => x.name).join(', ')} (re-run exo-cba init, or ` +
      `Entra ID > Roles); a new assignment takes a few minutes to reach Exchange.`,
  };
}

/** What an admin API's refusal of the app means (Exchange's and S&C's answers have the same shapes). */
export function diagnoseProbe(
  p: Exclude<ProbeResult, { ok: true }>,
  said: { service: string; refused: { what: string; fix: string }; cmdlet: string; permission: string },
): Diagnosis {
  const { service, refused, cmdlet, permission } = said;
  switch (p.kind) {
    case 'no-app-role':
      return {
        what:
          `${service} refused the token (HTTP ${p.status}): the app is missing the ` +
          `${permission} permission or its consent.`,
        fix: `Grant admin consent for ${permission} (re-run exo-cba init).`,
        replicating: true,
      };
    case 'no-directory-role':
      return {
        what: `${service} refused the app (HTTP ${p.status}): ${refused.what}.`,
        fix: refused.fix,
        replicating: true,
      };
    case 'throttled':
    case 'unavailable':
      return {
        what: `${service} is busy (HTTP ${p.status}).`,
        fix: 'Try again in a few minutes.',
        replicating: true,
      };
    case 'cmdlet':
      return {
        what: `${service} ran ${cmdlet} and it failed: ${p.message}`,
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

/** Runs a read-only cmdlet through an admin API, and says what the answer means. */
async function runProbe(
  api: ExchangeProbe,
  call: { tenantId: string; organization: string; accessToken: string; cmdlet: string },
  said: Parameters<typeof diagnoseProbe>[1],
): Promise<{ ok: true; probe: ProbeResult & { ok: true } } | (CallRefused & { probe: ProbeResult })> {
  const probe = await api.invoke(call);
  if (probe.ok) return { ok: true, probe };
  return {
    ok: false,
    probe,
    diagnosis: diagnoseProbe(probe, said),
    ...(probe.retryAfterMs !== undefined ? { retryAfterMs: probe.retryAfterMs } : {}),
  };
}

/**
 * The proof of an InvokeCommand workload (Exchange, S&C): the workload's token, its permission, what else it
 * reads from the claims, then a read-only cmdlet through its admin API.
 */
export function cmdletProof(o: {
  api: ExchangeProbe;
  input: VerifyInput;
  resource: string;
  said: Parameters<typeof diagnoseProbe>[1];
  /** Where the cmdlet runs, for the progress line: 'Exchange Online'. */
  where: string;
  claims?: Proof['claims'];
}): Proof {
  const { api, input, said } = o;
  return {
    service: said.service,
    resource: o.resource,
    permissions: [said.permission],
    ...(o.claims ? { claims: o.claims } : {}),
    calling: `Running ${said.cmdlet} in ${o.where}`,
    waitingForService: `Waiting for the role to reach ${said.service} (2–5 minutes are usual)`,
    call: async (accessToken) => {
      const r = await runProbe(
        api,
        { tenantId: input.tenantId, organization: input.organization, accessToken, cmdlet: said.cmdlet },
        said,
      );
      return r.ok ? { ok: true, said: `${said.service} accepted the app and ran ${said.cmdlet}` } : r;
    },
  };
}

/** Exchange's proof: a token for Exchange, Exchange.ManageAsApp in it, and a read-only cmdlet the rights allow. */
export function verifyExchange(
  ctx: Pick<Context, 'clock' | 'out'>,
  deps: WorkloadDeps,
  input: VerifyInput,
): Promise<VerifyOutcome> {
  const endpoint = exchangeEndpoint(deps.cloud.name, deps.env);
  const said = {
    service: 'Exchange',
    refused: whenRefused(input.rights),
    cmdlet: verifyCmdlet(input.rights),
    permission: EXCHANGE_MANAGE_AS_APP,
  };
  const api = makeExchangeProbe(endpoint.url, deps.http);
  return prove(
    ctx,
    deps,
    input,
    cmdletProof({ api, input, resource: endpoint.resource, said, where: 'Exchange Online' }),
  );
}
