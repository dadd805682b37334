import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync, renameSync, mkdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { makeSandboxTls } from './tls.js';
import { Directory, newDirectory, type DirectoryData } from './directory.js';
import { TokenService, makeSigningKey } from './tokens.js';
import { GraphService } from './graph.js';
import { ExchangeService } from './exchange.js';
import { ComplianceService } from './compliance.js';
import { SharePointService } from './sharepoint.js';
import { TeamsService } from './teams.js';
import { seedWorkloads } from './workload-seed.js';
import { OidcIssuer } from './oidc-issuer.js';
import { Faults, type FaultState, type Service, type LogEntry, endpointOf } from './faults.js';
import { readRequest, send, type SbRequest, type SbResponse, jsonOf } from './http-util.js';

export interface SandboxOptions {
  /** Ports of the services; 0 (the default) picks free ones. */
  ports?: Partial<Record<ListenerName, number>>;
  faults?: Partial<FaultState>;
  /** Keep the tenant's directory in this JSON file between runs (the in-process sandbox of --sandbox). */
  stateFile?: string;
  /** Resource identifiers of the cloud the sandbox plays (global by default). */
  resources?: { graph: string; exchange: string };
  now?: () => number;
  /**
   * The host name the sandbox calls itself in its URLs and certificate (it always listens on 127.0.0.1): a
   * name that only a proxy can reach tests that every request goes through the proxy.
   */
  hostname?: string;
  /** Called after each request is served and logged, before the answer is sent (tests use it to kill a client mid-step). */
  onRequest?: (entry: LogEntry) => void;
}

/** One HTTPS listener per Microsoft host the sandbox stands in for (it cannot tell host names apart). */
type ListenerName =
  | 'authority'
  | 'graph'
  | 'exchange'
  | 'compliance'
  | 'complianceRegion'
  | 'sharepoint'
  | 'teams'
  | 'githubOidc';
const LISTENERS: readonly ListenerName[] = [
  'authority',
  'graph',
  'exchange',
  'compliance',
  'complianceRegion',
  'sharepoint',
  'teams',
  'githubOidc',
];

export interface Sandbox {
  authority: string;
  graph: string;
  exchange: string;
  /** S&C's global host (it redirects to the regional one) and the tenant's regional host. */
  compliance: string;
  complianceRegion: string;
  /** The tenant's SharePoint host (https://<name>.sharepoint.com in tokens). */
  sharepoint: string;
  /** The Skype and Teams Tenant Admin API. */
  teams: string;
  /** GitHub Actions' OIDC token service (ACTIONS_ID_TOKEN_REQUEST_URL, discovery, keys). */
  githubOidc: string;
  oidc: OidcIssuer;
  caPem: string;
  directory: Directory;
  faults: Faults;
  tokens: TokenService;
  /** The EXO_CBA_* lines that point exo-cba at this sandbox (NODE_EXTRA_CA_CERTS needs a file). */
  env(caFile: string): Record<string, string>;
  /** Out-of-band changes an admin (or an attacker, or time) might make. */
  act(action: SandboxAction): { ok: boolean; message: string };
  save(): void;
  stop(): Promise<void>;
}

type SandboxAction =
  | { action: 'remove-grant'; appId: string }
  | { action: 'remove-role'; appId: string }
  | { action: 'expire-key'; appId: string; thumbprint?: string }
  | { action: 'delete-app'; appId: string }
  /** SharePoint: revoke the app's Sites.Selected grants (on one site, by URL, or on all). */
  | { action: 'remove-site-grant'; appId: string; siteUrl?: string };

/** The OIDC stand-in's settings for the tokens it serves next (issuer, subject, lifetime): no app involved. */
const OIDC_ACTION = 'oidc-token';

const GLOBAL_RESOURCES = { graph: 'https://graph.microsoft.com', exchange: 'https://outlook.office365.com' };

function loadDirectory(
  file: string | undefined,
  resources: { graph: string; exchange: string },
): DirectoryData {
  if (file && existsSync(file)) {
    const data = JSON.parse(readFileSync(file, 'utf8')) as DirectoryData;
    if (data.schemaVersion === 1) return seedWorkloads(data);
  }
  return seedWorkloads(newDirectory(resources));
}

function removeSiteGrants(directory: Directory, appId: string, siteUrl?: string) {
  const path = siteUrl ? new URL(siteUrl).pathname.replace(/\/+$/, '').toLowerCase() : undefined;
  const site = (directory.data.sites ?? []).find((s) => s.path.toLowerCase() === path);
  return (directory.data.sitePermissions ?? []).filter(
    (p) => p.appId !== appId || (path !== undefined && p.siteId !== site?.id),
  );
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  // eslint-disable-next-line no-restricted-properties -- the sandbox is its own service with its own clock
  const now = options.now ?? (() => Date.now());
  const resources = options.resources ?? GLOBAL_RESOURCES;
  const origins: Record<ListenerName, string> = {
    authority: '',
    graph: '',
    exchange: '',
    compliance: '',
    complianceRegion: '',
    sharepoint: '',
    teams: '',
    githubOidc: '',
  };
  // The three keys are made side by side: start-up is what every test and `exo-cba sandbox` waits for.
  const [tls, key, oidc] = await Promise.all([
    makeSandboxTls(new Date(now()), options.hostname),
    makeSigningKey(),
    OidcIssuer.start(() => origins.githubOidc, now),
  ]);
  const faults = new Faults(options.faults);
  const directory = new Directory(
    loadDirectory(options.stateFile, resources),
    now,
    faults.state.replicationDelayMs,
  );
  const tokens = new TokenService({
    origin: () => origins.authority,
    directory,
    key,
    faults,
    now,
    resources,
    federatedKeys: (issuer) => oidc.keysFor(issuer),
  });
  const graph = new GraphService(
    directory,
    tokens,
    () => origins.graph,
    [resources.graph, 'https://graph.microsoft.com', '00000003-0000-0000-c000-000000000000'],
    now,
    () => faults.state.keyPolicy,
  );
  const exchange = new ExchangeService(
    directory,
    tokens,
    faults,
    resources.exchange,
    () => origins.authority,
  );
  const compliance = new ComplianceService(directory, tokens, faults, {
    authority: () => origins.authority,
    region: () => origins.complianceRegion,
  });
  const sharepoint = new SharePointService(directory, tokens);
  const teams = new TeamsService(directory, tokens, () => origins.teams);

  const save = () => {
    if (!options.stateFile) return;
    mkdirSync(path.dirname(options.stateFile), { recursive: true, mode: 0o700 });
    const tmp = `${options.stateFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(directory.data, null, 2), { mode: 0o600 });
    renameSync(tmp, options.stateFile);
  };

  const act = (a: SandboxAction): { ok: boolean; message: string } => {
    const app = directory.appByAppId(a.appId, true);
    const sp = directory.spByAppId(a.appId, true);
    if (!app) return { ok: false, message: `no application with appId ${a.appId}` };
    let message: string;
    switch (a.action) {
      case 'remove-grant': {
        const before = directory.data.appRoleAssignments.length;
        directory.data.appRoleAssignments = directory.data.appRoleAssignments.filter(
          (g) => g.principalId !== sp?.id,
        );
        message = `removed ${before - directory.data.appRoleAssignments.length} app role grant(s)`;
        break;
      }
      case 'remove-role': {
        const before = directory.data.roleAssignments.length;
        directory.data.roleAssignments = directory.data.roleAssignments.filter(
          (r) => r.principalId !== sp?.id,
        );
        message = `removed ${before - directory.data.roleAssignments.length} directory role assignment(s)`;
        break;
      }
      case 'expire-key': {
        let n = 0;
        for (const k of app.keyCredentials) {
          const thumb = Buffer.from(k.customKeyIdentifier, 'base64').toString('hex').toUpperCase();
          if (!a.thumbprint || a.thumbprint.toUpperCase() === thumb) {
            k.startDateTime = new Date(
              Math.min(Date.parse(k.startDateTime), now() - 86_400_000),
            ).toISOString();
            k.endDateTime = new Date(now() - 60_000).toISOString();
            n++;
          }
        }
        message = `expired ${n} key(s)`;
        break;
      }
      case 'remove-site-grant': {
        const before = (directory.data.sitePermissions ?? []).length;
        directory.data.sitePermissions = removeSiteGrants(directory, a.appId, a.siteUrl);
        message = `removed ${before - directory.data.sitePermissions.length} site grant(s)`;
        break;
      }
      case 'delete-app':
        directory.deleteApplication(app.id);
        message = 'deleted the application, its service principal and its grants';
        break;
    }
    save();
    return { ok: true, message };
  };

  const control = async (req: SbRequest): Promise<SbResponse> => {
    const p = req.url.pathname.slice('/_sandbox'.length);
    if (p === '/faults' && req.method === 'GET') return { status: 200, body: faults.state };
    if (p === '/faults' && req.method === 'POST') {
      const patch = jsonOf(req);
      if (typeof patch !== 'object' || patch === null)
        return { status: 400, body: { error: 'send a JSON object of fault settings' } };
      faults.set(patch);
      directory.replicationDelayMs = faults.state.replicationDelayMs;
      return { status: 200, body: faults.state };
    }
    if (p === '/state' && req.method === 'GET') return { status: 200, body: directory.data };
    if (p === '/log' && req.method === 'GET')
      return { status: 200, body: { entries: faults.log, counts: faults.counts() } };
    if (p === '/log' && req.method === 'DELETE') {
      faults.log.length = 0;
      return { status: 204 };
    }
    const m = /^\/actions\/([a-z-]+)$/.exec(p);
    if (m?.[1] === OIDC_ACTION && req.method === 'POST') {
      const r = oidc.configure((jsonOf(req) as Record<string, unknown> | null) ?? {});
      return { status: 200, body: r };
    }
    if (m && req.method === 'POST') {
      const b = jsonOf(req) as Record<string, string> | null;
      const r = act({ ...(b ?? {}), action: m[1] } as SandboxAction);
      return { status: r.ok ? 200 : 404, body: r };
    }
    return { status: 404, body: { error: 'unknown sandbox control endpoint' } };
  };

  const serve = (service: Service, handler: (req: SbRequest) => Promise<SbResponse>, origin: () => string) =>
    https.createServer({ cert: tls.certPem, key: tls.keyPem }, (rawReq, res) => {
      void (async () => {
        const req = await readRequest(rawReq, origin());
        if (service === 'token' && req.url.pathname.startsWith('/_sandbox/'))
          return send(res, await control(req));
        directory.replicationDelayMs = faults.state.replicationDelayMs;
        let out = faults.intercept(service, req.method, req.url.pathname);
        if (!out) {
          try {
            out = await handler(req);
          } catch (err) {
            out = {
              status: 500,
              body: {
                error: { code: 'InternalServerError', message: `sandbox bug: ${(err as Error).message}` },
              },
            };
          }
          if (req.method !== 'GET' && out.status < 300) save();
        }
        const entry: LogEntry = {
          at: now(),
          service,
          method: req.method,
          path: req.url.pathname,
          endpoint: endpointOf(req.url.pathname, directory.tenant.initialDomain),
          status: out.status,
        };
        faults.record(entry);
        options.onRequest?.(entry);
        send(res, out);
      })().catch((err: unknown) => {
        res.destroy(err as Error);
      });
    });

  const servers = {
    authority: serve(
      'token',
      (r) => tokens.handle(r),
      () => origins.authority,
    ),
    graph: serve(
      'graph',
      (r) => graph.handle(r),
      () => origins.graph,
    ),
    exchange: serve(
      'exchange',
      (r) => exchange.handle(r),
      () => origins.exchange,
    ),
    compliance: serve(
      'compliance',
      (r) => compliance.handleGlobal(r),
      () => origins.compliance,
    ),
    complianceRegion: serve(
      'compliance-region',
      (r) => compliance.handleRegional(r),
      () => origins.complianceRegion,
    ),
    sharepoint: serve(
      'sharepoint',
      (r) => sharepoint.handle(r),
      () => origins.sharepoint,
    ),
    teams: serve(
      'teams',
      (r) => teams.handle(r),
      () => origins.teams,
    ),
    githubOidc: serve(
      'github-oidc',
      (r) => oidc.handle(r),
      () => origins.githubOidc,
    ),
  };
  for (const name of LISTENERS) {
    const server = servers[name];
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.ports?.[name] ?? 0, '127.0.0.1', () => resolve());
    });
    origins[name] = `https://${options.hostname ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  }

  return {
    ...origins,
    caPem: tls.caPem,
    directory,
    faults,
    tokens,
    oidc,
    env: (caFile) => ({
      EXO_CBA_AUTHORITY_HOST: origins.authority,
      EXO_CBA_GRAPH_ENDPOINT: origins.graph,
      EXO_CBA_EXCHANGE_ENDPOINT: origins.exchange,
      EXO_CBA_COMPLIANCE_ENDPOINT: origins.compliance,
      EXO_CBA_COMPLIANCE_REGION_ENDPOINT: origins.complianceRegion,
      EXO_CBA_SHAREPOINT_ENDPOINT: origins.sharepoint,
      EXO_CBA_TEAMS_ENDPOINT: origins.teams,
      // What a GitHub Actions job with `permissions: id-token: write` is given.
      ACTIONS_ID_TOKEN_REQUEST_URL: oidc.requestUrl(),
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.requestToken,
      NODE_EXTRA_CA_CERTS: caFile,
    }),
    act,
    save,
    stop: async () => {
      save();
      await Promise.all(
        Object.values(servers).map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
}
