import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';

interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
}

interface HttpResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: Buffer;
}

export type HttpTransport = (req: HttpRequest) => Promise<HttpResponse>;

/** The proxy settings, as admins set them for every other tool (upper or lower case; lower case wins, as in curl). */
export interface ProxySettings {
  httpsProxy?: string;
  httpProxy?: string;
  noProxy?: string;
}

export function proxySettingsFrom(env: Readonly<Record<string, string | undefined>>): ProxySettings {
  const pick = (name: string) => env[name.toLowerCase()] || env[name] || undefined;
  const s: ProxySettings = {};
  const https = pick('HTTPS_PROXY');
  const http = pick('HTTP_PROXY');
  const no = pick('NO_PROXY');
  if (https) s.httpsProxy = https;
  if (http) s.httpProxy = http;
  if (no) s.noProxy = no;
  return s;
}

export interface HttpOptions {
  /** PEM of an extra CA to trust besides the system roots and NODE_EXTRA_CA_CERTS (the in-process sandbox). */
  extraCaPem?: string;
  /** The NODE_EXTRA_CA_CERTS file, kept trusted next to extraCaPem. */
  nodeExtraCaFile?: string;
  proxy?: ProxySettings;
  /** Called once per exchange with a redacted summary, for --verbose. */
  onExchange?: (line: string) => void;
  defaultTimeoutMs?: number;
}

const SECRET_FIELDS =
  /((?:client_assertion|assertion|refresh_token|access_token|id_token|code|code_verifier|device_code|password|client_secret|proof)=)[^&]+/g;

/** A summary that never carries a secret: no bodies, no Authorization header, query secrets masked. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_FIELDS, '$1[redacted]');
}

/**
 * NO_PROXY as curl and most tools read it: comma- or space-separated; `*` is everything; an entry matches
 * its host and every subdomain (a leading `.` or `*.` changes nothing); `host:port` matches that port only.
 */
function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((raw) => {
      if (raw === '*') return true;
      const m = /^(.*?)(?::(\d+))?$/.exec(raw.toLowerCase().replace(/^\*?\./, ''))!;
      const [, name, p] = m;
      if (p && p !== port) return false;
      return host === name || host.endsWith(`.${name!}`);
    });
}

/**
 * The one HTTP client of the tool (undici): under MSAL (its networkClient), the Graph SDK (the last link of
 * its middleware) and Exchange's admin API. It honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY through a CONNECT
 * tunnel, and can trust an extra CA per client (the in-process sandbox's), which the global fetch of Node 20
 * cannot: it reads NODE_EXTRA_CA_CERTS once at start-up.
 */
export function createHttpTransport(options: HttpOptions = {}): HttpTransport {
  const ca = options.extraCaPem
    ? [...tls.rootCertificates, ...extraCaFromFile(options.nodeExtraCaFile), options.extraCaPem]
    : undefined;
  const connect = ca ? { ca } : {};
  const direct = new Agent({ connect, keepAliveTimeout: 10_000 });
  const viaProxy = new Map<string, Dispatcher>();
  const dispatcherFor = (url: URL): { dispatcher: Dispatcher; proxy?: string } => {
    const p = options.proxy ?? {};
    const proxy = url.protocol === 'https:' ? (p.httpsProxy ?? p.httpProxy) : p.httpProxy;
    if (!proxy || bypassesProxy(url, p.noProxy)) return { dispatcher: direct };
    let d = viaProxy.get(proxy);
    if (!d) {
      d = new ProxyAgent({ uri: proxy, requestTls: connect });
      viaProxy.set(proxy, d);
    }
    return { dispatcher: d, proxy };
  };
  return async (req) => {
    const url = new URL(req.url);
    const started = process.hrtime.bigint();
    const timeout = req.timeoutMs ?? options.defaultTimeoutMs ?? 60_000;
    const { dispatcher, proxy } = dispatcherFor(url);
    const where =
      `${req.method} ` +
      `${redactUrl(url.origin + url.pathname + url.search)}${proxy ? ` via proxy ${new URL(proxy).host}` : ''}`;
    try {
      const res = await request(url, {
        method: req.method as Dispatcher.HttpMethod,
        headers: req.headers ?? {},
        ...(req.body !== undefined ? { body: req.body } : {}),
        dispatcher,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      const body = Buffer.from(await res.body.arrayBuffer());
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers))
        if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      options.onExchange?.(
        `${where} -> ${res.statusCode} (${ms.toFixed(0)} ` +
          `ms${headers['request-id'] ? `, request-id ${headers['request-id']}` : ''})`,
      );
      return { status: res.statusCode, headers, body };
    } catch (err) {
      const cause = ((err as { cause?: Error }).cause ?? err) as Error;
      options.onExchange?.(`${where} -> network error: ${cause.message}`);
      throw new NetworkError(url.origin, cause, proxy);
    }
  };
}

/**
 * An explicit `ca` replaces Node's default store, which held NODE_EXTRA_CA_CERTS: read that file again so a
 * user's private CA keeps working next to the in-process sandbox's.
 */
function extraCaFromFile(file: string | undefined): string[] {
  if (!file) return [];
  try {
    return [readFileSync(file, 'utf8')];
  } catch {
    // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS; do the same by trusting the rest.
    return [];
  }
}

export class NetworkError extends Error {
  constructor(
    readonly origin: string,
    override readonly cause: Error,
    /** The proxy the request went through, when one did. */
    readonly proxy?: string,
  ) {
    super(
      `could not reach ${origin}${proxy ? ` through the proxy ${new URL(proxy).host}` : ''}: ${cause.message}`,
    );
    this.name = 'NetworkError';
  }
}
