import { z } from "zod";
import type { Decision, FraudScore, Reason } from "./score";

/**
 * The explainable fraud rules, shared by fraud-analyzer and the fraud-check handler. Each rule looks at the signals gathered for one payment and,
 * when it fires, adds fixed points and a reason that quotes the observed value and the
 * threshold. The score is the capped sum; thresholds come from config.
 */

/** What is known about the user when a payment arrives. */
export interface Signals {
  /** Payments in the current clock hour, including this one. */
  readonly paymentsThisHour: number;
  /** Payments in the current UTC day, including this one. */
  readonly paymentsToday: number;
  /** Earlier payments on record (this one excluded). */
  readonly historyCount: number;
  /** Sum of earlier payment amounts, in minor units. */
  readonly historySumMinor: number;
  /** Whether the device has paid for this user before. */
  readonly knownDevice: boolean;
  /** The user's home country, if known. */
  readonly homeCountry?: string;
  /** Refunds within the refund window. */
  readonly recentRefunds: number;
}

export interface Payment {
  readonly transactionId: string;
  readonly amountMinor: number;
  readonly country: string;
}

/** Thresholds, from environment variables of the same names. */
export const thresholdsEnv = {
  FRAUD_MAX_PAYMENTS_PER_HOUR: z.coerce.number().int().positive().default(10),
  FRAUD_MAX_PAYMENTS_PER_DAY: z.coerce.number().int().positive().default(50),
  /** An amount above this multiple of the user's mean payment fires `amount_above_history`. */
  FRAUD_AMOUNT_MULTIPLIER: z.coerce.number().positive().default(5),
  /** Earlier payments needed before the amount and device rules apply. */
  FRAUD_MIN_HISTORY: z.coerce.number().int().nonnegative().default(3),
  FRAUD_MAX_RECENT_REFUNDS: z.coerce.number().int().positive().default(2),
  FRAUD_REFUND_WINDOW_DAYS: z.coerce.number().int().positive().default(30),
  FRAUD_REVIEW_SCORE: z.coerce.number().min(0).max(100).default(40),
  FRAUD_BLOCK_SCORE: z.coerce.number().min(0).max(100).default(70),
};
export type Thresholds = z.infer<z.ZodObject<typeof thresholdsEnv>>;

/** The defaults, as a parsed config would hold them. */
export const DEFAULT_THRESHOLDS: Thresholds = z.object(thresholdsEnv).parse({});

interface Rule {
  readonly code: string;
  readonly points: number;
  /** The reason's detail when the rule fires, otherwise undefined. */
  readonly fires: (s: Signals, p: Payment, t: Thresholds) => string | undefined;
}

const RULES: readonly Rule[] = [
  {
    code: "velocity_hour",
    points: 35,
    fires: (s, _p, t) =>
      s.paymentsThisHour > t.FRAUD_MAX_PAYMENTS_PER_HOUR
        ? `${s.paymentsThisHour} payments this hour; limit ${t.FRAUD_MAX_PAYMENTS_PER_HOUR}`
        : undefined,
  },
  {
    code: "velocity_day",
    points: 25,
    fires: (s, _p, t) =>
      s.paymentsToday > t.FRAUD_MAX_PAYMENTS_PER_DAY
        ? `${s.paymentsToday} payments today; limit ${t.FRAUD_MAX_PAYMENTS_PER_DAY}`
        : undefined,
  },
  {
    code: "amount_above_history",
    points: 30,
    fires: (s, p, t) => {
      if (s.historyCount < t.FRAUD_MIN_HISTORY) return undefined;
      const mean = s.historySumMinor / s.historyCount;
      return p.amountMinor > mean * t.FRAUD_AMOUNT_MULTIPLIER
        ? `amount ${p.amountMinor} is above ${t.FRAUD_AMOUNT_MULTIPLIER}x the mean ${Math.round(mean)} of ${s.historyCount} payments`
        : undefined;
    },
  },
  {
    code: "new_device",
    points: 15,
    fires: (s, _p, t) =>
      !s.knownDevice && s.historyCount >= t.FRAUD_MIN_HISTORY
        ? `device not seen in ${s.historyCount} earlier payments`
        : undefined,
  },
  {
    code: "country_mismatch",
    points: 20,
    fires: (s, p) =>
      s.homeCountry && s.homeCountry !== p.country
        ? `payment from ${p.country}; home country ${s.homeCountry}`
        : undefined,
  },
  {
    code: "recent_refunds",
    points: 25,
    fires: (s, _p, t) =>
      s.recentRefunds >= t.FRAUD_MAX_RECENT_REFUNDS
        ? `${s.recentRefunds} refunds in ${t.FRAUD_REFUND_WINDOW_DAYS} days; limit ${t.FRAUD_MAX_RECENT_REFUNDS - 1}`
        : undefined,
  },
];

/** The decision for a score under the thresholds. */
export function decide(score: number, t: Thresholds): Decision {
  if (score >= t.FRAUD_BLOCK_SCORE) return "block";
  if (score >= t.FRAUD_REVIEW_SCORE) return "review";
  return "allow";
}

/** Scores one payment: every rule that fires adds its points (capped at 100) and its reason. */
export function evaluateRules(s: Signals, p: Payment, t: Thresholds): FraudScore {
  const reasons: Reason[] = [];
  for (const rule of RULES) {
    const detail = rule.fires(s, p, t);
    if (detail !== undefined) reasons.push({ code: rule.code, points: rule.points, detail });
  }
  const score = Math.min(
    100,
    reasons.reduce((sum, r) => sum + r.points, 0),
  );
  return { transactionId: p.transactionId, score, decision: decide(score, t), reasons };
}
