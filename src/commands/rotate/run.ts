import type { Context } from '../../context.js';
import { CliError, EXIT, usageError } from '../../core/errors.js';
import type { RotateOptions } from './options.js';
import type { AppTarget } from '../../tenant/app-targets.js';
import type { Target } from '../../tenant/target.js';
import type { Cloud } from '../../core/clouds.js';
import { signInAdmin } from '../../tenant/sign-in.js';
import { ADMIN_SCOPES } from '../../tenant/entra.js';
import { AuthError, type Identity } from '../../adapters/identity.js';
import {
  GraphApiError,
  type Directory,
  type GraphApplication,
  type KeyCredentialView,
} from '../../adapters/graph.js';
import { explainGraphError } from '../../adapters/graph-errors.js';
import { diagnoseAuthError } from '../../tenant/diagnose.js';
import { makeProof } from '../../certificate/proof.js';
import { keepKey, keyCredentialFor, thumbprintOfKey } from '../../certificate/keys.js';
import { ensureKeyUploaded, explainKeyError } from '../../certificate/upload.js';
import type { Credential } from '../../certificate/x509.js';
import type { CertificateFiles, CertificateRecord, Profile } from '../../profile/store.js';
import type { RotateItem } from '../../output/render.js';

/** The state one rotation of one app shares between its steps. */
export interface RotateRun {
  o: RotateOptions;
  t: AppTarget;
  cloud: Cloud;
  svc: { target: Target; identity: Identity };
  /** The profile as saved last (undefined when the app came from flags). */
  profile?: Profile;
  save(patch: Partial<Profile>): Promise<void>;
  /** The certificate in use now, when it could be loaded. */
  current?: Credential;
  /** The token service refuses the current certificate (its key expired, or is gone): no overlap is kept for it. */
  currentRefused?: boolean;
  appName: string;
  /** The application's object id (addKey/removeKey need it without an admin). */
  objectId?: string;
  keys: KeyOps;
  // Made by the steps.
  pending?: Pending;
  verifiedSeconds?: number;
  files?: CertificateFiles;
  archived: string[];
  retired: string[];
  notes: string[];
  /** Keys on the app that no profile tracks (the untracked step). */
  untracked?: NonNullable<RotateItem['untracked']>;
  /** Where the new PFX password comes from (saved in the profile at the switch). */
  passwordSource?: NonNullable<Profile['passwordSource']>;
  hook?: { command: string; code: number; output: string };
  /** Set by a step that ends the rotation early (nothing due, --finish). */
  done?: RotateItem;
  base: Pick<RotateItem, 'profile' | 'appId' | 'organization' | 'cloud' | 'workload' | 'rights'>;
}

interface Pending {
  cred: Credential;
  record: CertificateRecord;
  password: string;
  /** A new password to write to the password file (generated, or typed with --new-password). */
  newPasswordFile?: string;
}

/** Adding, removing and confirming keys: as the app itself (addKey/removeKey with a proof) or with an admin (PATCH). */
export interface KeyOps {
  add(next: Credential, keyId: string | undefined): Promise<string | undefined>;
  /**
   * Removes the key and reads back until it is gone. `signer` signs the removeKey proof (a certificate the
   * app still accepts); `removed` is the removed key's own certificate, when known, to confirm it is refused.
   */
  remove(
    record: CertificateRecord,
    what: string,
    via: { signer?: Credential; removed?: Credential; why?: string },
  ): Promise<{ confirmed: boolean; note?: string }>;
  /** Whether this certificate already signs in (it is registered and replicated). */
  signsIn(cred: Credential): Promise<boolean>;
  /** The keys on the app, read with the admin (--admin) or as the app; undefined when the app may not read them. */
  list(signer: Credential | undefined): Promise<KeyCredentialView[] | undefined>;
}

const GONE_WAIT_MS = 60_000;

export function makeKeyOps(ctx: Context, r: Omit<RotateRun, 'keys'>, objectId: string | undefined): KeyOps {
  const { t, cloud, svc, o } = r;
  const needObjectId = () => {
    if (!objectId)
      throw usageError(
        "The app's object id is needed (addKey/removeKey address the application object, and the proof names it).",
        'Pass --object-id (Entra ID > App registrations > Object ID) or EXO_CBA_APP_OBJECT_ID, or use a profile.',
      );
    return objectId;
  };
  // Transient token-service failures are retried within --wait (the identity adapter's one policy).
  const deadline = ctx.clock.now().getTime() + o.waitMs;
  const appToken = (cred: Credential, resource: string) =>
    svc.identity.appToken(
      { clientId: t.appId, tenant: t.tenant, keyPem: cred.keyPem, thumbprintSha256: cred.thumbprintSha256 },
      resource,
      { deadline },
    );
  /** A refusal of the token service, explained as check explains it. */
  const signInFailed = (err: AuthError, cred: Credential, to: string) => {
    const d = diagnoseAuthError(err, { appId: t.appId, tenant: t.tenant });
    return new CliError(
      EXIT.failed,
      `The app could not sign in to ${to} with certificate ${cred.thumbprint}: ${d.what}`,
      {
        fix: `${d.fix} If no valid certificate is left, use --admin.`,
      },
    );
  };
  const asApp = async (cred: Credential): Promise<Directory> => {
    let token: string;
    try {
      token = (await appToken(cred, cloud.graphResource)).accessToken;
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      throw signInFailed(err, cred, 'Graph');
    }
    return ctx.services.directory(cloud, svc.target.http, async () => token);
  };
  let adminDir: Promise<Directory> | undefined;
  const asAdmin = () =>
    (adminDir ??= (async () => {
      const session = await signInAdmin(ctx, svc.identity, {
        tenant: t.tenant,
        clientId: o.clientId,
        method: o.auth,
        waitMs: o.waitMs,
        scopes: [...ADMIN_SCOPES.keys],
      });
      return ctx.services.directory(cloud, svc.target.http, () => session.graphToken());
    })());
  const adminApp = async (): Promise<{ dir: Directory; app: GraphApplication }> => {
    const dir = await asAdmin();
    const app = objectId ? await dir.getApplication(objectId) : await dir.getApplicationByAppId(t.appId);
    if (!app)
      throw new CliError(EXIT.failed, `The app ${t.appId} was not found in the tenant.`, {
        fix: 'Run exo-cba init again.',
      });
    return { dir, app };
  };
  const signsIn = async (cred: Credential) => {
    try {
      await appToken(cred, t.workload.endpoint(cloud.name, svc.target.env).resource);
      return true;
    } catch (err) {
      if (
        err instanceof AuthError &&
        ['key-unknown', 'key-expired', 'key-not-yet-valid', 'client-unknown'].includes(err.reason)
      )
        return false;
      throw err instanceof AuthError ? signInFailed(err, cred, 'Exchange') : err;
    }
  };
  /** The app's own key list, read as the app; undefined when it may not read its registration. */
  const listAsApp = async (signer: Credential) => {
    try {
      return (await (await asApp(signer)).getApplicationByAppId(t.appId))?.keyCredentials;
    } catch (err) {
      if (err instanceof GraphApiError && (err.status === 401 || err.status === 403)) return undefined;
      throw err;
    }
  };
  const listed = (keys: KeyCredentialView[], thumbprint: string) =>
    keys.some((k) => thumbprintOfKey(k) === thumbprint);
  /**
   * Polls until the key is gone. `stillThere` reads one source (the app's key list, or the token service with
   * the removed certificate) and answers undefined when that source cannot tell.
   */
  const confirmGone = async (
    stillThere: () => Promise<boolean | undefined>,
    where: string,
    cannotTell: string,
  ) => {
    const until = ctx.clock.now().getTime() + GONE_WAIT_MS;
    for (let wait = 500; ; wait = Math.min(wait * 2, 5000)) {
      const there = await stillThere();
      if (there === undefined) return { confirmed: false, note: cannotTell };
      if (!there) return { confirmed: true };
      if (ctx.clock.now().getTime() + wait > until)
        return {
          confirmed: false,
          note: `Graph accepted the removal, but the key was still ${where} ${GONE_WAIT_MS / 1000} s later`,
        };
      await ctx.clock.sleep(wait);
    }
  };
  return {
    signsIn,
    async list(signer) {
      if (o.admin) {
        const { dir, app } = await adminApp();
        return dir.getKeyCredentials(app.id);
      }
      return signer ? listAsApp(signer) : undefined;
    },
    async add(next, keyId) {
      if (o.admin) {
        const { dir, app } = await adminApp();
        return (await ensureKeyUploaded(ctx, dir, app, next, r.appName, ctx.clock.now().getTime() + o.waitMs))
          .keyId;
      }
      const signer = r.current!;
      const dir = await asApp(signer);
      const proof = await makeProof({
        keyPem: signer.keyPem,
        certDer: signer.der,
        objectId: needObjectId(),
        now: ctx.clock.now(),
      });
      try {
        return (await dir.addKey(needObjectId(), keyCredentialFor(next, r.appName, keyId), proof)).keyId;
      } catch (err) {
        // Graph refuses the same certificate twice: an earlier, interrupted run added it.
        if (
          err instanceof GraphApiError &&
          err.reason === 'bad-request' &&
          /unique|already/i.test(err.message)
        )
          return keyId;
        throw explainKeyError(err, 'add the new key (addKey)');
      }
    },
    async remove(record, what, via) {
      if (o.admin || !record.keyId) {
        if (!o.admin && !record.keyId)
          return {
            confirmed: false,
            note:
              `the key id of ${what} is unknown, so it is still registered: remove it in the ` +
              `portal, or run rotate --admin`,
          };
        const { dir, app } = await adminApp();
        const keys = await dir.getKeyCredentials(app.id);
        const keep = keys.filter((k) => thumbprintOfKey(k) !== record.thumbprint);
        if (keep.length !== keys.length) {
          await dir.updateApplication(app.id, { keyCredentials: keep.map(keepKey) }).catch((e: unknown) => {
            throw explainGraphError(e, `remove ${what} (PATCH keyCredentials)`);
          });
        }
        return confirmGone(
          async () => listed(await dir.getKeyCredentials(app.id), record.thumbprint),
          'listed on the app',
          'the app could not be read back',
        );
      }
      const signer = via.signer;
      if (!signer)
        return {
          confirmed: false,
          note: `no certificate the app accepts is at hand to sign the removal of ${what}: run rotate --admin`,
        };
      const dir = await asApp(signer);
      const proof = await makeProof({
        keyPem: signer.keyPem,
        certDer: signer.der,
        objectId: needObjectId(),
        now: ctx.clock.now(),
      });
      try {
        await dir.removeKey(needObjectId(), record.keyId, proof);
      } catch (err) {
        if (!(err instanceof GraphApiError && err.status === 404))
          throw explainGraphError(err, `remove ${what} (removeKey)`);
      }
      // Its own certificate proves the removal (the token service refuses it); without it, the app's key list.
      const removed = via.removed;
      if (removed) return confirmGone(() => signsIn(removed), 'accepted by the token service', '');
      return confirmGone(
        async () => {
          const keys = await listAsApp(signer);
          return keys && listed(keys, record.thumbprint);
        },
        'listed on the app',
        `its certificate could not be opened to try (${via.why ?? 'it is not here'}) and the app may not ` +
          `read its own key list, so its removal could not be read back: run 'exo-cba rotate --finish ` +
          `--admin' to read the key list with an admin`,
      );
    },
  };
}
