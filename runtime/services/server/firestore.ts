import { getApps, initializeApp } from "firebase-admin/app";
import { getFirestore, type Firestore } from "firebase-admin/firestore";
import type { DependencyCheck } from "./health";

/**
 * The service's Firestore handle: the default database of the project, or the emulator when
 * FIRESTORE_EMULATOR_HOST is set.
 */
export function openFirestore(projectId: string, databaseId = "(default)"): Firestore {
  const name = `avalo-${projectId}`;
  const app = getApps().find((a) => a.name === name) ?? initializeApp({ projectId }, name);
  return databaseId === "(default)" ? getFirestore(app) : getFirestore(app, databaseId);
}

/** `/healthz` check: a one-document read answers. */
export function firestoreCheck(db: Firestore): DependencyCheck {
  return { name: "firestore", check: () => db.collection("_healthz").limit(1).get() };
}
