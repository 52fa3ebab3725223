import { z } from "zod";
import { fraudCheckEvent } from "../schemas/events";

/**
 * What a fraud score is asked for and what it answers: the body of fraud-analyzer's
 * `POST /v1/score`, and the input and result of the fraud-check pipeline's scoring.
 */

/** A payment to score. Idempotent per `transactionId`. */
export const scoreRequest = z.strictObject({
  ...fraudCheckEvent.shape,
  /** When the payment happened; now by default. */
  occurredAt: z.iso.datetime({ offset: true }).optional(),
});
export type ScoreRequest = z.input<typeof scoreRequest>;

export type Decision = "allow" | "review" | "block";

export interface Reason {
  /** Stable rule code, e.g. `velocity_hour`. */
  readonly code: string;
  /** Points the rule added to the score. */
  readonly points: number;
  /** Human-readable explanation with the observed value and the threshold. */
  readonly detail: string;
}

export interface FraudScore {
  readonly transactionId: string;
  /** 0–100. */
  readonly score: number;
  readonly decision: Decision;
  readonly reasons: readonly Reason[];
}

/** Fraud scoring, idempotent per transaction id (FraudAnalyzerClient satisfies it). */
export interface FraudScorer {
  score(request: ScoreRequest): Promise<FraudScore>;
}
