import path from 'node:path';
import type { Context } from '../core/context.js';
import { EXIT, usageError } from '../core/errors.js';
import { parseGuid, parseIntIn } from '../core/values.js';
import type { CommandResult } from '../output/render.js';
import type { FailOnce } from '../sandbox/faults.js';

/** exo-cba sandbox: serves the stand-in tenant until Ctrl-C and prints how to point exo-cba (or curl) at it. */
export async function sandboxCommand(raw: Record<string, unknown>, ctx: Context): Promise<CommandResult> {
  const str = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : undefined);
  const base = str('port') !== undefined ? parseIntIn('--port', str('port')!, 1024, 65533) : undefined;
  const delay = parseIntIn('--replication-delay', str('replicationDelay') ?? '0', 0, 3_600_000);
  const every = parseIntIn('--throttle-every', str('throttleEvery') ?? '0', 0, 1_000_000);
  const mode = str('deviceCode') ?? 'approve';
  if (!['approve', 'deny', 'expire', 'conditional-access'].includes(mode)) throw usageError(`--device-code must be approve, deny, expire or conditional-access, got '${mode}'.`);
  const blocked = str('blockClient') ? [parseGuid('--block-client', str('blockClient')!)] : [];
  const failOnce = str('failOnce') ? [parseFailOnce(str('failOnce')!)] : [];
  const { startSandbox } = await import('../sandbox/server.js');
  const sandbox = await startSandbox({
    ...(base ? { ports: { authority: base, graph: base + 1, exchange: base + 2 } } : {}),
    ...(str('state') ? { stateFile: path.resolve(str('state')!) } : {}),
    faults: { replicationDelayMs: delay, throttleEvery: every, deviceCode: { mode: mode as 'approve', approveAfterMs: 0, interval: 5 }, blockedClients: blocked, failOnce },
  });
  // The CA is public (its key never leaves this process); it is replaced at every start.
  const caFile = path.resolve(str('caFile') ?? path.join(ctx.configDir, 'sandbox', 'ca.pem'));
  await ctx.files.writeAtomic(caFile, sandbox.caPem, 0o644);
  const env = sandbox.env(caFile);
  const t = sandbox.directory.tenant;
  const isWin = ctx.platform === 'win32';
  ctx.out.info(ctx.out.color.bold(`exo-cba sandbox tenant ${t.initialDomain} (${t.id}) is serving on 127.0.0.1.`));
  ctx.out.info('Point exo-cba at it from another shell:');
  for (const [k, v] of Object.entries(env)) ctx.out.data(isWin ? `$env:${k}="${v}"` : `export ${k}=${v}`);
  ctx.out.info(`Then: exo-cba init --tenant ${t.initialDomain} --yes`);
  ctx.out.info(`Discovery: curl --cacert ${caFile} ${sandbox.authority}/${t.initialDomain}/v2.0/.well-known/openid-configuration`);
  ctx.out.info(`Faults at run time: curl --cacert ${caFile} -X POST ${sandbox.authority}/_sandbox/faults -d '{"replicationDelayMs":5000}'`);
  ctx.out.info(`Request log: ${sandbox.authority}/_sandbox/log   Out-of-band changes: POST ${sandbox.authority}/_sandbox/actions/{remove-grant,remove-role,expire-key,delete-app} {"appId":"…"}`);
  ctx.out.info('Ctrl-C stops it.');
  const signal = await ctx.services.untilStopped();
  const requests = sandbox.faults.log.length;
  await sandbox.stop();
  ctx.out.info(`Sandbox stopped (${signal}) after ${requests} request(s).`);
  return { command: 'sandbox', exitCode: EXIT.ok, data: { stopped: signal, requests } };
}

/** "graph:POST:/servicePrincipals:503" → one injected failure of the first matching call. */
export function parseFailOnce(spec: string): FailOnce {
  const m = /^(token|graph|exchange):([A-Z]+)?:([^:]*):(\d{3})$/.exec(spec);
  if (!m) throw usageError(`--fail-once takes service:METHOD:path:status, got '${spec}'.`, 'For example graph:POST:/servicePrincipals:503 or exchange::/InvokeCommand:500.');
  return { service: m[1] as FailOnce['service'], ...(m[2] ? { method: m[2] } : {}), ...(m[3] ? { path: m[3] } : {}), status: Number(m[4]) };
}
