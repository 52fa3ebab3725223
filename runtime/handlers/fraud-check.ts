import type { PipelineName } from "../catalog/names";
import { Timestamp } from "firebase-admin/firestore";
import type Redis from "ioredis";
import type { PipelineHandler } from "../pipelines/consumer";
import { TransientError } from "../pipelines/errors";
import { applyOnceFirestore } from "../pipelines/idempotency";
import { pipelineSpec } from "../pipelines/spec";
import { fraudCheckEvent } from "../schemas/events";
import { DEFAULT_THRESHOLDS } from "../fraud/rules";
import type { FraudScore, FraudScorer } from "../fraud/score";
import { redisFraudScorer } from "../fraud/signals";
import { getTransactionShardId, initSharding } from "../sharding";
import { derivedId, type HandlerDeps } from "./deps";

/**
 * fraud-check: scores the payment with the fraud rules of runtime/fraud (through `FraudScorer`:
 * in-process on the consumer's Redis signals, in fraud-analyzer and locally), records the
 * decision on the transaction (`/{transaction_shard_YYYY_MM_NNN}/{transactionId}`, field `fraud`)
 * and in `fraud_decisions/{transactionId}`, once per event. A `block` decision emits an alert:
 * a `fraud` notification to the user and a `fraud_high_risk` analytics event.
 */

const spec = pipelineSpec("fraud-check", fraudCheckEvent);

/** The pipelines this handler publishes derived events to; its service's `publishes` lists them. */
export const PUBLISHES = [
  "notification-batch",
  "analytics-aggregation",
] as const satisfies readonly PipelineName[];

export type { FraudScorer } from "../fraud/score";

/** LOCAL: the fraud rules on Redis signals, in-process, with the default thresholds. */
export function localFraudScorer(redis: Redis): FraudScorer {
  return redisFraudScorer(redis, DEFAULT_THRESHOLDS);
}

export function createFraudCheckHandler(
  deps: HandlerDeps<typeof PUBLISHES> & { readonly scorer: FraudScorer },
): PipelineHandler<typeof spec> {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  return {
    pipeline: spec,
    async handle(event) {
      await initSharding();
      const tx = event.data;
      let score: FraudScore;
      try {
        score = await deps.scorer.score({ ...tx, occurredAt: event.occurredAt });
      } catch (err) {
        throw new TransientError(
          `fraud scoring of ${tx.transactionId} failed: ${(err as Error).message}`,
          { cause: err },
        );
      }
      const at = new Date(event.occurredAt);
      const decision = {
        score: score.score,
        decision: score.decision,
        reasons: score.reasons.map((r) => ({ ...r })),
        checkedAt: Timestamp.fromDate(now()),
        eventId: event.id,
      };
      const result = await applyOnceFirestore(
        db,
        { pipeline: spec.name, eventId: event.id },
        (batch) => {
          batch.set(
            db.collection(getTransactionShardId(tx.userId, at)).doc(tx.transactionId),
            {
              userId: tx.userId,
              amountMinor: tx.amountMinor,
              currency: tx.currency,
              fraud: decision,
            },
            { merge: true },
          );
          batch.set(db.collection("fraud_decisions").doc(tx.transactionId), {
            transactionId: tx.transactionId,
            userId: tx.userId,
            ...decision,
          });
        },
      );
      if (score.decision === "block") {
        await Promise.all([
          deps.publisher.publish(
            "notification-batch",
            {
              notificationId: derivedId(event.id, "fraud"),
              userId: tx.userId,
              kind: "fraud",
              title: "Payment blocked",
              body: `A payment of ${tx.amountMinor} ${tx.currency} was blocked for your security.`,
            },
            { id: derivedId(event.id, "alert"), region: event.region },
          ),
          deps.publisher.publish(
            "analytics-aggregation",
            {
              eventName: "fraud_high_risk",
              userId: tx.userId,
              at: event.occurredAt,
              value: score.score,
            },
            { id: derivedId(event.id, "analytics"), region: event.region },
          ),
        ]);
      }
      return result;
    },
  };
}
