import type { PipelineName } from "../catalog/names";
import { FieldValue, Timestamp } from "firebase-admin/firestore";
import { COUNTER_KINDS, counterDocId, counterId } from "../counters/kinds";
import type { PipelineHandler } from "../pipelines/consumer";
import { pipelineSpec } from "../pipelines/spec";
import { matchCreatedEvent } from "../schemas/events";
import { applyOnceFirestore } from "../pipelines/idempotency";
import { getChatShardId, initSharding, shardIndex } from "../sharding";
import { derivedId, type HandlerDeps } from "./deps";
import { counterCollection } from "../counters/kinds";

/**
 * match-created: creates the chat in its chat shard (`/{chat_shard_YYYY_MM_NNNN}/{matchId}`),
 * adds one to both users' `matches` distributed counter, and notifies both users.
 */

const spec = pipelineSpec("match-created", matchCreatedEvent);

/** The pipelines this handler publishes derived events to; its service's `publishes` lists them. */
export const PUBLISHES = ["notification-batch"] as const satisfies readonly PipelineName[];

export function createMatchCreatedHandler(
  deps: HandlerDeps<typeof PUBLISHES>,
): PipelineHandler<typeof spec> {
  return {
    pipeline: spec,
    async handle(event) {
      await initSharding();
      const { matchId, userIds, createdAt } = event.data;
      const { db } = deps;
      const at = new Date(createdAt);
      const chatShard = getChatShardId(userIds, at);
      const counter = COUNTER_KINDS.matches;
      const result = await applyOnceFirestore(
        db,
        { pipeline: spec.name, eventId: event.id },
        (batch) => {
          batch.set(db.collection(chatShard).doc(matchId), {
            participants: [...userIds],
            matchId,
            createdAt: Timestamp.fromDate(at),
          });
          for (const userId of userIds) {
            // The shard is derived from the event, so a retried batch touches the same document.
            const shard = shardIndex(`${event.id}:${userId}`, counter.shards);
            const ref = db
              .collection(counterCollection("matches"))
              .doc(counterDocId(counterId("matches", userId)))
              .collection("shards")
              .doc(String(shard));
            batch.set(ref, { count: FieldValue.increment(1) }, { merge: true });
          }
        },
      );
      await Promise.all(
        userIds.map((userId) =>
          deps.publisher.publish(
            "notification-batch",
            {
              notificationId: derivedId(event.id, userId),
              userId,
              kind: "match",
              title: "It's a match!",
              body: "Say hello in your new chat.",
            },
            { id: derivedId(event.id, "notify", userId), region: event.region },
          ),
        ),
      );
      return result;
    },
  };
}
