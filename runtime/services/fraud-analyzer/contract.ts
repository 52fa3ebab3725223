import { z } from "zod";
import { scoreRequest } from "../../fraud/score";
import { bodyRoute } from "../server/routes";

/** The fraud-analyzer API, shared by the service and its client. */

export type { Decision, FraudScore, Reason, ScoreRequest } from "../../fraud/score";

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
