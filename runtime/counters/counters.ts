import type { Firestore } from "firebase-admin/firestore";
import type Redis from "ioredis";
import type { RedisDegradedMetrics } from "../redis/metrics";
import { HotCounter } from "./hot-counter";
import {
  COUNTER_COLLECTION_PREFIX,
  COUNTER_KINDS,
  counterCollection,
  counterId,
  hotCounterCollection,
  hotCounterPrefix,
  type CounterKind,
} from "./kinds";
import { ShardedCounter } from "./sharded-counter";
import { WriteBehindFlusher } from "./write-behind";

/**
 * The counters a handler uses: `counters.increment("likes", postId)`. Each kind is routed to
 * its store as {@link COUNTER_KINDS} says; hot kinds share one Redis key family and one
 * write-behind collection per region.
 */
export interface CountersArgs {
  readonly db: Firestore;
  readonly redis: Redis;
  /** Region id namespacing Redis keys, e.g. `eu-west`. */
  readonly region: string;
  /** Prefix of the Firestore collections. @default "counters" */
  readonly collectionPrefix?: string;
  /** Coalescing window of hot increments. @default 0 (same event-loop turn) */
  readonly coalesceWindowMillis?: number;
  readonly metrics?: RedisDegradedMetrics;
}

export class Counters {
  readonly hot: HotCounter;
  readonly flusher: WriteBehindFlusher;
  private readonly sharded = new Map<CounterKind, ShardedCounter>();

  constructor(args: CountersArgs) {
    const collections = args.collectionPrefix ?? COUNTER_COLLECTION_PREFIX;
    const prefix = hotCounterPrefix(args.region);
    this.hot = new HotCounter(args.redis, {
      prefix,
      coalesceWindowMillis: args.coalesceWindowMillis,
      metrics: args.metrics,
    });
    this.flusher = new WriteBehindFlusher(args.redis, args.db, {
      prefix,
      collection: hotCounterCollection(collections),
    });
    for (const [kind, spec] of Object.entries(COUNTER_KINDS) as [
      CounterKind,
      (typeof COUNTER_KINDS)[CounterKind],
    ][]) {
      if (spec.store === "sharded") {
        this.sharded.set(
          kind,
          new ShardedCounter(args.db, {
            collection: counterCollection(kind, collections),
            shards: spec.shards,
          }),
        );
      }
    }
  }

  /** Adds `delta` to the `kind` counter of `entityId`. */
  increment(kind: CounterKind, entityId: string, delta = 1): Promise<void> {
    const id = counterId(kind, entityId);
    const sharded = this.sharded.get(kind);
    return sharded ? sharded.increment(id, delta) : this.hot.increment(id, delta);
  }

  /** The current value of the `kind` counter of `entityId`. */
  value(kind: CounterKind, entityId: string): Promise<number> {
    const id = counterId(kind, entityId);
    const sharded = this.sharded.get(kind);
    return sharded ? sharded.value(id) : this.flusher.value(id);
  }

  /** The current values of the `kind` counters of `entityIds`, by entity id; hot kinds in one batch. */
  async values(kind: CounterKind, entityIds: readonly string[]): Promise<Map<string, number>> {
    const unique = [...new Set(entityIds)];
    const sharded = this.sharded.get(kind);
    if (sharded) {
      const counts = await Promise.all(unique.map((e) => sharded.value(counterId(kind, e))));
      return new Map(unique.map((e, i) => [e, counts[i]]));
    }
    const byId = await this.flusher.values(unique.map((e) => counterId(kind, e)));
    return new Map(unique.map((e) => [e, byId.get(counterId(kind, e)) ?? 0]));
  }
}
