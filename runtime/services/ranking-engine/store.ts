import type Redis from "ioredis";
import { ReadThroughCache } from "../../cache/read-through";
import type { Counters } from "../../counters";
import type { Candidate, RankedItem } from "./contract";
import type { Engagement } from "./scoring";

/**
 * Ranking state in Redis, per user under one hash tag (`rank:{userId}:…`): interactions with
 * authors, stored feed candidates (a sorted set by creation time), and the cached ranking with
 * its `asOf` time and candidate-set hash. Each ranking is a snapshot keyed by its `asOf`, kept
 * for the cursor lifetime; `latest` points at the snapshot a first page may reuse.
 */
export interface CachedRanking {
  readonly asOf: number;
  readonly set: string;
  readonly ranked: readonly RankedItem[];
}

/** Where engagement comes from: the likes and views counters in production. */
export interface EngagementSource {
  engagement(postIds: readonly string[]): Promise<Map<string, Engagement>>;
}

/** Candidates kept per user. */
export const MAX_STORED_CANDIDATES = 500;

const key = (userId: string, part: string) => `rank:{${userId}}:${part}`;

export class RankingStore {
  constructor(
    private readonly redis: Redis,
    /** A first page reuses the latest ranking for this long. */
    private readonly cacheTtlSeconds: number,
    /** Snapshots live this long; a cursor older than that re-ranks at its `asOf`. */
    private readonly cursorTtlSeconds: number,
  ) {}

  async affinity(userId: string, authorIds: readonly string[]): Promise<Map<string, number>> {
    const unique = [...new Set(authorIds)];
    if (unique.length === 0) return new Map();
    const values = await this.redis.hmget(key(userId, "affinity"), ...unique);
    return new Map(unique.map((a, i) => [a, Number(values[i] ?? 0)]));
  }

  async recordInteraction(userId: string, authorId: string, weight: number): Promise<void> {
    await this.redis.hincrby(key(userId, "affinity"), authorId, weight);
  }

  async storedCandidates(userId: string): Promise<Candidate[]> {
    const members = await this.redis.zrevrange(
      key(userId, "candidates"),
      0,
      MAX_STORED_CANDIDATES - 1,
    );
    return members.map((m) => JSON.parse(m) as Candidate);
  }

  /** Adds candidates to each user's set (same member for the same post: idempotent) and drops the oldest. */
  async addCandidates(userIds: readonly string[], candidates: readonly Candidate[]): Promise<void> {
    const multi = this.redis.multi();
    for (const userId of userIds) {
      const k = key(userId, "candidates");
      for (const c of candidates) {
        multi.zadd(
          k,
          Date.parse(c.createdAt),
          JSON.stringify({ postId: c.postId, authorId: c.authorId, createdAt: c.createdAt }),
        );
      }
      multi.zremrangebyrank(k, 0, -MAX_STORED_CANDIDATES - 1);
      multi.del(key(userId, "latest"));
    }
    await multi.exec();
  }

  /** The ranking snapshot taken at `asOf`, or the latest one when `asOf` is undefined. */
  async cached(userId: string, asOf?: number): Promise<CachedRanking | undefined> {
    const at = asOf ?? (await this.redis.get(key(userId, "latest")));
    if (at === null) return undefined;
    const text = await this.redis.get(key(userId, `snapshot:${at}`));
    return text ? (JSON.parse(text) as CachedRanking) : undefined;
  }

  /** Stores a snapshot for the cursor lifetime and makes it the latest for the cache TTL. */
  async cache(userId: string, ranking: CachedRanking): Promise<void> {
    await this.redis
      .multi()
      .set(
        key(userId, `snapshot:${ranking.asOf}`),
        JSON.stringify(ranking),
        "EX",
        this.cursorTtlSeconds,
      )
      .set(key(userId, "latest"), String(ranking.asOf), "EX", this.cacheTtlSeconds)
      .exec();
  }
}

/** Engagement from the platform's `likes` and `views` counters (runtime/counters). */
export function countersEngagement(counters: Pick<Counters, "values">): EngagementSource {
  return {
    async engagement(postIds) {
      const [likes, views] = await Promise.all([
        counters.values("likes", postIds),
        counters.values("views", postIds),
      ]);
      return new Map(
        postIds.map((id) => [id, { likes: likes.get(id) ?? 0, views: views.get(id) ?? 0 }]),
      );
    },
  };
}

/**
 * Caches each post's engagement in Redis (read-through, per region) for `ttlSeconds`, so a
 * ranking reads a post's counters from Firestore at most once per TTL, whatever the number of
 * users whose feeds hold it. Engagement may lag by up to the TTL; 0 turns the cache off.
 */
export function cachedEngagement(
  source: EngagementSource,
  args: { readonly redis: Redis; readonly region: string; readonly ttlSeconds: number },
): EngagementSource {
  if (args.ttlSeconds === 0) return source;
  const cache = new ReadThroughCache<Engagement>({
    redis: args.redis,
    region: args.region,
    namespace: "engagement",
    ttlSeconds: args.ttlSeconds,
    negativeTtlSeconds: 0,
    load: async (postId) => (await source.engagement([postId])).get(postId),
  });
  return {
    async engagement(postIds) {
      const values = await Promise.all(postIds.map((id) => cache.get(id)));
      return new Map(postIds.map((id, i) => [id, values[i] ?? { likes: 0, views: 0 }]));
    },
  };
}
