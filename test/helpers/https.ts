import https from 'node:https';

/** A bare HTTPS client trusting one CA, for tests that talk to the sandbox without exo-cba's own transport. */
export type Fetcher = (req: {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
}) => Promise<{ status: number; headers: Record<string, string>; body: Buffer }>;

export function httpsWithCa(caPem: string): Fetcher {
  const agent = new https.Agent({ ca: caPem, keepAlive: false });
  return (req) =>
    new Promise((resolve, reject) => {
      const r = https.request(
        req.url,
        {
          method: req.method,
          headers: {
            ...(req.headers ?? {}),
            ...(req.body !== undefined ? { 'content-length': String(Buffer.byteLength(req.body)) } : {}),
          },
          agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: Object.fromEntries(
                Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]),
              ),
              body: Buffer.concat(chunks),
            }),
          );
          res.on('error', reject);
        },
      );
      r.on('error', reject);
      if (req.body !== undefined) r.write(req.body);
      r.end();
    });
}
