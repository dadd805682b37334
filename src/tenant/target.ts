import path from 'node:path';
import type { Context } from '../context.js';
import type { HttpTransport } from '../adapters/http.js';
import { type Cloud, type CloudName, isOverridden, resolveCloud, ENDPOINT_ENV } from '../core/clouds.js';

/** Where requests go for one run: a cloud (with EXO_CBA_* overrides), or the in-process sandbox. */
export interface Target {
  cloud: Cloud;
  http: HttpTransport;
  /** The sandbox tenant's initial domain when running against the in-process sandbox. */
  sandboxDomain?: string;
  close(): Promise<void>;
}

export async function openTarget(
  ctx: Pick<Context, 'env' | 'services' | 'out' | 'configDir'>,
  opts: { cloud: CloudName; sandbox: boolean },
): Promise<Target> {
  if (!opts.sandbox) {
    const cloud = resolveCloud(opts.cloud, ctx.env);
    if (isOverridden(cloud))
      ctx.out.verbose(
        `endpoints: authority ${cloud.authorityHost}, Graph ${cloud.graphEndpoint}, Exchange ${cloud.exchangeEndpoint}`,
      );
    return { cloud, http: ctx.services.http(), close: async () => undefined };
  }
  if (Object.values(ENDPOINT_ENV).some((k) => ctx.env[k]))
    ctx.out.warn('--sandbox ignores the EXO_CBA_* endpoint overrides.');
  const { startSandbox } = await import('../sandbox/server.js');
  const sandbox = await startSandbox({ stateFile: path.join(ctx.configDir, 'sandbox', 'tenant.json') });
  ctx.out.info(
    ctx.out.color.dim(
      `Using the built-in sandbox tenant ${sandbox.directory.tenant.initialDomain} (no Microsoft ` +
        `service is contacted).`,
    ),
  );
  const base = resolveCloud('global', {});
  const cloud: Cloud = {
    ...base,
    authorityHost: sandbox.authority,
    graphEndpoint: sandbox.graph,
    exchangeEndpoint: sandbox.exchange,
  };
  return {
    cloud,
    http: ctx.services.http(sandbox.caPem),
    sandboxDomain: sandbox.directory.tenant.initialDomain,
    close: () => sandbox.stop(),
  };
}
