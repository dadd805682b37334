import type { TargetOptions } from '../shared/options.js';

/** exo-cba token: one access token for the profile's workload resource, on stdout. */
export interface TokenOptions {
  /** Sign in with the CI system's own OIDC token (workload identity federation) instead of the certificate. */
  federated: boolean;
  target: TargetOptions;
  /** --federated-token-file: the CI token's file (else GitHub Actions' endpoint, or AZURE_FEDERATED_TOKEN_FILE). */
  federatedTokenFile?: string;
}
