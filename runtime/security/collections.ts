/**
 * Names of the server-owned Firestore collections that sit beside the sharded ones. The rules
 * (firestore.rules) let clients read some of them as granted but write none of them.
 */
export const SERVER_COLLECTIONS = {
  /** `wallets/{userId}`: `{ balanceCents, updatedAt }`; changed only by audited adjustments. */
  wallets: "wallets",
  /** `fraud_decisions/{decisionId}`: the fraud analyzer's verdicts and their overrides. */
  fraudDecisions: "fraud_decisions",
  /** `roles/{userId}`: the source of truth for the `role` custom claim. */
  roles: "roles",
  /** `audit_log/{entryId}`: append-only audit entries (runtime/security/audit.ts). */
  auditLog: "audit_log",
} as const;
