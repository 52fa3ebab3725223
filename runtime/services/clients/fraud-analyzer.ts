import type {
  FraudScore,
  ProfileRequest,
  RefundRequest,
  ScoreRequest,
} from "../fraud-analyzer/contract";
import type { ServiceClient } from "./service-client";

/** Typed client of fraud-analyzer. Every call is idempotent (keyed by its ids), so retried. */
export class FraudAnalyzerClient {
  constructor(private readonly core: ServiceClient) {}

  /** Scores a payment; scoring the same transaction again returns the first result. */
  score(req: ScoreRequest): Promise<FraudScore & { replayed: boolean }> {
    return this.core.call({
      call: "score",
      method: "POST",
      path: "/v1/score",
      body: req,
      idempotent: true,
    });
  }

  recordRefund(req: RefundRequest): Promise<void> {
    return this.core.call({
      call: "recordRefund",
      method: "POST",
      path: "/v1/refunds",
      body: req,
      idempotent: true,
    });
  }

  setHomeCountry(userId: string, req: ProfileRequest): Promise<void> {
    return this.core.call({
      call: "setHomeCountry",
      method: "PUT",
      path: `/v1/profiles/${encodeURIComponent(userId)}`,
      body: req,
      idempotent: true,
    });
  }
}
