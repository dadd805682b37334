import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Harness } from '../helpers/harness.js';

/**
 * Many profiles for the bench without as many inits: copies of one profile made by a real init, each with an
 * app of its own in the sandbox (its service principal, grant and role copied too) and its own copy of the
 * certificate files, so that every rotation changes only its own app and files.
 */
export function seedCopies(h: Harness, base: string, count: number, prefix = 'copy'): string[] {
  const file = path.join(h.configDir, 'profiles.json');
  const data = JSON.parse(readFileSync(file, 'utf8')) as {
    profiles: Record<string, Record<string, unknown>>;
  };
  const p = data.profiles[base] as {
    app: { appId: string; objectId: string; servicePrincipalId: string };
    certificate: { files: { dir: string } };
  };
  const d = h.sandbox.directory.data;
  const app = d.applications.find((a) => a.appId === p.app.appId)!;
  const sp = d.servicePrincipals.find((s) => s.appId === p.app.appId)!;
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${prefix}${i}`;
    const appId = randomUUID();
    const objectId = randomUUID();
    const spId = randomUUID();
    d.applications.push({
      ...structuredClone(app),
      id: objectId,
      appId,
      displayName: `${app.displayName} ${name}`,
      ...(app.uniqueName ? { uniqueName: `${app.uniqueName}-${name}` } : {}),
    });
    d.servicePrincipals.push({ ...structuredClone(sp), id: spId, appId });
    for (const g of d.appRoleAssignments.filter((x) => x.principalId === sp.id))
      d.appRoleAssignments.push({ ...structuredClone(g), id: randomUUID(), principalId: spId });
    for (const r of d.roleAssignments.filter((x) => x.principalId === sp.id))
      d.roleAssignments.push({ ...structuredClone(r), id: randomUUID(), principalId: spId });
    const dir = path.join(path.dirname(p.certificate.files.dir), name);
    cpSync(p.certificate.files.dir, dir, { recursive: true });
    const copy = JSON.parse(JSON.stringify(p).split(p.certificate.files.dir).join(dir)) as typeof p;
    data.profiles[name] = { ...copy, name, app: { ...copy.app, appId, objectId, servicePrincipalId: spId } };
    names.push(name);
  }
  writeFileSync(file, JSON.stringify(data, null, 2), { mode: 0o600 });
  return names;
}
