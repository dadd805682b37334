import { defaultCode, type ErrorCode } from './error-codes.js';

export type { ErrorCode } from './error-codes.js';

/** Exit codes: the one table (README "Exit codes"). */
export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface ErrorDetail {
  /** Why it happened, in the admin's terms. */
  why?: string;
  /** What to do next. */
  fix?: string;
  /** exo-cba's stable code for this failure, from the one catalogue (core/error-codes.ts). */
  code?: ErrorCode;
  /** The service's own code (AADSTS…, Graph error code), for support. */
  serviceCode?: string;
  requestId?: string;
}

/** An expected failure: printed as what / why / what to do, without a stack trace. */
export class CliError extends Error {
  constructor(
    readonly exitCode: Exclude<ExitCode, 0>,
    message: string,
    readonly detail: ErrorDetail = {},
  ) {
    super(message);
    this.name = 'CliError';
  }

  get code(): ErrorCode {
    return this.detail.code ?? defaultCode(this.exitCode);
  }
}

export const usageError = (message: string, fix?: string, why?: string, code?: ErrorCode): CliError =>
  new CliError(EXIT.usage, message, { fix, why, ...(code ? { code } : {}) });

export const failure = (message: string, detail: ErrorDetail = {}): CliError =>
  new CliError(EXIT.failed, message, detail);

export class CancelledError extends CliError {
  constructor() {
    super(EXIT.cancelled, 'Cancelled.');
  }
}
