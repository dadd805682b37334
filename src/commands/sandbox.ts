import path from 'node:path';
import type { Context } from '../context.js';
import { EXIT } from '../core/errors.js';
import type { CommandResult } from '../output/render.js';

export type DeviceCodeMode = 'approve' | 'deny' | 'expire' | 'conditional-access';

export interface SandboxCommandOptions {
  port?: number;
  state?: string;
  caFile?: string;
  replicationDelayMs: number;
  throttleEvery: number;
  deviceCode: DeviceCodeMode;
  blockClient?: string;
  failOnce?: { service: 'token' | 'graph' | 'exchange'; method?: string; path?: string; status: number };
}

/** exo-cba sandbox: serves the stand-in tenant until Ctrl-C and prints how to point exo-cba (or curl) at it. */
export async function sandboxCommand(o: SandboxCommandOptions, ctx: Context): Promise<CommandResult> {
  const base = o.port;
  const { startSandbox } = await import('../sandbox/server.js');
  const sandbox = await startSandbox({
    ...(base ? { ports: { authority: base, graph: base + 1, exchange: base + 2 } } : {}),
    ...(o.state ? { stateFile: o.state } : {}),
    faults: {
      replicationDelayMs: o.replicationDelayMs,
      throttleEvery: o.throttleEvery,
      deviceCode: { mode: o.deviceCode, approveAfterMs: 0, interval: 5 },
      blockedClients: o.blockClient ? [o.blockClient] : [],
      failOnce: o.failOnce ? [o.failOnce] : [],
    },
  });
  // The CA is public (its key never leaves this process); it is replaced at every start.
  const caFile = o.caFile ?? path.join(ctx.configDir, 'sandbox', 'ca.pem');
  await ctx.files.writeAtomic(caFile, sandbox.caPem, 0o644);
  const env = sandbox.env(caFile);
  const t = sandbox.directory.tenant;
  const isWin = ctx.platform === 'win32';
  ctx.out.info(
    ctx.out.color.bold(`exo-cba sandbox tenant ${t.initialDomain} (${t.id}) is serving on 127.0.0.1.`),
  );
  ctx.out.info('Point exo-cba at it from another shell:');
  for (const [k, v] of Object.entries(env)) ctx.out.data(isWin ? `$env:${k}="${v}"` : `export ${k}=${v}`);
  ctx.out.info(`Then: exo-cba init --tenant ${t.initialDomain} --yes`);
  ctx.out.info(
    `Discovery: curl --cacert ${caFile} ${sandbox.authority}/${t.initialDomain}/v2.0/.well-known/openid-configuration`,
  );
  ctx.out.info(
    `Faults at run time: curl --cacert ${caFile} -X POST ${sandbox.authority}/_sandbox/faults -d ` +
      `'{"replicationDelayMs":5000}'`,
  );
  ctx.out.info(
    `Request log: ${sandbox.authority}/_sandbox/log   Out-of-band changes: POST ` +
      `${sandbox.authority}/_sandbox/actions/{remove-grant,remove-role,expire-key,delete-app} {"appId":"…"}`,
  );
  ctx.out.info('Ctrl-C stops it.');
  const signal = await ctx.services.untilStopped();
  const requests = sandbox.faults.log.length;
  await sandbox.stop();
  ctx.out.info(`Sandbox stopped (${signal}) after ${requests} request(s).`);
  return { command: 'sandbox', exitCode: EXIT.ok, data: { stopped: signal, requests } };
}

/** "graph:POST:/servicePrincipals:503" → one injected failure of the first matching call. */
