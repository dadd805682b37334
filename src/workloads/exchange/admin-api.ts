import type { HttpTransport } from '../../adapters/http.js';
import { ANCHOR_MAILBOX } from './facts.js';
import { classifyCmdletError, type CmdletError } from './cmdlet-errors.js';

/** Exchange Online's admin API (InvokeCommand): the app's proof of access, and an admin's RBAC cmdlets. */

export type ProbeResult =
  | { ok: true; status: number; count: number; rows: Record<string, unknown>[] }
  | {
      ok: false;
      status: number;
      kind: 'no-app-role' | 'no-directory-role' | 'throttled' | 'unavailable' | 'cmdlet' | 'unrecognised';
      message: string;
      retryAfterMs?: number;
      /** For kind 'cmdlet' with a typed envelope: what the exception type says (cmdlet-errors.ts). */
      error?: CmdletError;
    };

export interface ExchangeProbe {
  invoke(opts: {
    tenantId: string;
    organization: string;
    accessToken: string;
    cmdlet: string;
    parameters?: Record<string, unknown>;
  }): Promise<ProbeResult>;
}

/** Where one InvokeCommand call goes, and what it sends: Exchange's and S&C's admin APIs differ only here. */
export interface InvokeCommandTarget {
  /** The origin to call for this tenant (S&C: its regional host, once found). */
  origin(tenantId: string): Promise<string> | string;
  anchorMailbox(p: { tenantId: string; organization: string }): string;
  /** An answer that is not the service's own (a redirect to the tenant's region), handled before it is read. */
  redirected?(p: { tenantId: string; status: number; headers: Record<string, string> }): boolean;
}

export function makeInvokeCommand(target: InvokeCommandTarget, http: HttpTransport): ExchangeProbe {
  const once = async (opts: Parameters<ExchangeProbe['invoke']>[0]) => {
    const { tenantId, organization, accessToken, cmdlet, parameters } = opts;
    const origin = await target.origin(tenantId);
    return http({
      method: 'POST',
      url: `${origin}/adminapi/beta/${encodeURIComponent(tenantId)}/InvokeCommand`,
      headers: {
        authorization: `Bearer ${accessToken}`,
        'content-type': 'application/json',
        'x-anchormailbox': target.anchorMailbox({ tenantId, organization }),
        'x-responseformat': 'json',
        // One small page: replaying @odata.nextLink has been seen to fail.
        prefer: 'odata.maxpagesize=10',
      },
      body: JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: parameters ?? {} } }),
    });
  };
  return {
    async invoke(opts) {
      let res = await once(opts);
      // One redirect is followed (to the region it names); a second is an answer exo-cba does not know.
      if (target.redirected?.({ tenantId: opts.tenantId, status: res.status, headers: res.headers }))
        res = await once(opts);
      return interpret(res.status, res.body, res.headers);
    },
  };
}

/** Exchange Online's admin API at an origin (the cloud's, or EXO_CBA_EXCHANGE_ENDPOINT's). */
export function makeExchangeProbe(origin: string, http: HttpTransport): ExchangeProbe {
  return makeInvokeCommand(
    { origin: () => origin, anchorMailbox: ({ organization }) => `UPN:${ANCHOR_MAILBOX}@${organization}` },
    http,
  );
}

/**
 * Exchange answers in several shapes, some not JSON at all (a 403 of NUL bytes has been seen); each maps to one
 * outcome.
 */
export function interpret(status: number, body: Buffer, headers: Record<string, string>): ProbeResult {
  let json:
    | {
        value?: unknown[];
        error?: {
          code?: string;
          message?: string;
          details?: { message?: string }[];
          innererror?: { internalexception?: { message?: string } };
        };
      }
    | undefined;
  const text = body.toString('utf8');
  if (text.replace(/\0/g, '').trim() !== '') {
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      json = undefined;
    }
  }
  const msg = json?.error?.message ?? '';
  if (status === 200 && json && Array.isArray(json.value))
    return { ok: true, status, count: json.value.length, rows: json.value as Record<string, unknown>[] };
  if (status === 429 || status === 503) {
    const ra = Number(headers['retry-after']);
    return {
      ok: false,
      status,
      kind: status === 429 ? 'throttled' : 'unavailable',
      message: msg || `HTTP ${status}`,
      ...(Number.isFinite(ra) ? { retryAfterMs: ra * 1000 } : {}),
    };
  }
  // A typed cmdlet-error envelope is a cmdlet error whatever the status (400, 403 and others are seen).
  const typed = status !== 200 ? classifyCmdletError(json) : undefined;
  if (typed) return { ok: false, status, kind: 'cmdlet', message: typed.message, error: typed };
  if (status === 401) {
    if (
      /role assigned to application|isn't supported in this scenario|not supported in this scenario/i.test(
        msg,
      )
    )
      return { ok: false, status, kind: 'no-directory-role', message: msg };
    return { ok: false, status, kind: 'no-app-role', message: msg || 'Exchange refused the token (401).' };
  }
  if (status === 403)
    return {
      ok: false,
      status,
      kind: 'no-directory-role',
      message: msg || 'Exchange refused the app (403) without an explanation.',
    };
  if (status === 400 && json?.error) {
    const detail =
      json.error.details?.[0]?.message ?? json.error.innererror?.internalexception?.message ?? msg;
    return { ok: false, status, kind: 'cmdlet', message: detail || 'Invalid Operation' };
  }
  if (status >= 500) return { ok: false, status, kind: 'unavailable', message: msg || `HTTP ${status}` };
  return {
    ok: false,
    status,
    kind: 'unrecognised',
    message: `Exchange answered HTTP ${status} in a way exo-cba does not recognise${msg ? `: ${msg}` : ''}.`,
  };
}
