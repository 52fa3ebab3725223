import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { getFirestore } from "../../firestore/client";
import { initSharding } from "../../sharding/hash";
import type { Authenticator } from "../server/auth";
import { createServiceApp } from "../server/app";
import { loadConfig } from "../server/config";
import { HttpError } from "../server/errors";
import { firestoreCheck } from "../server/firestore";
import { mountBodyRoute } from "../server/routes";
import { receiptRoute, statementRoute } from "./contract";
import { receiptPdf, statementPdf } from "./documents";
import { firestoreTransactions, type TransactionSource } from "./transactions";

const pdfEnv = {
  /** Uncompressed content streams: larger files whose text tools can read. */
  PDF_UNCOMPRESSED: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
};

export interface PdfGeneratorDeps {
  readonly transactions: TransactionSource;
  readonly authenticator: Authenticator;
}

/** The variables pdf-generator reads, beyond every service's (`baseEnv`). */
export const SERVICE_ENV = { ...pdfEnv };

/** pdf-generator: wallet receipts and monthly statements from the transaction shards. */
export async function buildPdfGenerator(
  env: NodeJS.ProcessEnv,
  deps: Partial<PdfGeneratorDeps> = {},
): Promise<FastifyInstance> {
  const config = loadConfig(SERVICE_ENV, env);
  await initSharding();
  const db = getFirestore({ projectId: config.GOOGLE_CLOUD_PROJECT });
  const transactions = deps.transactions ?? firestoreTransactions(db);
  return createServiceApp(
    {
      service: "pdf-generator",
      config,
      checks: [firestoreCheck(db)],
      authenticator: deps.authenticator,
    },
    (app) => {
      mountBodyRoute(app, receiptRoute, async (body, _req, reply) => {
        const tx = await transactions.get(body.userId, body.transactionId, body.month);
        if (!tx) {
          throw new HttpError(
            404,
            `transaction ${body.transactionId} of user ${body.userId} not found in ${body.month}`,
          );
        }
        const pdf = await receiptPdf(tx, { uncompressed: config.PDF_UNCOMPRESSED });
        return reply
          .type("application/pdf")
          .header("content-disposition", `inline; filename="receipt-${tx.transactionId}.pdf"`)
          .send(pdf);
      });
      mountBodyRoute(app, statementRoute, async (body, _req, reply) => {
        const txs = await transactions.listMonth(body.userId, body.month);
        const pdf = await statementPdf(body.userId, body.month, txs, {
          uncompressed: config.PDF_UNCOMPRESSED,
        });
        return reply
          .type("application/pdf")
          .header("content-disposition", `inline; filename="statement-${body.month}.pdf"`)
          .send(pdf);
      });
    },
  );
}
