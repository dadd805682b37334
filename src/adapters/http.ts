import https from 'node:https';
import http from 'node:http';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: Buffer;
}

export type HttpTransport = (req: HttpRequest) => Promise<HttpResponse>;

export interface HttpOptions {
  /** PEM of an extra CA to trust besides the system roots and NODE_EXTRA_CA_CERTS (the in-process sandbox). */
  extraCaPem?: string;
  /** The NODE_EXTRA_CA_CERTS file, kept trusted next to extraCaPem. */
  nodeExtraCaFile?: string;
  /** Called once per exchange with a redacted summary, for --verbose. */
  onExchange?: (line: string) => void;
  defaultTimeoutMs?: number;
}

const SECRET_FIELDS = /((?:client_assertion|assertion|refresh_token|access_token|id_token|code|code_verifier|device_code|password|client_secret|proof)=)[^&]+/g;

/** A summary that never carries a secret: no bodies, no Authorization header, query secrets masked. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_FIELDS, '$1[redacted]');
}

/**
 * The one HTTP client of the tool. It is node:https rather than the global fetch because a CA for the
 * in-process sandbox can be handed to node:https per request, while fetch in Node 20 only trusts what
 * NODE_EXTRA_CA_CERTS held at start-up.
 */
export function createHttpTransport(options: HttpOptions = {}): HttpTransport {
  const ca = options.extraCaPem ? [...tls.rootCertificates, ...extraCaFromFile(options.nodeExtraCaFile), options.extraCaPem] : undefined;
  const agent = new https.Agent({ keepAlive: true, maxSockets: 16, ...(ca ? { ca } : {}) });
  return (req) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const url = new URL(req.url);
      const started = process.hrtime.bigint();
      const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
      const headers: Record<string, string> = { ...(req.headers ?? {}) };
      if (body) headers['content-length'] = String(body.length);
      const lib = url.protocol === 'http:' ? http : https;
      const r = lib.request(
        url,
        { method: req.method, headers, ...(url.protocol === 'https:' ? { agent } : {}), timeout: req.timeoutMs ?? options.defaultTimeoutMs ?? 60_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const out: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
            const ms = Number(process.hrtime.bigint() - started) / 1e6;
            options.onExchange?.(`${req.method} ${redactUrl(url.origin + url.pathname + url.search)} -> ${res.statusCode} (${ms.toFixed(0)} ms${out['request-id'] ? `, request-id ${out['request-id']}` : ''})`);
            resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks) });
          });
        },
      );
      r.on('timeout', () => r.destroy(new Error(`no answer from ${url.origin} within ${(req.timeoutMs ?? options.defaultTimeoutMs ?? 60_000) / 1000} s`)));
      r.on('error', (err) => {
        options.onExchange?.(`${req.method} ${redactUrl(url.origin + url.pathname)} -> network error: ${err.message}`);
        reject(new NetworkError(url.origin, err));
      });
      if (body) r.write(body);
      r.end();
    });
}

/**
 * An explicit `ca` replaces Node's default store, which held NODE_EXTRA_CA_CERTS: read that file again so a
 * user's private CA keeps working next to the in-process sandbox's.
 */
function extraCaFromFile(file: string | undefined): string[] {
  if (!file) return [];
  try {
    return [readFileSync(file, 'utf8')];
  } catch (err) {
    // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS; do the same by trusting the rest.
    void err;
    return [];
  }
}

export class NetworkError extends Error {
  constructor(
    readonly origin: string,
    override readonly cause: Error,
  ) {
    super(`could not reach ${origin}: ${cause.message}`);
    this.name = 'NetworkError';
  }
}
