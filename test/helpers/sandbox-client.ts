import { createHash, randomUUID } from 'node:crypto';
import { SignJWT, importPKCS8 } from 'jose';
import type { Sandbox } from '../../src/sandbox/server.js';
import { httpsWithCa } from './https.js';
import { registerKey, type TestCert } from './certs.js';

/**
 * A bare client of the sandbox for its own tests: HTTPS calls, client assertions signed with a test certificate
 * (RFC 7523, as Entra's certificate-credentials page describes them), app-only and admin tokens. Written here,
 * apart from exo-cba's own code, so a fault in the tool cannot hide in the tests.
 */

export interface Answer {
  status: number;
  headers: Record<string, string>;
  json: Record<string, unknown> & { length?: number };
  text: string;
}

export interface SandboxClient {
  call(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
  assertion(clientId: string, cert: TestCert): Promise<string>;
  /** Client credentials with a certificate assertion (or, with `secret`, a client secret) for `scope`. */
  token(clientId: string, scope: string, proof: { cert: TestCert } | { secret: string }): Promise<Answer>;
  /** A signed-in admin's delegated Graph token (device code, approved by the sandbox), for these scopes. */
  adminToken(scopes: string[]): Promise<string>;
}

export function sandboxClient(sb: Sandbox): SandboxClient {
  const http = httpsWithCa(sb.caPem);
  const domain = sb.directory.tenant.initialDomain;
  const tokenUrl = `${sb.authority}/${domain}/oauth2/v2.0/token`;
  const call: SandboxClient['call'] = async (method, url, body, headers = {}) => {
    const isForm = body instanceof URLSearchParams;
    const res = await http({
      method,
      url,
      headers: {
        ...(body !== undefined
          ? { 'content-type': isForm ? 'application/x-www-form-urlencoded' : 'application/json' }
          : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: isForm ? body.toString() : JSON.stringify(body) } : {}),
    });
    const text = res.body.toString('utf8');
    let json: Answer['json'] = {};
    try {
      json = JSON.parse(text) as Answer['json'];
    } catch {
      /* not JSON */
    }
    return { status: res.status, headers: res.headers, json, text };
  };
  const assertion = async (clientId: string, cert: TestCert) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({
        alg: 'RS256',
        typ: 'JWT',
        x5t: createHash('sha1').update(cert.info.der).digest('base64url'),
      })
      .setAudience(tokenUrl)
      .setIssuer(clientId)
      .setSubject(clientId)
      .setNotBefore(now)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(await importPKCS8(cert.keyPem, 'RS256'));
  };
  return {
    call,
    assertion,
    token: async (clientId, scope, proof) =>
      call(
        'POST',
        tokenUrl,
        new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          scope,
          ...('cert' in proof
            ? {
                client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
                client_assertion: await assertion(clientId, proof.cert),
              }
            : { client_secret: proof.secret }),
        }),
      ),
    adminToken: async (scopes) => {
      const clientId = '14d82eec-204b-4c2f-b7e8-296a70dab67e';
      const dc = await call(
        'POST',
        `${sb.authority}/${domain}/oauth2/v2.0/devicecode`,
        new URLSearchParams({
          client_id: clientId,
          scope: [...scopes.map((s) => `https://graph.microsoft.com/${s}`), 'openid'].join(' '),
        }),
      );
      const t = await call(
        'POST',
        tokenUrl,
        new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
          client_id: clientId,
          device_code: String(dc.json['device_code']),
        }),
      );
      if (t.status !== 200) throw new Error(`admin sign-in failed: ${t.text}`);
      return String(t.json['access_token']);
    },
  };
}

/** An application with its service principal and one certificate, written straight into the sandbox's directory. */
export function seedApp(sb: Sandbox, cert: TestCert, displayName = 'workload app') {
  const d = sb.directory.data;
  const a = { id: randomUUID(), appId: randomUUID(), spId: randomUUID() };
  d.applications.push({
    id: a.id,
    appId: a.appId,
    displayName,
    signInAudience: 'AzureADMyOrg',
    requiredResourceAccess: [],
    keyCredentials: [],
    createdDateTime: new Date().toISOString(),
    isFallbackPublicClient: false,
    visibleAt: 0,
  });
  d.servicePrincipals.push({
    id: a.spId,
    appId: a.appId,
    displayName,
    appRoles: [],
    servicePrincipalNames: [a.appId],
    publicClient: false,
    accountEnabled: true,
    visibleAt: 0,
  });
  registerKey(sb, a.appId, cert);
  return a;
}

/** Grants an app role (by value) of a resource service principal, straight in the directory. */
export function grantAppRole(sb: Sandbox, spId: string, resourceAppId: string, value: string): void {
  const resource = sb.directory.spByAppId(resourceAppId);
  const role = resource?.appRoles.find((r) => r.value === value);
  if (!resource || !role) throw new Error(`no app role ${value} on ${resourceAppId}`);
  sb.directory.data.appRoleAssignments.push({
    id: randomUUID(),
    principalId: spId,
    principalType: 'ServicePrincipal',
    principalDisplayName: 'workload app',
    resourceId: resource.id,
    resourceDisplayName: resource.displayName,
    appRoleId: role.id,
    createdDateTime: new Date().toISOString(),
    visibleAt: 0,
  });
}

export function assignRole(sb: Sandbox, principalId: string, roleDefinitionId: string): void {
  sb.directory.data.roleAssignments.push({
    id: randomUUID(),
    principalId,
    roleDefinitionId,
    directoryScopeId: '/',
    visibleAt: 0,
  });
}
