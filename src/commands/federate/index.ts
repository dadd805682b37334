import type { Context } from '../../context.js';
import { EXIT, failure, usageError } from '../../core/errors.js';
import { openTarget } from '../../tenant/target.js';
import { signInAdmin } from '../../tenant/sign-in.js';
import { ADMIN_SCOPES } from '../../tenant/entra.js';
import { chooserFor } from '../../tenant/app-targets.js';
import { explainGraphError, GraphApiError } from '../../adapters/graph-errors.js';
import type { Directory, FederatedCredentialView } from '../../adapters/graph.js';
import { FEDERATED_CREDENTIAL_LIMIT, place, trustOf, type Trust } from '../../tenant/federation.js';
import type { FederatedCredentialRecord, Profile } from '../../profile/store.js';
import type { CommandResult } from '../../output/render.js';
import type { FederateOptions } from './options.js';
import { pipelineFor, type Pipeline } from './pipelines.js';
import { federateText } from './text.js';

/**
 * exo-cba federate: the app trusts a CI system's own OIDC token (workload identity federation) for one
 * repository and branch, environment, tag, pull requests, service connection or subject. It looks first, so a
 * re-run adds nothing; every write is read back; the limit of 20 and the uniqueness rules are explained.
 */

export interface FederateResult {
  profile: string;
  appId: string;
  objectId: string;
  action: 'added' | 'exists' | 'removed' | 'listed' | 'planned';
  credential?: FederatedCredentialView;
  credentials: FederatedCredentialView[];
  plan?: string[];
  pipeline?: Pipeline;
}

interface Run {
  ctx: Pick<Context, 'clock' | 'out'>;
  dir: Directory;
  profile: Profile;
  objectId: string;
  o: FederateOptions;
}

const matches = (c: FederatedCredentialView, t: Pick<Trust, 'issuer' | 'subject' | 'audience'>) =>
  c.issuer === t.issuer && c.subject === t.subject && (c.audiences ?? []).includes(t.audience);

const recordOf = (c: FederatedCredentialView): FederatedCredentialRecord => ({
  name: c.name,
  issuer: c.issuer,
  subject: c.subject,
  audience: (c.audiences ?? []).join(' '),
});

const describe = (c: Pick<FederatedCredentialView, 'name' | 'issuer' | 'subject'>) =>
  `${c.name} (issuer ${c.issuer}, subject ${c.subject})`;

async function list(r: Run): Promise<FederatedCredentialView[]> {
  return r.dir.listFederatedCredentials(r.objectId).catch((e: unknown) => {
    throw explainGraphError(e, 'read the federated credentials');
  });
}

/** Lists again until `done` holds (Graph's reads lag its writes), or fails saying what was not seen. */
async function readBack(
  r: Run,
  done: (all: FederatedCredentialView[]) => boolean,
  notSeen: string,
): Promise<FederatedCredentialView[]> {
  const deadline = r.ctx.clock.now().getTime() + r.o.waitMs;
  for (let wait = 500; ; wait = Math.min(wait * 2, 5000)) {
    const all = await list(r);
    if (done(all)) return all;
    if (r.ctx.clock.now().getTime() + wait > deadline)
      throw failure(notSeen, {
        code: 'EXO-GRAPH-REPLICATION',
        why: 'Graph accepted the change, but its reads did not show it within --wait.',
        fix: `Run 'exo-cba federate --profile ${r.profile.name} --list' in a minute; a re-run changes nothing twice.`,
      });
    r.ctx.out.verbose(`federated credentials not read back yet; listing again in ${wait} ms`);
    await r.ctx.clock.sleep(wait);
  }
}

function limitReached(r: Run, all: FederatedCredentialView[]): Error {
  return failure(
    `The app already has ${all.length} federated credentials, the most Entra allows (${FEDERATED_CREDENTIAL_LIMIT}).`,
    {
      code: 'EXO-FEDERATION-LIMIT',
      why: `Graph refuses a ${FEDERATED_CREDENTIAL_LIMIT + 1}st. On the app: ${all.map((c) => c.name).join(', ')}.`,
      fix:
        `Remove one you no longer need (exo-cba federate --profile ${r.profile.name} --remove NAME), or trust ` +
        'an environment (one subject for every branch that deploys to it) instead of one credential per branch.',
    },
  );
}

/** A refusal of the create, read from Graph's payload; a race with another writer is settled by listing again. */
async function refusal(r: Run, err: unknown, t: Trust): Promise<FederatedCredentialView | Error> {
  if (!(err instanceof GraphApiError)) return err as Error;
  const all = await list(r);
  const same = all.find((c) => matches(c, t));
  if (same) return same;
  if (err.code === 'Request_MultipleObjectsWithSameKeyValue' || err.status === 409) {
    const holder = all.find((c) => c.name.toLowerCase() === t.name.toLowerCase());
    return failure(`Another federated credential on the app is already named '${t.name}'.`, {
      code: 'EXO-FEDERATION-DUPLICATE',
      serviceCode: err.code,
      why: `Names are unique within an app${holder ? `; it holds ${describe(holder)}` : ''}.`,
      fix: 'Run federate again: it picks a free name. Or remove the other one with --remove.',
    });
  }
  if (err.code === 'InvalidFederatedIdentityCredentialValue')
    return failure(`The app already trusts issuer ${t.issuer} with subject ${t.subject}.`, {
      code: 'EXO-FEDERATION-DUPLICATE',
      serviceCode: err.code,
      why: 'Issuer and subject together are unique within an app (Graph refused a second one).',
      fix: `Run 'exo-cba federate --profile ${r.profile.name} --list' to see it.`,
    });
  if (all.length >= FEDERATED_CREDENTIAL_LIMIT) return limitReached(r, all);
  return explainGraphError(err, 'add the federated credential');
}

/** The write; a refusal that turns out to be the same trust written by someone else counts as done. */
async function create(r: Run, t: Trust): Promise<FederatedCredentialView> {
  return r.dir
    .addFederatedCredential(r.objectId, {
      name: t.name,
      issuer: t.issuer,
      subject: t.subject,
      audiences: [t.audience],
      description: t.description,
    })
    .then(
      (c) => c,
      async (e: unknown) => {
        const settled = await refusal(r, e, t);
        if (settled instanceof Error) throw settled;
        return settled;
      },
    );
}

async function add(r: Run, trust: Trust): Promise<Omit<FederateResult, 'profile' | 'appId' | 'objectId'>> {
  const before = await list(r);
  const placed = place(trust, before);
  switch (placed.kind) {
    case 'exists':
      r.ctx.out.info(`Already trusted: ${describe(placed.credential)}; nothing to add.`);
      return { action: 'exists', credential: placed.credential, credentials: before };
    case 'other-audience':
      throw failure(
        `The app trusts this issuer and subject already, for another audience ` +
          `(${(placed.credential.audiences ?? []).join(', ')}).`,
        {
          code: 'EXO-FEDERATION-DUPLICATE',
          why:
            `Entra exchanges only tokens for ${trust.audience}; Graph refuses a second credential for the ` +
            'same subject.',
          fix:
            `Remove it (exo-cba federate --profile ${r.profile.name} --remove ` +
            `${placed.credential.name}), then run this again.`,
        },
      );
    case 'full':
      throw limitReached(r, before);
    case 'add':
      break;
  }
  const t = placed.trust;
  if (r.o.dryRun)
    return {
      action: 'planned',
      credentials: before,
      plan: [
        `add federated credential '${t.name}' to app ${r.profile.app.appId ?? r.objectId}: issuer ${t.issuer}, ` +
          `subject ${t.subject}, audience ${t.audience}`,
        'read the credentials back until Graph shows it',
      ],
    };
  const made = await create(r, t);
  const after = await readBack(
    r,
    (all) => all.some((c) => matches(c, t)),
    `Added federated credential '${made.name}', but Graph does not list it yet.`,
  );
  r.ctx.out.info(`${r.ctx.out.color.green('✔')} Trusted ${describe(made)} (read back)`);
  return { action: 'added', credential: after.find((c) => matches(c, t)) ?? made, credentials: after };
}

async function remove(r: Run, name: string): Promise<Omit<FederateResult, 'profile' | 'appId' | 'objectId'>> {
  const before = await list(r);
  const found = before.find((c) => c.name.toLowerCase() === name.toLowerCase() || c.id === name);
  if (!found)
    throw usageError(
      `The app has no federated credential named '${name}'.`,
      before.length
        ? `Its credentials: ${before.map((c) => c.name).join(', ')}.`
        : 'It has no federated credentials at all.',
    );
  if (r.o.dryRun)
    return { action: 'planned', credentials: before, plan: [`remove ${describe(found)}, then read back`] };
  await r.dir.deleteFederatedCredential(r.objectId, found.id).catch((e: unknown) => {
    if (!(e instanceof GraphApiError && e.status === 404))
      throw explainGraphError(e, 'remove the federated credential');
  });
  const after = await readBack(
    r,
    (all) => !all.some((c) => c.id === found.id),
    `Removed federated credential '${found.name}', but Graph still lists it.`,
  );
  r.ctx.out.info(`${r.ctx.out.color.green('✔')} Removed ${describe(found)} (read back: gone)`);
  return { action: 'removed', credential: found, credentials: after };
}

export async function federateCommand(o: FederateOptions, ctx: Context): Promise<CommandResult> {
  const profile = await ctx.profiles.resolve(o.profile, chooserFor(ctx));
  const objectId = profile.app.objectId;
  if (!objectId || !profile.app.appId)
    throw usageError(
      `Profile '${profile.name}' has no app registration yet.`,
      `Finish 'exo-cba init --profile ${profile.name}' first; federate adds a trust to its app.`,
    );
  const appId = profile.app.appId;
  // Bad input stops here, before the sign-in.
  const trust = o.action.kind === 'add' ? trustOf(o.action.spec) : undefined;
  const target = await openTarget(ctx, {
    cloud: o.cloud ?? profile.cloud,
    sandbox: o.sandbox || Boolean(profile.sandbox),
  });
  let done: Omit<FederateResult, 'profile' | 'appId' | 'objectId'>;
  try {
    const identity = await ctx.services.identity(target.cloud, target.http);
    const session = await signInAdmin(ctx, identity, {
      tenant: profile.tenantId,
      clientId: o.clientId,
      method: o.auth,
      scopes: [...ADMIN_SCOPES.keys],
    });
    const dir = await ctx.services.directory(target.cloud, target.http, () => session.graphToken());
    const r: Run = { ctx, dir, profile, objectId, o };
    if (o.action.kind === 'list') done = { action: 'listed', credentials: await list(r) };
    else if (o.action.kind === 'remove') done = await remove(r, o.action.name);
    else if (trust) done = await add(r, trust);
    else throw new Error('federate: a trust to add was expected');
  } finally {
    await target.close();
  }
  // The profile keeps what Graph showed last: status lists it, and a refused federated sign-in sets it beside
  // the token's claims.
  const fresh = await ctx.profiles.get(profile.name);
  if (fresh) await ctx.profiles.save({ ...fresh, federatedCredentials: done.credentials.map(recordOf) });
  const pipeline =
    o.action.kind === 'add' && done.action !== 'planned'
      ? pipelineFor({
          spec: o.action.spec,
          appId,
          tenantId: profile.tenantId,
          organization: profile.organization,
        })
      : undefined;
  const data: FederateResult = {
    profile: profile.name,
    appId,
    objectId,
    ...done,
    ...(pipeline ? { pipeline } : {}),
  };
  return { command: 'federate', exitCode: EXIT.ok, data, text: federateText(data, ctx.out.color) };
}
