import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { getFirestore } from "../../../runtime/firestore/client";
import { freePort } from "../../../runtime/local/processes";
import { initSharding } from "../../../runtime/sharding/hash";
import { buildPdfGenerator } from "../../../runtime/services/pdf-generator/app";
import type { WalletTransaction } from "../../../runtime/services/pdf-generator/contract";
import {
  formatMoney,
  receiptPdf,
  statementPdf,
  statementTotals,
} from "../../../runtime/services/pdf-generator/documents";
import { transactionCollection } from "../../../runtime/services/pdf-generator/transactions";
import { useFirestore } from "../../support/services";
import { localEnv, productionEnv, uniqueId } from "./env";
import { pdfText } from "./pdf-text";

const tx = (over: Partial<WalletTransaction>): WalletTransaction => ({
  transactionId: "tx-1",
  userId: "user-1",
  kind: "purchase",
  amountMinor: -1250,
  currency: "EUR",
  description: "Super like pack",
  createdAt: "2026-11-03T10:15:00Z",
  ...over,
});

describe("pdf-generator", () => {
  describe("documents", () => {
    it("prints a receipt with the transaction's details", async () => {
      const lines = pdfText(await receiptPdf(tx({}), { uncompressed: true }));
      expect(lines).to.deep.equal([
        "Avalo wallet receipt",
        "Receipt for transaction tx-1",
        "Account: user-1",
        "Date: 2026-11-03 10:15 UTC",
        "Type: Purchase",
        "Description: Super like pack",
        "Amount: EUR -12.50",
      ]);
    });

    it("prints a statement line per transaction and the totals per currency", async () => {
      const txs = [
        tx({
          transactionId: "a",
          kind: "topup",
          amountMinor: 5000,
          description: "Card top-up",
          createdAt: "2026-11-01T08:00:00Z",
        }),
        tx({ transactionId: "b", amountMinor: -1250, createdAt: "2026-11-02T09:00:00Z" }),
        tx({
          transactionId: "c",
          kind: "gift",
          amountMinor: -300,
          currency: "JPY",
          description: "Rose",
          createdAt: "2026-11-05T09:00:00Z",
        }),
      ];
      const lines = pdfText(await statementPdf("user-1", "2026-11", txs, { uncompressed: true }));
      expect(lines).to.deep.equal([
        "Avalo wallet statement 2026-11",
        "Account: user-1",
        "Transactions: 3",
        "2026-11-01  Wallet top-up  Card top-up  EUR 50.00",
        "2026-11-02  Purchase  Super like pack  EUR -12.50",
        "2026-11-05  Gift  Rose  JPY -300",
        "Credits EUR 50.00",
        "Debits EUR -12.50",
        "Net EUR 37.50",
        "Credits JPY 0",
        "Debits JPY -300",
        "Net JPY -300",
      ]);
    });

    it("sums credits and debits separately and formats each currency's minor digits", () => {
      expect(statementTotals([tx({ amountMinor: 700 }), tx({ amountMinor: -200 })])).to.deep.equal({
        credits: 700,
        debits: -200,
        net: 500,
      });
      expect([
        formatMoney(123456, "USD"),
        formatMoney(1200, "JPY"),
        formatMoney(1, "KWD"),
      ]).to.deep.equal(["USD 1234.56", "JPY 1200", "KWD 0.001"]);
    });

    it("gives the same bytes for the same data and date", async () => {
      const at = new Date("2026-12-01T00:00:00Z");
      const [a, b] = await Promise.all([
        receiptPdf(tx({}), { createdAt: at }),
        receiptPdf(tx({}), { createdAt: at }),
      ]);
      expect(a.equals(b)).to.equal(true);
    });
  });

  describe("service on the Firestore emulator", () => {
    let app: FastifyInstance;
    const userId = uniqueId("wallet");
    before(async () => {
      await useFirestore();
      await initSharding();
      const db = getFirestore();
      const rows = [
        tx({
          transactionId: `${userId}-1`,
          userId,
          kind: "topup",
          amountMinor: 2000,
          description: "Top-up",
          createdAt: "2026-10-30T12:00:00Z",
        }),
        tx({ transactionId: `${userId}-2`, userId, createdAt: "2026-10-31T23:59:00Z" }),
      ];
      for (const r of rows)
        await db.collection(transactionCollection(userId, "2026-10")).doc(r.transactionId).set(r);
      app = await buildPdfGenerator(localEnv({ PDF_UNCOMPRESSED: "true" }));
    });
    after(() => app.close());

    it("reads the transaction from its shard and answers application/pdf", async () => {
      const res = await app.inject({
        method: "POST",
        url: "/v1/receipts",
        payload: { userId, transactionId: `${userId}-2`, month: "2026-10" },
      });
      expect(res.statusCode).to.equal(200);
      expect(res.headers["content-type"]).to.equal("application/pdf");
      expect(pdfText(res.rawPayload)).to.include(`Receipt for transaction ${userId}-2`);
    });

    it("builds the month's statement from the shard", async () => {
      const res = await app.inject({
        method: "POST",
        url: "/v1/statements",
        payload: { userId, month: "2026-10" },
      });
      const lines = pdfText(res.rawPayload);
      expect(lines.slice(2)).to.deep.equal([
        "Transactions: 2",
        "2026-10-30  Wallet top-up  Top-up  EUR 20.00",
        "2026-10-31  Purchase  Super like pack  EUR -12.50",
        "Credits EUR 20.00",
        "Debits EUR -12.50",
        "Net EUR 7.50",
      ]);
    });

    it("answers 404 for an unknown transaction and 400 naming the field", async () => {
      const missing = await app.inject({
        method: "POST",
        url: "/v1/receipts",
        payload: { userId, transactionId: "nope", month: "2026-10" },
      });
      expect([missing.statusCode, missing.json().error]).to.deep.equal([
        404,
        `transaction nope of user ${userId} not found in 2026-10`,
      ]);
      const bad = await app.inject({
        method: "POST",
        url: "/v1/statements",
        payload: { userId, month: "2026-13" },
      });
      expect([bad.statusCode, bad.json().field, bad.json().error]).to.deep.equal([
        400,
        "month",
        "invalid request body: month: must be a month as YYYY-MM",
      ]);
      const bad2 = await app.inject({
        method: "POST",
        url: "/v1/receipts",
        payload: { userId, month: "2026-10" },
      });
      expect(bad2.json().field).to.equal("transactionId");
    });

    it("answers 503 from /healthz when Firestore is unreachable", async () => {
      const emulator = process.env.FIRESTORE_EMULATOR_HOST;
      process.env.FIRESTORE_EMULATOR_HOST = `127.0.0.1:${await freePort()}`;
      let down: FastifyInstance | undefined;
      try {
        down = await buildPdfGenerator(localEnv({ GOOGLE_CLOUD_PROJECT: uniqueId("outage") }));
      } finally {
        process.env.FIRESTORE_EMULATOR_HOST = emulator;
      }
      try {
        const res = await down.inject({ method: "GET", url: "/healthz" });
        expect(res.statusCode).to.equal(503);
        expect(res.json().checks.firestore).to.match(/^down: /);
      } finally {
        await down.close();
      }
    });

    it("answers 401 without a token in production mode", async () => {
      const prod = await buildPdfGenerator(productionEnv());
      try {
        for (const url of ["/v1/receipts", "/v1/statements"]) {
          expect(
            (await prod.inject({ method: "POST", url, payload: {} })).statusCode,
            url,
          ).to.equal(401);
        }
      } finally {
        await prod.close();
      }
    });
  });
});
