import type { Firestore } from "firebase-admin/firestore";
import type { DependencyCheck } from "./health";

/** `/healthz` check: a one-document read answers. */
export function firestoreCheck(db: Firestore): DependencyCheck {
  return { name: "firestore", check: () => db.collection("_healthz").limit(1).get() };
}
