import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { startHarness, tenantState, initArgs, json } from '../helpers/harness.js';

/**
 * A real CONNECT proxy on 127.0.0.1, and a sandbox that calls itself by a host name no resolver knows: the
 * proxy's tunnel is the only way to reach it. Every request exo-cba makes (sign-in, Graph, Exchange) must go
 * through the proxy named by HTTPS_PROXY, and NO_PROXY must send a host around it.
 */
const HOST = 'tenant.exo-cba.test';

async function startProxy() {
  const tunnels: string[] = [];
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const [host, port] = (req.url ?? '').split(':');
    tunnels.push(req.url ?? '');
    if (host !== HOST) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(port), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('a corporate proxy', () => {
  for (const variable of ['HTTPS_PROXY', 'https_proxy']) {
    test(`every request goes through the CONNECT proxy named by ${variable}`, async () => {
      const proxy = await startProxy();
      const h = await startHarness({ hostname: HOST });
      try {
        const r = await h.run([...initArgs(h), '--json'], { env: { [variable]: proxy.url } });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(json<{ verified: boolean }>(r).verified, true);
        const ports = new Set(proxy.tunnels.map((t) => t.split(':')[1]));
        for (const origin of [h.sandbox.authority, h.sandbox.graph, h.sandbox.exchange])
          assert.ok(ports.has(new URL(origin).port), `${origin} went through the proxy`);
        assert.ok(proxy.tunnels.every((t) => t.startsWith(`${HOST}:`)));
        const check = await h.run(['check'], { env: { [variable]: proxy.url } });
        assert.equal(check.code, 0, check.stdout + check.stderr);
      } finally {
        await h.close();
        await proxy.close();
      }
    });
  }

  test('NO_PROXY sends a host around the proxy (which, here, leaves it unreachable and says so)', async () => {
    const proxy = await startProxy();
    const h = await startHarness({ hostname: HOST });
    try {
      const r = await h.run(initArgs(h), {
        env: { HTTPS_PROXY: proxy.url, NO_PROXY: `localhost,.exo-cba.test` },
      });
      assert.equal(r.code, 1);
      assert.deepEqual(proxy.tunnels, [], 'nothing went through the proxy');
      assert.match(r.stderr, new RegExp(`Could not reach https://${HOST.replace(/\./g, '\\.')}`));
      assert.equal(tenantState(h.sandbox).apps.length, 0);
    } finally {
      await h.close();
      await proxy.close();
    }
  });

  test('a proxy that is down is named in the message', async () => {
    const h = await startHarness({ hostname: HOST });
    try {
      const r = await h.run(initArgs(h), { env: { HTTPS_PROXY: 'http://127.0.0.1:9' } });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /through the proxy 127\.0\.0\.1:9/);
      assert.match(r.stderr, /HTTPS_PROXY/);
    } finally {
      await h.close();
    }
  });
});
