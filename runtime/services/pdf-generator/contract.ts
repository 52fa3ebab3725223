import { z } from "zod";
import { bodyRoute } from "../server/routes";

/** The pdf-generator API, shared by the service and its client. Both calls are idempotent reads. */

const id = z.string().min(1).max(128);
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "must be a month as YYYY-MM");

/** POST /v1/receipts: the receipt of one wallet transaction, as application/pdf. */
export const receiptRequest = z.strictObject({
  userId: id,
  transactionId: id,
  /** Month of the transaction (its transaction shard is partitioned by month). */
  month,
});
export type ReceiptRequest = z.input<typeof receiptRequest>;

/** POST /v1/statements: a user's monthly wallet statement, as application/pdf. */
export const statementRequest = z.strictObject({ userId: id, month });
export type StatementRequest = z.input<typeof statementRequest>;

/** Requests name a transaction or a month; the PDF is the answer, never the request. */
export const receiptRoute = bodyRoute({
  method: "POST",
  url: "/v1/receipts",
  body: receiptRequest,
  bodyLimitBytes: 4 * 1024,
});
export const statementRoute = bodyRoute({
  method: "POST",
  url: "/v1/statements",
  body: statementRequest,
  bodyLimitBytes: 4 * 1024,
});

/** Every body route of pdf-generator. */
export const PDF_GENERATOR_ROUTES = [receiptRoute, statementRoute] as const;

/** A wallet transaction as stored in its transaction shard. */
export const walletTransaction = z.object({
  transactionId: id,
  userId: id,
  kind: z.enum(["topup", "purchase", "gift", "payout", "refund"]),
  /** Positive: credit to the wallet; negative: debit. */
  amountMinor: z.number().int(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  description: z.string().max(200),
  createdAt: z.iso.datetime({ offset: true }),
});
export type WalletTransaction = z.infer<typeof walletTransaction>;
