import { getApps, initializeApp, type App } from "firebase-admin/app";
import { getFirestore as adminFirestore, type Firestore } from "firebase-admin/firestore";

/**
 * The one place runtime code gets a Firestore handle. It uses firebase-admin, which honours
 * `FIRESTORE_EMULATOR_HOST` (set by the local platform and the tests); in Cloud Run it uses the
 * service's own credentials. One app per project id is created and reused.
 */

export interface FirestoreOptions {
  /** GCP project id. @default GOOGLE_CLOUD_PROJECT, GCLOUD_PROJECT, else `avalo-local` */
  readonly projectId?: string;
  /** Named database. @default "(default)" */
  readonly databaseId?: string;
}

/** Project id used when none is configured (the emulator accepts any). */
export const LOCAL_PROJECT_ID = "avalo-local";

function appFor(projectId: string): App {
  const name = `avalo-${projectId}`;
  return getApps().find((a) => a.name === name) ?? initializeApp({ projectId }, name);
}

/** A Firestore handle for `options`, created once per project and database. */
export function getFirestore(options: FirestoreOptions = {}): Firestore {
  const projectId =
    options.projectId ??
    process.env.GOOGLE_CLOUD_PROJECT ??
    process.env.GCLOUD_PROJECT ??
    LOCAL_PROJECT_ID;
  const app = appFor(projectId);
  return options.databaseId ? adminFirestore(app, options.databaseId) : adminFirestore(app);
}
