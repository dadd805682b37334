/**
 * A stand-in for GitHub Actions' OIDC token service, on its own origin:
 * - `GET <ACTIONS_ID_TOKEN_REQUEST_URL>&audience=…` with `Authorization: bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>`
 *   answers `{"count":…,"value":"<jwt>"}`; without `audience` the token's `aud` is the repository owner's URL, as
 *   GitHub does (docs.github.com/actions/reference/security/oidc, "audience … defaults to the URL of the
 *   repository owner"); a missing or wrong request token is 401;
 * - `GET /.well-known/openid-configuration` and `GET /.well-known/jwks` (the discovery document and keys).
 * Tokens are RS256 with `kid`, `iss` = https://token.actions.githubusercontent.com (the real issuer, as tokens of
 * the other stand-ins keep the real resources), `sub` = `repo:OWNER/REPO:ref:refs/heads/main` unless a test or
 * the sandbox action `oidc-token` says otherwise (another subject, issuer or lifetime, for the next tokens or
 * per request with `subject=`/`issuer=` query parameters, a sandbox extension). Entra's token service trusts an
 * issuer's keys through `keysFor(iss)`, as it would fetch them from the issuer's discovery document.
 */
import { randomBytes, randomUUID, createHash } from 'node:crypto';
import { SignJWT, generateKeyPair, exportJWK, type CryptoKey, type JWK } from 'jose';
import type { SbRequest, SbResponse } from './http-util.js';

const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
const DEFAULT_REPOSITORY = 'contoso/exchange-jobs';

export interface OidcSettings {
  issuer: string;
  /** The `sub` claim; by default `repo:<repository>:ref:refs/heads/main`. */
  subject: string;
  /** Seconds the token is valid (GitHub's are valid for minutes). */
  lifetimeS: number;
}

export class OidcIssuer {
  readonly requestToken = randomBytes(24).toString('base64url');
  /** The path of ACTIONS_ID_TOKEN_REQUEST_URL (a job's id-token endpoint, as GitHub's runner is given it). */
  readonly requestPath = `/_apis/distributedtask/hubs/build/plans/${randomUUID()}/jobs/${randomUUID()}/idtoken`;
  settings: OidcSettings = {
    issuer: GITHUB_ISSUER,
    subject: `repo:${DEFAULT_REPOSITORY}:ref:refs/heads/main`,
    lifetimeS: 300,
  };
  /** Issuers this service has signed as: the token service trusts their keys. */
  private readonly issuers = new Set<string>([GITHUB_ISSUER]);
  /** Tokens served, for tests to count (never their values). */
  served = 0;

  private constructor(
    private readonly key: { privateKey: CryptoKey; jwk: JWK; kid: string },
    private readonly origin: () => string,
    private readonly now: () => number,
  ) {}

  static async start(origin: () => string, now: () => number): Promise<OidcIssuer> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const kid = createHash('sha256').update(JSON.stringify(jwk)).digest('hex').slice(0, 40).toUpperCase();
    return new OidcIssuer({ privateKey, jwk: { ...jwk, kid, use: 'sig', alg: 'RS256' }, kid }, origin, now);
  }

  /** The request URL a job sees: clients append `&audience=…`. */
  requestUrl(): string {
    return `${this.origin()}${this.requestPath}?api-version=2.0`;
  }

  /** The public keys of an issuer this service signs as, or undefined for any other issuer. */
  keysFor(issuer: string): JWK[] | undefined {
    return this.issuers.has(issuer) ? [this.key.jwk] : undefined;
  }

  /** The sandbox action: settings for the tokens served from now on. */
  configure(patch: Partial<Record<keyof OidcSettings, unknown>>): { ok: boolean; message: string } {
    const next = { ...this.settings };
    if (typeof patch.issuer === 'string') next.issuer = patch.issuer;
    if (typeof patch.subject === 'string') next.subject = patch.subject;
    if (typeof patch.lifetimeS === 'number') next.lifetimeS = patch.lifetimeS;
    this.settings = next;
    this.issuers.add(next.issuer);
    return { ok: true, message: `OIDC tokens: issuer ${next.issuer}, subject ${next.subject}` };
  }

  /** A token as GitHub signs it (the claims GitHub documents, trimmed to those a relying party reads). */
  async sign(o: { audience: string; subject?: string; issuer?: string }): Promise<string> {
    const issuer = o.issuer ?? this.settings.issuer;
    this.issuers.add(issuer);
    const subject = o.subject ?? this.settings.subject;
    const repository = /^repo:([^:]+):/.exec(subject)?.[1] ?? DEFAULT_REPOSITORY;
    const nowS = Math.floor(this.now() / 1000);
    return new SignJWT({
      jti: randomUUID(),
      sub: subject,
      aud: o.audience,
      repository,
      repository_owner: repository.split('/')[0] ?? '',
      ref: /:ref:(.+)$/.exec(subject)?.[1] ?? 'refs/heads/main',
      runner_environment: 'github-hosted',
      iss: issuer,
      nbf: nowS - 5,
      iat: nowS - 5,
      exp: nowS + this.settings.lifetimeS,
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.key.kid, x5t: this.key.kid })
      .sign(this.key.privateKey);
  }

  async handle(req: SbRequest): Promise<SbResponse> {
    const path = req.url.pathname;
    if (req.method === 'GET' && path === '/.well-known/openid-configuration')
      return {
        status: 200,
        body: {
          issuer: this.settings.issuer,
          jwks_uri: `${this.origin()}/.well-known/jwks`,
          subject_types_supported: ['public', 'pairwise'],
          response_types_supported: ['id_token'],
          claims_supported: ['sub', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'ref', 'repository'],
          id_token_signing_alg_values_supported: ['RS256'],
          scopes_supported: ['openid'],
        },
      };
    if (req.method === 'GET' && path === '/.well-known/jwks')
      return { status: 200, body: { keys: [this.key.jwk] } };
    if (req.method === 'GET' && path === this.requestPath) return this.idToken(req);
    return { status: 404, body: { message: 'Not Found' } };
  }

  private async idToken(req: SbRequest): Promise<SbResponse> {
    const auth = req.headers['authorization'];
    const m = typeof auth === 'string' ? /^bearer\s+(.+)$/i.exec(auth.trim()) : null;
    if (m?.[1] !== this.requestToken) return { status: 401, body: { message: 'Unauthorized' } };
    const q = req.url.searchParams;
    const subject = q.get('subject') ?? this.settings.subject;
    const owner = /^repo:([^/:]+)/.exec(subject)?.[1] ?? 'contoso';
    const value = await this.sign({
      audience: q.get('audience') ?? `https://github.com/${owner}`,
      subject,
      ...(q.get('issuer') ? { issuer: q.get('issuer') ?? '' } : {}),
    });
    this.served += 1;
    return { status: 200, body: { count: value.length, value } };
  }
}
