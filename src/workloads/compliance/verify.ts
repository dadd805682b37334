import type { Context } from '../../context.js';
import type { Rights } from '../../rights/types.js';
import type { Diagnosis } from '../../tenant/diagnose.js';
import { prove } from '../prove.js';
import type { CheckOutcome, VerifyInput, VerifyOutcome, WorkloadCheck, WorkloadDeps } from '../workload.js';
import { cmdletProof } from '../exchange/verify.js';
import { cmdletCheck } from '../exchange/checks.js';
import { makeComplianceApi } from './api.js';
import { complianceEndpoint } from './endpoints.js';
import { COMPLIANCE_PERMISSION, COMPLIANCE_ROLES, VERIFY_CMDLET } from './facts.js';

const SERVICE = 'Security & Compliance';
const roleNames = () => COMPLIANCE_ROLES.accepted.map((r) => r.name).join(', ');

const whenRefused = (r: Rights | undefined) => ({
  what:
    'it holds no directory role Security & Compliance accepts' +
    (r?.kind === 'directory-role' ? ` (it should hold ${r.name})` : ''),
  fix:
    `Assign one of: ${roleNames()} (re-run exo-cba init --workload compliance, or Entra ID > Roles); ` +
    'a new assignment takes a few minutes to reach Security & Compliance.',
});

/**
 * S&C builds the session's RBAC from the directory roles in the token (`wids`): without one it accepts, every
 * call is refused, so the token says so before any call is made.
 */
function roleInToken(claims: Record<string, unknown>, rights?: Rights): Diagnosis | undefined {
  const wids = Array.isArray(claims['wids']) ? (claims['wids'] as string[]) : [];
  if (COMPLIANCE_ROLES.accepted.some((r) => wids.includes(r.templateId))) return undefined;
  const refused = whenRefused(rights);
  return {
    what: `The token carries no directory role Security & Compliance accepts: ${refused.what}.`,
    fix: refused.fix,
    replicating: true,
  };
}

const said = (rights: Rights | undefined) => ({
  service: SERVICE,
  refused: whenRefused(rights),
  cmdlet: VERIFY_CMDLET,
  permission: COMPLIANCE_PERMISSION,
});

export function verifyCompliance(
  ctx: Pick<Context, 'clock' | 'out'>,
  deps: WorkloadDeps,
  input: VerifyInput,
): Promise<VerifyOutcome> {
  const endpoint = complianceEndpoint(deps.cloud.name, deps.env);
  const proof = cmdletProof({
    api: makeComplianceApi(endpoint, deps.env, deps.http),
    input,
    resource: endpoint.resource,
    said: said(input.rights),
    where: 'Security & Compliance',
    claims: (c) => roleInToken(c, input.rights),
  });
  return prove(ctx, deps, input, proof);
}

/** The token carries a role S&C accepts, and S&C runs a read-only cmdlet every accepted role may run. */
export const complianceCmdlet: WorkloadCheck = {
  id: 'compliance',
  async run(ctx, { token, tenantId, organization, rights, deps }): Promise<CheckOutcome> {
    const noRole = roleInToken(token.claims, rights);
    if (noRole) return { status: 'fail', message: noRole.what, fix: noRole.fix };
    const endpoint = complianceEndpoint(deps.cloud.name, deps.env);
    return cmdletCheck(
      ctx,
      makeComplianceApi(endpoint, deps.env, deps.http),
      { tenantId, organization, accessToken: token.accessToken, cmdlet: VERIFY_CMDLET },
      { ...said(rights), where: 'Security & Compliance' },
    );
  },
};
