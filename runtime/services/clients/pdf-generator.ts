import type { ReceiptRequest, StatementRequest } from "../pdf-generator/contract";
import type { ServiceClient } from "./service-client";

/** Typed client of pdf-generator; both calls are reads, so retried. Resolve the PDF bytes. */
export class PdfGeneratorClient {
  constructor(private readonly core: ServiceClient) {}

  receipt(req: ReceiptRequest): Promise<Buffer> {
    return this.core.call({
      call: "receipt",
      method: "POST",
      path: "/v1/receipts",
      body: req,
      idempotent: true,
      responseType: "bytes",
    });
  }

  statement(req: StatementRequest): Promise<Buffer> {
    return this.core.call({
      call: "statement",
      method: "POST",
      path: "/v1/statements",
      body: req,
      idempotent: true,
      responseType: "bytes",
    });
  }
}
