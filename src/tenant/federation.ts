import { createHash } from 'node:crypto';
import { usageError } from '../core/errors.js';

/**
 * Workload identity federation, as pure functions: which issuer and subject a CI system's token carries for
 * each provider, the name of the federated identity credential within Graph's rules, and what an app's
 * existing credentials mean for a new one (exo-cba workloads-and-secretless §2b; Microsoft Graph
 * federatedIdentityCredential resource; GitHub's OIDC reference; GitLab's ID token docs).
 */

/** The audience Entra accepts in a federated token (the credential's one `audiences` value). */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
const GITLAB_ISSUER = 'https://gitlab.com';
const AZURE_DEVOPS_ISSUER = 'https://vstoken.dev.azure.com';
/** Graph: at most 20 federated identity credentials per application. */
export const FEDERATED_CREDENTIAL_LIMIT = 20;
const MAX_NAME = 120;
const MAX_TEXT = 600;

type GitRef = { kind: 'branch' | 'tag'; name: string };
export type GitHubOn = GitRef | { kind: 'environment'; name: string } | { kind: 'pull-request' };

export type FederationSpec =
  | { provider: 'github'; repository: string; on: GitHubOn }
  | {
      provider: 'azure-devops';
      organization: string;
      project: string;
      serviceConnection: string;
      organizationId: string;
    }
  | { provider: 'gitlab'; project: string; url: string; ref: GitRef }
  | { provider: 'issuer'; issuer: string; subject: string };

type Provider = FederationSpec['provider'];

/** One trust to write: the federated identity credential's fields. */
export interface Trust {
  provider: Provider;
  issuer: string;
  subject: string;
  audience: string;
  name: string;
  description: string;
}

/** A federated identity credential as Graph returns it (the fields this module reads). */
export interface ExistingCredential {
  id: string;
  name: string;
  issuer: string;
  subject: string;
  audiences?: string[];
}

function subjectOf(spec: FederationSpec): string {
  switch (spec.provider) {
    case 'github': {
      const base = `repo:${spec.repository}`;
      switch (spec.on.kind) {
        case 'environment':
          return `${base}:environment:${spec.on.name}`;
        case 'branch':
          return `${base}:ref:refs/heads/${spec.on.name}`;
        case 'tag':
          return `${base}:ref:refs/tags/${spec.on.name}`;
        case 'pull-request':
          // GitHub emits pull_request (the Entra create-trust page's "pull-request" is a slip).
          return `${base}:pull_request`;
      }
      break;
    }
    case 'azure-devops':
      return `sc://${spec.organization}/${spec.project}/${spec.serviceConnection}`;
    case 'gitlab':
      return `project_path:${spec.project}:ref_type:${spec.ref.kind}:ref:${spec.ref.name}`;
    case 'issuer':
      return spec.subject;
  }
}

function issuerOf(spec: FederationSpec): string {
  switch (spec.provider) {
    case 'github':
      return GITHUB_ISSUER;
    case 'azure-devops':
      return `${AZURE_DEVOPS_ISSUER}/${spec.organizationId}`;
    case 'gitlab':
      return spec.url;
    case 'issuer':
      return spec.issuer;
  }
}

const hash8 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 8);

/**
 * A name within Graph's rules (3–120 characters: letters, digits, '-' and '_', starting with a letter or digit),
 * read off the subject: `github-contoso-jobs-branch-main`. Anything else becomes '-'; a name cut to fit, or
 * `withHash`, ends in eight hex digits of the issuer and subject, so that two subjects never share a name.
 */
export function credentialName(
  provider: Provider,
  issuer: string,
  subject: string,
  withHash = false,
): string {
  const readable = subject
    .replace(/^repo:/, '')
    .replace(/:ref:refs\/heads\//, '-branch-')
    .replace(/:ref:refs\/tags\//, '-tag-')
    .replace(/^sc:\/\//, '')
    .replace(/^project_path:/, '')
    .replace(/:ref_type:(branch|tag):ref:/, '-$1-');
  const body = `${provider === 'issuer' ? 'oidc' : provider}-${readable}`
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  const suffix = `-${hash8(`${issuer}\n${subject}`)}`;
  if (!withHash && body.length <= MAX_NAME && body.length >= 3) return body;
  return `${body.slice(0, MAX_NAME - suffix.length).replace(/-+$/, '')}${suffix}`;
}

export function trustOf(spec: FederationSpec): Trust {
  const issuer = issuerOf(spec);
  const subject = subjectOf(spec);
  for (const [what, v] of [
    ['issuer', issuer],
    ['subject', subject],
  ] as const)
    if (v.length > MAX_TEXT)
      throw usageError(
        `The ${what} is ${v.length} characters long; Graph takes at most ${MAX_TEXT}.`,
        `Shorten the names that make up the ${what}.`,
      );
  return {
    provider: spec.provider,
    issuer,
    subject,
    audience: TOKEN_EXCHANGE_AUDIENCE,
    name: credentialName(spec.provider, issuer, subject),
    description: `exo-cba: ${spec.provider} ${subject}`.slice(0, MAX_TEXT),
  };
}

/** What the app's credentials mean for a new trust. */
export type Placement =
  | { kind: 'exists'; credential: ExistingCredential }
  /** The same issuer and subject with another audience: Graph refuses a second one, so it must be replaced. */
  | { kind: 'other-audience'; credential: ExistingCredential }
  | { kind: 'full'; count: number }
  | { kind: 'add'; trust: Trust };

export function place(trust: Trust, existing: ExistingCredential[]): Placement {
  const same = existing.find((c) => c.issuer === trust.issuer && c.subject === trust.subject);
  if (same)
    return (same.audiences ?? []).includes(trust.audience)
      ? { kind: 'exists', credential: same }
      : { kind: 'other-audience', credential: same };
  if (existing.length >= FEDERATED_CREDENTIAL_LIMIT) return { kind: 'full', count: existing.length };
  // Names are unique within the app, compared without regard to case: another subject's name gets a hash.
  const taken = (n: string) => existing.some((c) => c.name.toLowerCase() === n.toLowerCase());
  const name = taken(trust.name)
    ? credentialName(trust.provider, trust.issuer, trust.subject, true)
    : trust.name;
  return { kind: 'add', trust: { ...trust, name } };
}

// --- input --------------------------------------------------------------------------------------

const GITHUB_REPO = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;
const GITLAB_PROJECT = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A branch, tag or environment name as it appears in a subject: no spaces at its ends, no ':' (the separator). */
export function parseRefName(flag: string, value: string): string {
  const control = Array.from({ length: value.length }, (_, i) => value.charCodeAt(i)).some((c) => c < 32);
  if (value === '' || value.trim() !== value || value.includes(':') || control)
    throw usageError(
      `${flag} '${value}' cannot be part of a federated subject.`,
      `Give the name exactly as the CI system shows it, without spaces at its ends or ':'.`,
      'Entra compares the subject exactly, case included: a name that differs by one character never matches.',
    );
  return value;
}

export function parseGitHubRepository(value: string): string {
  if (!GITHUB_REPO.test(value))
    throw usageError(
      `--github takes OWNER/REPO (e.g. contoso/exchange-jobs), got '${value}'.`,
      'Use the repository as GitHub shows it, with the case it has: Entra compares subjects case-sensitively.',
    );
  return value;
}

export function parseGitLabProject(value: string): string {
  if (!GITLAB_PROJECT.test(value))
    throw usageError(
      `--gitlab takes GROUP/PROJECT (subgroups allowed: GROUP/SUBGROUP/PROJECT), got '${value}'.`,
      "Use the project's path as GitLab shows it (CI_PROJECT_PATH).",
    );
  return value;
}

export function parseAzureDevOps(value: string): {
  organization: string;
  project: string;
  serviceConnection: string;
} {
  const parts = value.split('/');
  if (parts.length !== 3 || parts.some((p) => p.trim() === '' || p.trim() !== p))
    throw usageError(
      `--azure-devops takes ORGANIZATION/PROJECT/SERVICE-CONNECTION, got '${value}'.`,
      'For example --azure-devops contoso/jobs/exchange-online (the service connection by its name).',
    );
  const [organization = '', project = '', serviceConnection = ''] = parts;
  return { organization, project, serviceConnection };
}

export function parseOrganizationId(value: string): string {
  if (!GUID.test(value))
    throw usageError(
      `--organization-id takes the Azure DevOps organization's id (a GUID), got '${value}'.`,
      'It is the last part of the issuer the service connection shows (https://vstoken.dev.azure.com/<id>).',
    );
  return value.toLowerCase();
}

/** An issuer URL as Entra compares it: https, no whitespace, no trailing slash unless the issuer has one. */
export function parseIssuer(flag: string, value: string, opts: { trimSlash: boolean }): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:' || value.trim() !== value || /\s/.test(value))
    throw usageError(
      `${flag} must be an https URL without spaces, got '${value}'.`,
      "Give the issuer exactly as the token's iss claim carries it.",
      'Entra compares the issuer exactly: a space or a different scheme means no token ever matches.',
    );
  return opts.trimSlash ? value.replace(/\/+$/, '') : value;
}

export function parseSubject(value: string): string {
  if (value === '' || value.trim() !== value || value.length > MAX_TEXT)
    throw usageError(
      `--subject must be 1–${MAX_TEXT} characters without spaces at its ends.`,
      "Give the subject exactly as the token's sub claim carries it.",
    );
  return value;
}

export function parseCredentialName(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/.test(value))
    throw usageError(
      `'${value}' is not a federated credential name (3–120 letters, digits, '-' or '_', starting with a letter ` +
        `or digit).`,
      'exo-cba federate --list shows the names on the app.',
    );
  return value;
}

export const GITLAB_DEFAULT_URL = GITLAB_ISSUER;

/** The federate flags that trust a subject exo-cba knows the shape of (for advice), or undefined. */
export function federateFlagsFor(issuer: string, subject: string): string | undefined {
  if (issuer === GITHUB_ISSUER) {
    const m = /^repo:([^:]+):(environment|ref|pull_request)(?::(.+))?$/.exec(subject);
    if (!m) return undefined;
    const [, repo = '', kind, rest = ''] = m;
    if (kind === 'pull_request') return `--github ${repo} --pull-request`;
    if (kind === 'environment') return `--github ${repo} --environment ${rest}`;
    const ref = /^refs\/(heads|tags)\/(.+)$/.exec(rest);
    if (ref) return `--github ${repo} --${ref[1] === 'heads' ? 'branch' : 'tag'} ${ref[2] ?? ''}`;
    return undefined;
  }
  const gl = /^project_path:(.+):ref_type:(branch|tag):ref:(.+)$/.exec(subject);
  if (gl) {
    const url = issuer === GITLAB_ISSUER ? '' : ` --gitlab-url ${issuer}`;
    return `--gitlab ${gl[1] ?? ''} --${gl[2] ?? 'branch'} ${gl[3] ?? ''}${url}`;
  }
  return `--issuer ${issuer} --subject '${subject.replace(/'/g, "'\\''")}'`;
}
