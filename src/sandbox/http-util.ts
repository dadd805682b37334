import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

export interface SbRequest {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface SbResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer | object;
}

export async function readRequest(req: IncomingMessage, origin: string): Promise<SbRequest> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    url: new URL(req.url ?? '/', origin),
    headers: req.headers,
    body: Buffer.concat(chunks),
  };
}

export function send(res: ServerResponse, out: SbResponse): void {
  const headers: Record<string, string> = { ...(out.headers ?? {}) };
  let body: Buffer | undefined;
  if (out.body === undefined) body = undefined;
  else if (Buffer.isBuffer(out.body)) body = out.body;
  else if (typeof out.body === 'string') body = Buffer.from(out.body, 'utf8');
  else {
    body = Buffer.from(JSON.stringify(out.body), 'utf8');
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  res.writeHead(out.status, headers);
  res.end(body);
}

export function form(req: SbRequest): URLSearchParams {
  return new URLSearchParams(req.body.toString('utf8'));
}

export function jsonOf(req: SbRequest): unknown {
  try {
    return JSON.parse(req.body.toString('utf8') || 'null');
  } catch {
    return Symbol.for('invalid-json');
  }
}

export const INVALID_JSON = Symbol.for('invalid-json');

export function bearer(req: SbRequest): string | undefined {
  const h = req.headers['authorization'];
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  return m?.[1];
}

/** Graph's OData error body (learn.microsoft.com/graph/errors). */
export function graphError(
  status: number,
  code: string,
  message: string,
  extra: {
    details?: { code: string; message: string; target?: string }[];
    headers?: Record<string, string>;
  } = {},
): SbResponse {
  const requestId = randomUUID();
  return {
    status,
    headers: { 'request-id': requestId, 'client-request-id': requestId, ...(extra.headers ?? {}) },
    body: {
      error: {
        code,
        message,
        ...(extra.details ? { details: extra.details } : {}),
        innerError: {
          date: new Date().toISOString().slice(0, 19),
          'request-id': requestId,
          'client-request-id': requestId,
        },
      },
    },
  };
}

/** Entra's token endpoint error body: { error, error_description "AADSTSnnnn: …", error_codes, … }. */
export function stsError(
  status: number,
  error: string,
  aadsts: number,
  text: string,
  headers: Record<string, string> = {},
): SbResponse {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  return {
    status,
    headers,
    body: {
      error,
      error_description:
        `AADSTS${aadsts}: ${text} Trace ID: ${traceId} Correlation ID: ` +
        `${correlationId} Timestamp: ${timestamp}`,
      error_codes: [aadsts],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
    },
  };
}
