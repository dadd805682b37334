import path from 'node:path';
import type { Context } from '../context.js';
import type { HttpTransport } from '../adapters/http.js';
import { type Cloud, type CloudName, isOverridden, resolveCloud, ENDPOINT_ENV } from '../core/clouds.js';
import { WORKLOAD_ENDPOINT_ENV, type Env } from '../workloads/index.js';

/** Where requests go for one run: a cloud (with EXO_CBA_* overrides), or the in-process sandbox. */
export interface Target {
  cloud: Cloud;
  http: HttpTransport;
  /** The workload endpoint overrides (EXO_CBA_*_ENDPOINT): the environment's, or the sandbox's own. */
  env: Env;
  /** The sandbox tenant's initial domain when running against the in-process sandbox. */
  sandboxDomain?: string;
  close(): Promise<void>;
}

const OVERRIDES = [...Object.values(ENDPOINT_ENV), ...WORKLOAD_ENDPOINT_ENV];

export async function openTarget(
  ctx: Pick<Context, 'env' | 'services' | 'out' | 'configDir'>,
  opts: { cloud: CloudName; sandbox: boolean },
): Promise<Target> {
  if (!opts.sandbox) {
    const cloud = resolveCloud(opts.cloud, ctx.env);
    const set = WORKLOAD_ENDPOINT_ENV.filter((k) => ctx.env[k]);
    if (isOverridden(cloud) || set.length)
      ctx.out.verbose(
        `endpoints: authority ${cloud.authorityHost}, Graph ${cloud.graphEndpoint}` +
          set.map((k) => `, ${k}=${ctx.env[k] ?? ''}`).join(''),
      );
    return { cloud, http: ctx.services.http(), env: ctx.env, close: async () => undefined };
  }
  if (OVERRIDES.some((k) => ctx.env[k])) ctx.out.warn('--sandbox ignores the EXO_CBA_* endpoint overrides.');
  const { startSandbox } = await import('../sandbox/server.js');
  const sandbox = await startSandbox({ stateFile: path.join(ctx.configDir, 'sandbox', 'tenant.json') });
  ctx.out.info(
    ctx.out.color.dim(
      `Using the built-in sandbox tenant ${sandbox.directory.tenant.initialDomain} (no Microsoft ` +
        `service is contacted).`,
    ),
  );
  // The sandbox says where each of its stand-ins listens, as the EXO_CBA_* lines it prints for another shell.
  const lines = sandbox.env('');
  const cloud: Cloud = {
    ...resolveCloud('global', {}),
    authorityHost: sandbox.authority,
    graphEndpoint: sandbox.graph,
  };
  return {
    cloud,
    http: ctx.services.http(sandbox.caPem),
    env: Object.fromEntries(OVERRIDES.map((k) => [k, lines[k]])),
    sandboxDomain: sandbox.directory.tenant.initialDomain,
    close: () => sandbox.stop(),
  };
}
