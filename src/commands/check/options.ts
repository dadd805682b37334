import type { TargetOptions } from '../shared/options.js';

export interface CheckOptions {
  target: TargetOptions;
  warnDays: number;
  strict: boolean;
  graph: boolean;
  junit?: string;
  concurrency: number;
  /**
   * --federated: sign in with the CI system's own OIDC token instead of the certificate (the certificate and
   * file checks are skipped, and the report says so).
   */
  federated: boolean;
  /** --federated-token-file: the CI token's file (else GitHub Actions' endpoint, or AZURE_FEDERATED_TOKEN_FILE). */
  federatedTokenFile?: string;
}
