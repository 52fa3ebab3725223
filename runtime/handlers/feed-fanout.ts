import type { PipelineName } from "../catalog/names";
import { FieldPath, Timestamp, type Firestore } from "firebase-admin/firestore";
import type { PipelineHandler } from "../pipelines/consumer";
import { FIRESTORE_BATCH_LIMIT } from "../pipelines/defaults";
import { applyOnceFirestore, type EffectResult } from "../pipelines/idempotency";
import { pipelineSpec } from "../pipelines/spec";
import { feedFanoutEvent } from "../schemas/events";
import { getFeedShardId, initSharding } from "../sharding";
import { derivedId, type HandlerDeps } from "./deps";

/**
 * feed-fanout: writes a post into each follower's feed, in the follower's feed shard for the
 * post's day (`/{feed_shard_YYYY_MM_DD_NNN}/{followerId}_{postId}`). Followers are read from
 * `followers/{authorId}/users/{followerId}` in id order. Writes go in batches of at most 500
 * (499 feed items plus the batch's exactly-once marker), a few batches at a time. One delivery
 * handles at most `maxFollowersPerDelivery` followers; the rest go to a continuation message
 * carrying `followerCursor` (the last follower written), so no delivery nears its ack deadline.
 */

const spec = pipelineSpec("feed-fanout", feedFanoutEvent);

/** The pipelines this handler publishes derived events to; its service's `publishes` lists them. */
export const PUBLISHES = ["feed-fanout"] as const satisfies readonly PipelineName[];

/** Where an author's followers are listed. */
export function followersOf(db: Firestore, authorId: string) {
  return db.collection("followers").doc(authorId).collection("users");
}

export interface FeedFanoutArgs {
  /** Followers handled by one delivery before continuing in a new message. @default 5000 */
  readonly maxFollowersPerDelivery?: number;
  /** Feed writes per batch, the marker excluded (≤ 499). @default 499 */
  readonly batchSize?: number;
  /** Batches committed at once. @default 4 */
  readonly concurrency?: number;
}

export function createFeedFanoutHandler(
  deps: HandlerDeps<typeof PUBLISHES>,
  args: FeedFanoutArgs = {},
): PipelineHandler<typeof spec> {
  const perDelivery = args.maxFollowersPerDelivery ?? 5000;
  const batchSize = args.batchSize ?? FIRESTORE_BATCH_LIMIT - 1;
  const concurrency = args.concurrency ?? 4;
  if (!(batchSize >= 1 && batchSize <= FIRESTORE_BATCH_LIMIT - 1)) {
    throw new Error(
      `feed-fanout batchSize must be 1–${FIRESTORE_BATCH_LIMIT - 1}, but ${batchSize} was provided`,
    );
  }
  if (!(perDelivery >= 1) || !(concurrency >= 1)) {
    throw new Error(
      `feed-fanout maxFollowersPerDelivery and concurrency must be >= 1, but ${perDelivery} and ${concurrency} were provided`,
    );
  }
  const { db } = deps;
  return {
    pipeline: spec,
    async handle(event) {
      await initSharding();
      const post = event.data;
      let query = followersOf(db, post.authorId)
        .orderBy(FieldPath.documentId())
        .limit(perDelivery + 1);
      if (post.followerCursor) query = query.startAfter(post.followerCursor);
      const ids = (await query.get()).docs.map((d) => d.id);
      const mine = ids.slice(0, perDelivery);
      const day = new Date(post.createdAt);
      const chunks: string[][] = [];
      for (let i = 0; i < mine.length; i += batchSize) chunks.push(mine.slice(i, i + batchSize));
      const results: EffectResult[] = [];
      for (let i = 0; i < chunks.length; i += concurrency) {
        const wave = chunks.slice(i, i + concurrency).map((chunk, j) =>
          applyOnceFirestore(
            db,
            { pipeline: spec.name, eventId: event.id, part: `c${i + j}` },
            (batch) => {
              for (const followerId of chunk) {
                batch.set(
                  db
                    .collection(getFeedShardId(followerId, day))
                    .doc(`${followerId}_${post.postId}`),
                  {
                    ownerId: followerId,
                    postId: post.postId,
                    authorId: post.authorId,
                    createdAt: Timestamp.fromDate(day),
                    seen: false,
                  },
                );
              }
            },
          ),
        );
        results.push(...(await Promise.all(wave)));
      }
      if (ids.length > perDelivery) {
        const cursor = mine[mine.length - 1];
        await deps.publisher.publish(
          spec.name,
          { ...post, followerCursor: cursor },
          { id: derivedId(event.id, "after", cursor), region: event.region },
        );
      }
      return results.length === 0 || results.includes("applied") ? "applied" : "duplicate";
    },
  };
}
