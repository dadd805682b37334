import type { Outcome } from '../../core/steps.js';
import type { Cloud } from '../../core/clouds.js';
import type { HttpTransport } from '../../adapters/http.js';
import type { Identity } from '../../adapters/identity.js';
import type {
  Directory,
  GraphApplication,
  GraphServicePrincipal,
  Organization,
} from '../../adapters/graph.js';
import type { Env, Workload } from '../../workloads/index.js';
import type { CertificateFiles, Profile } from '../../profile/store.js';
import type { Credential } from '../../certificate/x509.js';
import type { KeySize } from '../../certificate/x509.js';
import type { Rights, RightsStrategy, WorkloadAdmin } from '../../rights/index.js';
import type { InitOptions as InitFlags } from './options.js';
import type { Survey } from './survey.js';

/** What the wizard (or the flags) decided. */
export interface Answers {
  appName: string;
  rights: Rights;
  validityDays: number;
  keySize: KeySize;
  outDir: string;
  /** undefined: generate one. */
  pfxPassword?: string;
}

/**
 * The state one init run shares between its steps: what was decided before the first change, what the
 * survey found, and what each step made. Steps read and extend it; the journal records progress in the
 * profile so a run stopped anywhere resumes.
 */
export interface InitRun {
  flags: InitFlags;
  answers: Answers;
  workload: Workload;
  strategy: RightsStrategy;
  profileName: string;
  org: Organization;
  existing?: Profile;
  /** Every profile here (ownership, and the files no other profile may lose). */
  allProfiles: Profile[];
  brought?: Credential;
  /** When the run gives up waiting for replication and verification. */
  deadline: number;
  survey: Survey;
  removeForeign: boolean;
  deps: {
    dir: Directory;
    identity: Identity;
    cloud: Cloud;
    http: HttpTransport;
    /** The endpoint overrides of the run (the environment, or the sandbox's). */
    env: Env;
    /** The admin's session with the workload (for rights held there), opened the first time it is needed. */
    admin(): Promise<WorkloadAdmin>;
  };

  // Made by the steps.
  credential?: Credential;
  files?: CertificateFiles;
  generatedPassword?: string;
  /** The keyId exo-cba chose for a new key (journaled before the create that carries it). */
  keyId?: string;
  app?: GraphApplication;
  sp?: GraphServicePrincipal;
  outcomes: Record<string, Outcome>;
  verified: boolean;
  /** Saves the profile with this change; writes are serialised, so parallel steps lose none. */
  journal(patch: Partial<Profile>): Promise<void>;
  report(what: string, outcome: Outcome, extra?: string): void;
}
