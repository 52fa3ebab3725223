import { FieldValue, type Firestore } from "firebase-admin/firestore";
import { auditedTransaction, type AuditOptions, type AuditRecord } from "./audit";
import { SERVER_COLLECTIONS } from "./collections";
import { isRole, ROLES, type ClaimsWriter, type Role } from "./roles";

/**
 * The privileged server actions other than GDPR jobs. Each runs in one Firestore transaction
 * with its audit entry (see audit.ts): role change, balance adjustment, fraud override.
 */

/** Who asks, why, and under which request: the audit context every action needs. */
export interface ActionContext {
  /** `user:<uid>` of the staff member, or `service:<name>`. */
  readonly actor: string;
  readonly reason: string;
  readonly requestId: string;
}

/** Result of an audited action: its outcome and the audit record that was committed with it. */
export interface AuditedResult<T> {
  readonly result: T;
  readonly audit: AuditRecord;
}

/** A privileged action was refused (nothing was written, no audit entry exists). */
export class PrivilegedActionError extends Error {
  constructor(
    message: string,
    readonly action: string,
    readonly target: string,
  ) {
    super(message);
    this.name = "PrivilegedActionError";
  }
}

/**
 * Grants `role` to a user, or removes their role (`role: null`). `roles/{uid}` is the source of
 * truth and is written with the audit entry; the custom claim is synced after the commit (a
 * failed sync is retried by calling again: the role document is idempotent).
 */
export async function changeRole(
  db: Firestore,
  claims: ClaimsWriter,
  request: ActionContext & { readonly userId: string; readonly role: Role | null },
  options: AuditOptions = {},
): Promise<AuditedResult<{ previous: Role | null; role: Role | null }>> {
  if (request.role !== null && !isRole(request.role)) {
    throw new RangeError(
      `\`role\` must be one of ${ROLES.join(", ")} or null, but ${JSON.stringify(request.role)} was provided`,
    );
  }
  const ref = db.collection(SERVER_COLLECTIONS.roles).doc(request.userId);
  const done = await auditedTransaction(
    db,
    {
      actor: request.actor,
      action: "role.change",
      target: `user:${request.userId}`,
      reason: request.reason,
      requestId: request.requestId,
      details: { role: request.role },
    },
    async (tx) => {
      const snap = await tx.get(ref);
      const previous = (snap.get("role") as Role | undefined) ?? null;
      if (request.role === null) tx.delete(ref);
      else tx.set(ref, { role: request.role, updatedAt: FieldValue.serverTimestamp() });
      return { previous, role: request.role };
    },
    options,
  );
  const user = await claims.getUser(request.userId);
  const { role: _old, ...rest } = user.customClaims ?? {};
  await claims.setCustomUserClaims(
    request.userId,
    request.role === null ? rest : { ...rest, role: request.role },
  );
  return done;
}

/**
 * Adds `deltaCents` (negative to debit) to a user's wallet. A result below zero is refused with
 * no change and no audit entry.
 */
export async function adjustBalance(
  db: Firestore,
  request: ActionContext & { readonly userId: string; readonly deltaCents: number },
  options: AuditOptions = {},
): Promise<AuditedResult<{ balanceCents: number }>> {
  if (!Number.isSafeInteger(request.deltaCents) || request.deltaCents === 0) {
    throw new RangeError(
      `\`deltaCents\` must be a non-zero integer number of cents, but ${String(request.deltaCents)} was provided`,
    );
  }
  const ref = db.collection(SERVER_COLLECTIONS.wallets).doc(request.userId);
  return auditedTransaction(
    db,
    {
      actor: request.actor,
      action: "balance.adjust",
      target: `user:${request.userId}`,
      reason: request.reason,
      requestId: request.requestId,
      details: { deltaCents: request.deltaCents },
    },
    async (tx) => {
      const snap = await tx.get(ref);
      const before = (snap.get("balanceCents") as number | undefined) ?? 0;
      const balanceCents = before + request.deltaCents;
      if (balanceCents < 0) {
        throw new PrivilegedActionError(
          `balance adjustment of ${request.deltaCents} cents refused: the balance is ${before} cents and may not go below 0`,
          "balance.adjust",
          `user:${request.userId}`,
        );
      }
      tx.set(ref, { balanceCents, updatedAt: FieldValue.serverTimestamp() }, { merge: true });
      return { balanceCents };
    },
    options,
  );
}

/** Fraud verdicts a reviewer may set. */
export const FRAUD_DECISIONS = ["allow", "block", "review"] as const;
export type FraudDecision = (typeof FRAUD_DECISIONS)[number];

/** Replaces the fraud analyzer's verdict on an existing decision with a reviewer's. */
export async function overrideFraudDecision(
  db: Firestore,
  request: ActionContext & { readonly decisionId: string; readonly decision: FraudDecision },
  options: AuditOptions = {},
): Promise<AuditedResult<{ previous: string; decision: FraudDecision }>> {
  if (!(FRAUD_DECISIONS as readonly string[]).includes(request.decision)) {
    throw new RangeError(
      `\`decision\` must be one of ${FRAUD_DECISIONS.join(", ")}, but ${JSON.stringify(request.decision)} was provided`,
    );
  }
  const ref = db.collection(SERVER_COLLECTIONS.fraudDecisions).doc(request.decisionId);
  const target = `fraud_decision:${request.decisionId}`;
  return auditedTransaction(
    db,
    {
      actor: request.actor,
      action: "fraud.override",
      target,
      reason: request.reason,
      requestId: request.requestId,
      details: { decision: request.decision },
    },
    async (tx) => {
      const snap = await tx.get(ref);
      if (!snap.exists) {
        throw new PrivilegedActionError(
          `fraud decision "${request.decisionId}" does not exist; only an existing decision can be overridden`,
          "fraud.override",
          target,
        );
      }
      const previous = String(snap.get("decision"));
      tx.update(ref, {
        decision: request.decision,
        overridden: true,
        overriddenAt: FieldValue.serverTimestamp(),
      });
      return { previous, decision: request.decision };
    },
    options,
  );
}
