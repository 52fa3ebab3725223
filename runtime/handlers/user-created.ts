import type { PipelineName } from "../catalog/names";
import { FieldValue, Timestamp } from "firebase-admin/firestore";
import {
  COUNTER_KINDS,
  counterCollection,
  counterDocId,
  counterId,
  type CounterKind,
} from "../counters/kinds";
import { applyOnceFirestore } from "../pipelines/idempotency";
import type { PipelineHandler } from "../pipelines/consumer";
import { pipelineSpec } from "../pipelines/spec";
import { userCreatedEvent } from "../schemas/events";
import { PoisonMessageError } from "../pipelines/errors";
import { getUserShardId, initSharding, residencyRegion } from "../sharding";
import { REGIONS } from "../topology";
import { derivedId, type HandlerDeps } from "./deps";

/**
 * user-created: creates the user's profile in its user shard (`/{user_shard_NNN}/{userId}`) of
 * its residency geography, initialises the user's distributed counters at zero, and emits a
 * `user_created` analytics event. A user whose residency country belongs to another geography
 * than the event's region is rejected as poison: data never leaves its geography.
 */

const spec = pipelineSpec("user-created", userCreatedEvent);

/** The pipelines this handler publishes derived events to; its service's `publishes` lists them. */
export const PUBLISHES = ["analytics-aggregation"] as const satisfies readonly PipelineName[];

/** Counters every new user starts with, at zero. */
export const USER_COUNTERS: readonly CounterKind[] = ["followers", "matches"];

export function createUserCreatedHandler(
  deps: HandlerDeps<typeof PUBLISHES>,
): PipelineHandler<typeof spec> {
  return {
    pipeline: spec,
    async handle(event) {
      await initSharding();
      const user = event.data;
      let residency;
      try {
        residency = residencyRegion(user.country);
      } catch (err) {
        throw new PoisonMessageError("rejected", (err as Error).message);
      }
      const geography = REGIONS[event.region].geography;
      if (REGIONS[residency].geography !== geography) {
        throw new PoisonMessageError(
          "rejected",
          `user ${user.userId} resides in ${residency} (${REGIONS[residency].geography}) but the event was routed to ${event.region} (${geography})`,
        );
      }
      const shardId = getUserShardId(user.userId);
      const { db } = deps;
      const result = await applyOnceFirestore(
        db,
        { pipeline: spec.name, eventId: event.id },
        (batch) => {
          batch.set(db.collection(shardId).doc(user.userId), {
            displayName: user.displayName,
            country: user.country,
            geo: geography,
            region: residency,
            createdAt: Timestamp.fromDate(new Date(user.createdAt)),
          });
          for (const kind of USER_COUNTERS) {
            const kindSpec = COUNTER_KINDS[kind];
            const shards = kindSpec.store === "sharded" ? kindSpec.shards : 1;
            const ref = db
              .collection(counterCollection(kind))
              .doc(counterDocId(counterId(kind, user.userId)));
            for (let i = 0; i < shards; i++) {
              batch.set(
                ref.collection("shards").doc(String(i)),
                { count: FieldValue.increment(0) },
                { merge: true },
              );
            }
          }
        },
      );
      await deps.publisher.publish(
        "analytics-aggregation",
        { eventName: "user_created", userId: user.userId, at: user.createdAt, value: 1 },
        { id: derivedId(event.id, "analytics"), region: event.region },
      );
      return result;
    },
  };
}
