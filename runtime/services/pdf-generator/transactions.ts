import type { Firestore } from "firebase-admin/firestore";
import { getTransactionShardId } from "../../sharding/shards";
import { walletTransaction, type WalletTransaction } from "./contract";

/**
 * Wallet transactions in the transaction shards: one Firestore collection per shard
 * (`transaction_shard_YYYY_MM_NNN`, keyed by the wallet owner and month), one document per
 * transaction, id = transaction id. Documents that do not match the schema are reported, not
 * silently printed.
 */
export interface TransactionSource {
  get(userId: string, transactionId: string, month: string): Promise<WalletTransaction | undefined>;
  listMonth(userId: string, month: string): Promise<WalletTransaction[]>;
}

/** The shard collection of a user's month (`month` is `YYYY-MM`). */
export function transactionCollection(userId: string, month: string): string {
  return getTransactionShardId(userId, new Date(`${month}-01T00:00:00Z`));
}

function parse(id: string, data: unknown): WalletTransaction {
  const parsed = walletTransaction.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`transaction ${id} is malformed: ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

export function firestoreTransactions(db: Firestore): TransactionSource {
  return {
    async get(userId, transactionId, month) {
      const snap = await db
        .collection(transactionCollection(userId, month))
        .doc(transactionId)
        .get();
      if (!snap.exists) return undefined;
      const tx = parse(snap.id, snap.data());
      return tx.userId === userId ? tx : undefined;
    },
    async listMonth(userId, month) {
      const snap = await db
        .collection(transactionCollection(userId, month))
        .where("userId", "==", userId)
        .get();
      return snap.docs
        .map((d) => parse(d.id, d.data()))
        .filter((t) => t.createdAt.startsWith(month))
        .sort(
          (a, b) =>
            a.createdAt.localeCompare(b.createdAt) ||
            a.transactionId.localeCompare(b.transactionId),
        );
    },
  };
}
