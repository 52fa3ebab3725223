import { z } from "zod";
import { fraudCheckEvent } from "../../schemas/events";
import { bodyRoute } from "../server/routes";

/** The fraud-analyzer API, shared by the service and its client. */

/** POST /v1/score: a payment to score. Idempotent per `transactionId`. */
export const scoreRequest = z.strictObject({
  ...fraudCheckEvent.shape,
  /** When the payment happened; now by default. */
  occurredAt: z.iso.datetime({ offset: true }).optional(),
});
export type ScoreRequest = z.input<typeof scoreRequest>;

/** POST /v1/refunds: a refund to remember for the refunds rule. Idempotent per `refundId`. */
export const refundRequest = z.strictObject({
  refundId: z.string().min(1).max(128),
  userId: z.string().min(1).max(128),
  amountMinor: z.number().int().nonnegative(),
  occurredAt: z.iso.datetime({ offset: true }).optional(),
});
export type RefundRequest = z.input<typeof refundRequest>;

/** PUT /v1/profiles/:userId: the user's home country, set at sign-up. Idempotent. */
export const profileRequest = z.strictObject({
  country: z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code"),
});
export type ProfileRequest = z.input<typeof profileRequest>;

/** A score request is a few hundred bytes at its largest; 4 KiB allows non-ASCII ids. */
export const scoreRoute = bodyRoute({
  method: "POST",
  url: "/v1/score",
  body: scoreRequest,
  bodyLimitBytes: 4 * 1024,
});
export const refundRoute = bodyRoute({
  method: "POST",
  url: "/v1/refunds",
  body: refundRequest,
  bodyLimitBytes: 4 * 1024,
});
export const profileRoute = bodyRoute({
  method: "PUT",
  url: "/v1/profiles/:userId",
  body: profileRequest,
  bodyLimitBytes: 1024,
});

/** Every body route of fraud-analyzer. */
export const FRAUD_ANALYZER_ROUTES = [scoreRoute, refundRoute, profileRoute] as const;

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
