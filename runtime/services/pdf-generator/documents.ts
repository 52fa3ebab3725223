import PDFDocument from "pdfkit";
import type { WalletTransaction } from "./contract";

/**
 * Receipts and monthly statements as PDF. Amounts are printed with the currency code and the
 * currency's own minor digits (JPY has none), so no symbol depends on the font's encoding.
 */

export interface DocumentOptions {
  /** Uncompressed content streams (tests read the text back). @default false */
  readonly uncompressed?: boolean;
  /** Fixed creation date, so the same data gives the same bytes. */
  readonly createdAt?: Date;
}

function minorDigits(currency: string): number {
  return (
    new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  );
}

/** `EUR -12.50`, `JPY 1200`. */
export function formatMoney(amountMinor: number, currency: string): string {
  const digits = minorDigits(currency);
  return `${currency} ${(amountMinor / 10 ** digits).toFixed(digits)}`;
}

function render(
  build: (doc: PDFKit.PDFDocument) => void,
  title: string,
  options: DocumentOptions,
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: "A4",
    margin: 50,
    compress: !options.uncompressed,
    info: { Title: title, Author: "Avalo", CreationDate: options.createdAt ?? new Date() },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  build(doc);
  doc.end();
  return done;
}

const KIND_LABEL: Readonly<Record<WalletTransaction["kind"], string>> = {
  topup: "Wallet top-up",
  purchase: "Purchase",
  gift: "Gift",
  payout: "Payout",
  refund: "Refund",
};

/** A receipt for one transaction. */
export function receiptPdf(tx: WalletTransaction, options: DocumentOptions = {}): Promise<Buffer> {
  return render(
    (doc) => {
      doc.font("Helvetica-Bold").fontSize(20).text("Avalo wallet receipt");
      doc.moveDown().font("Helvetica").fontSize(11);
      doc.text(`Receipt for transaction ${tx.transactionId}`);
      doc.text(`Account: ${tx.userId}`);
      doc.text(`Date: ${tx.createdAt.slice(0, 10)} ${tx.createdAt.slice(11, 16)} UTC`);
      doc.text(`Type: ${KIND_LABEL[tx.kind]}`);
      doc.text(`Description: ${tx.description}`);
      doc
        .moveDown()
        .font("Helvetica-Bold")
        .text(`Amount: ${formatMoney(tx.amountMinor, tx.currency)}`);
    },
    `Receipt ${tx.transactionId}`,
    options,
  );
}

export interface StatementTotals {
  readonly credits: number;
  readonly debits: number;
  readonly net: number;
}

/** Credits, debits and net of a month, in minor units. */
export function statementTotals(txs: readonly WalletTransaction[]): StatementTotals {
  const credits = txs.filter((t) => t.amountMinor > 0).reduce((s, t) => s + t.amountMinor, 0);
  const debits = txs.filter((t) => t.amountMinor < 0).reduce((s, t) => s + t.amountMinor, 0);
  return { credits, debits, net: credits + debits };
}

/** A monthly statement: one line per transaction, then the totals per currency. */
export function statementPdf(
  userId: string,
  month: string,
  txs: readonly WalletTransaction[],
  options: DocumentOptions = {},
): Promise<Buffer> {
  return render(
    (doc) => {
      doc.font("Helvetica-Bold").fontSize(20).text(`Avalo wallet statement ${month}`);
      doc.moveDown().font("Helvetica").fontSize(11).text(`Account: ${userId}`);
      doc.text(`Transactions: ${txs.length}`);
      doc.moveDown();
      if (txs.length === 0) doc.text("No transactions in this month.");
      for (const t of txs) {
        doc.text(
          `${t.createdAt.slice(0, 10)}  ${KIND_LABEL[t.kind]}  ${t.description}  ${formatMoney(t.amountMinor, t.currency)}`,
        );
      }
      const currencies = [...new Set(txs.map((t) => t.currency))].sort();
      for (const c of currencies) {
        const totals = statementTotals(txs.filter((t) => t.currency === c));
        doc.moveDown().font("Helvetica-Bold");
        doc.text(`Credits ${formatMoney(totals.credits, c)}`);
        doc.text(`Debits ${formatMoney(totals.debits, c)}`);
        doc.text(`Net ${formatMoney(totals.net, c)}`);
      }
    },
    `Statement ${userId} ${month}`,
    options,
  );
}
