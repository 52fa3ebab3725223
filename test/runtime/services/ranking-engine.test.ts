import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import Redis from "ioredis";
import { Counters } from "../../../runtime/counters";
import { getFirestore } from "../../../runtime/firestore/client";
import { startRedis } from "../../../runtime/local/processes";
import { buildRankingEngine } from "../../../runtime/services/ranking-engine/app";
import type { Candidate } from "../../../runtime/services/ranking-engine/contract";
import { rankCandidates, scoreCandidate } from "../../../runtime/services/ranking-engine/scoring";
import { useFirestore, useRedis } from "../../support/services";
import { productionEnv, redisEnvFor, uniqueId } from "./env";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const hoursAgo = (h: number) => new Date(NOW - h * 3_600_000).toISOString();
const none = { affinity: new Map<string, number>(), engagement: new Map() };

describe("ranking-engine", () => {
  describe("scoring", () => {
    it("halves recency every 12 hours", () => {
      const s = (h: number) =>
        scoreCandidate({ postId: "p", authorId: "a", createdAt: hoursAgo(h) }, none, NOW);
      expect([s(0).recency, s(12).recency, s(24).recency]).to.deep.equal([1, 0.5, 0.25]);
      expect(s(12).score).to.equal(0.25);
    });

    it("ranks by recency, affinity and engagement, ties broken by post id", () => {
      const candidates: Candidate[] = [
        { postId: "old-friend", authorId: "friend", createdAt: hoursAgo(24) },
        { postId: "new-stranger", authorId: "stranger", createdAt: hoursAgo(0) },
        { postId: "mid-viral", authorId: "stranger", createdAt: hoursAgo(12) },
        { postId: "b-tie", authorId: "x", createdAt: hoursAgo(36) },
        { postId: "a-tie", authorId: "x", createdAt: hoursAgo(36) },
      ];
      const ranked = rankCandidates(
        candidates,
        {
          affinity: new Map([["friend", 20]]),
          engagement: new Map([["mid-viral", { likes: 1000, views: 5000 }]]),
        },
        NOW,
      );
      expect(ranked.map((r) => [r.postId, r.score])).to.deep.equal([
        ["new-stranger", 0.5],
        ["mid-viral", 0.45],
        ["old-friend", 0.419505],
        ["a-tie", 0.0625],
        ["b-tie", 0.0625],
      ]);
    });

    it("drops duplicate candidates", () => {
      const c = { postId: "p1", authorId: "a", createdAt: hoursAgo(1) };
      expect(rankCandidates([c, c], none, NOW)).to.have.length(1);
    });
  });

  describe("service on redis-server and the Firestore emulator", () => {
    let app: FastifyInstance;
    let raw: Redis;
    let counters: Counters;
    let clock = NOW;
    before(async () => {
      const [redis] = await Promise.all([useRedis(), useFirestore()]);
      raw = new Redis({ host: redis.host, port: redis.port });
      counters = new Counters({
        db: getFirestore({ projectId: "avalo-local" }),
        redis: raw,
        region: "us-east",
      });
      // Engagement read on every ranking: these tests change it between requests.
      app = await buildRankingEngine(redisEnvFor(redis, { RANKING_ENGAGEMENT_TTL_SECONDS: "0" }), {
        now: () => clock,
      });
    });
    after(async () => {
      await app.close();
      raw.disconnect();
    });

    const candidates = (n: number): Candidate[] =>
      Array.from({ length: n }, (_, i) => ({
        postId: `p${String(i).padStart(2, "0")}`,
        authorId: `a${i % 3}`,
        createdAt: hoursAgo(i),
      }));
    const rank = (body: Record<string, unknown>) =>
      app.inject({ method: "POST", url: "/v1/rank", payload: body });

    it("serves a repeat request from the Redis cache", async () => {
      const userId = uniqueId("cache");
      const first = (await rank({ userId, candidates: candidates(5), limit: 5 })).json();
      const second = (await rank({ userId, candidates: candidates(5), limit: 5 })).json();
      expect([first.cached, second.cached]).to.deep.equal([false, true]);
      expect(second.items).to.deep.equal(first.items);
    });

    async function pageThrough(
      userId: string,
      all: Candidate[],
      expire: boolean,
    ): Promise<string[]> {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = (await rank({ userId, candidates: all, limit: 10, cursor })).json();
        seen.push(...page.items.map((i: { postId: string }) => i.postId));
        cursor = page.nextCursor;
        // Between pages the world moves on: time passes and the oldest post goes viral.
        clock += 3_600_000;
        await counters.increment("likes", all.at(-1)!.postId, 1_000_000);
        if (expire) for (const k of await raw.keys(`rank:{${userId}}:snapshot:*`)) await raw.del(k);
      } while (cursor);
      clock = NOW;
      return seen;
    }

    it("pages with a stable cursor: no repeats or gaps although signals change between pages", async () => {
      const all = candidates(25).map((c) => ({ ...c, postId: `${c.postId}-${uniqueId("s")}` }));
      const seen = await pageThrough(uniqueId("pages"), all, false);
      expect(seen).to.deep.equal(all.map((c) => c.postId));
    });

    it("never repeats an item once the snapshot has expired", async () => {
      const all = candidates(25).map((c) => ({ ...c, postId: `${c.postId}-${uniqueId("e")}` }));
      const seen = await pageThrough(uniqueId("expired"), all, true);
      expect(new Set(seen).size).to.equal(seen.length);
      // The viral post moved above the cursor after page 1 and is not served again.
      expect(seen).to.have.length(24);
    });

    it("reads engagement from the likes and views counters, written-behind and pending alike", async () => {
      const post = uniqueId("liked");
      await counters.increment("likes", post, 5);
      await counters.flusher.flushAll();
      await counters.increment("likes", post, 3);
      await counters.increment("views", post, 10);
      const page = (
        await rank({
          userId: uniqueId("engaged"),
          candidates: [{ postId: post, authorId: "a", createdAt: hoursAgo(0) }],
        })
      ).json();
      // 8 likes (5 in Firestore, 3 pending in Redis) and 10 views: log10(1 + 5 × 8 + 10) / 4.
      expect(page.items[0].engagement).to.equal(0.426893);
    });

    it("caches a post's engagement for the configured TTL, then reads the counters again", async () => {
      const redis = await useRedis();
      const cached = await buildRankingEngine(
        redisEnvFor(redis, { RANKING_ENGAGEMENT_TTL_SECONDS: "1" }),
      );
      try {
        const post = uniqueId("cached");
        const engagementOf = async () =>
          (
            await cached.inject({
              method: "POST",
              url: "/v1/rank",
              payload: {
                userId: uniqueId("reader"),
                candidates: [{ postId: post, authorId: "a", createdAt: hoursAgo(0) }],
              },
            })
          ).json().items[0].engagement;
        await counters.increment("likes", post, 1);
        const first = await engagementOf();
        await counters.increment("likes", post, 1_000);
        const within = await engagementOf();
        await new Promise((r) => setTimeout(r, 1_300));
        const after = await engagementOf();
        // log10(1 + 5 × 1) / 4, still that within the TTL, then log10(1 + 5 × 1001) / 4.
        expect([first, within, after]).to.deep.equal([0.194538, 0.194538, 0.924873]);
      } finally {
        await cached.close();
      }
    });

    it("ranks the user's stored candidates with the affinity it recorded", async () => {
      const userId = uniqueId("stored");
      const posts = [
        { postId: "close", authorId: "bestie", createdAt: hoursAgo(6) },
        { postId: "fresh", authorId: "someone", createdAt: hoursAgo(1) },
      ];
      expect(
        (
          await app.inject({
            method: "POST",
            url: "/v1/candidates",
            payload: { userIds: [userId], candidates: posts },
          })
        ).statusCode,
      ).to.equal(204);
      expect(
        (await rank({ userId })).json().items.map((i: { postId: string }) => i.postId),
      ).to.deep.equal(["fresh", "close"]);
      for (let i = 0; i < 3; i++) {
        await app.inject({
          method: "POST",
          url: "/v1/interactions",
          payload: { userId, authorId: "bestie", weight: 10 },
        });
      }
      await app.inject({
        method: "POST",
        url: "/v1/candidates",
        payload: { userIds: [userId], candidates: posts },
      });
      const page = (await rank({ userId })).json();
      expect(page.items.map((i: { postId: string }) => i.postId)).to.deep.equal(["close", "fresh"]);
      expect(page.items[0].affinity).to.equal(0.997521);
    });

    it("answers 400 naming the field for a bad body on every endpoint, and for a foreign cursor", async () => {
      const cases = [
        { url: "/v1/rank", payload: { userId: "u", limit: 0 }, field: "limit" },
        {
          url: "/v1/rank",
          payload: {
            userId: "u",
            candidates: [{ postId: "p", authorId: "a", createdAt: "yesterday" }],
          },
          field: "candidates.0.createdAt",
        },
        {
          url: "/v1/rank",
          payload: { userId: "u", candidates: candidates(2), cursor: "bm9wZQ" },
          field: "cursor",
        },
        { url: "/v1/interactions", payload: { userId: "u" }, field: "authorId" },
        {
          url: "/v1/candidates",
          payload: { userIds: [], candidates: candidates(1) },
          field: "userIds",
        },
      ];
      for (const c of cases) {
        const res = await app.inject({ method: "POST", url: c.url, payload: c.payload });
        expect(res.statusCode, c.field).to.equal(400);
        expect(res.json().field).to.equal(c.field);
      }
    });
  });

  describe("negative paths", () => {
    it("answers 401 without a token in production mode on every endpoint", async () => {
      const redis = await useRedis();
      const app = await buildRankingEngine(
        productionEnv({ REDIS_HOST: redis.host, REDIS_PORT: String(redis.port) }),
      );
      try {
        for (const url of ["/v1/rank", "/v1/interactions", "/v1/candidates"]) {
          expect((await app.inject({ method: "POST", url, payload: {} })).statusCode, url).to.equal(
            401,
          );
        }
      } finally {
        await app.close();
      }
    });

    it("answers 503 from /healthz when its redis-server goes down", async () => {
      const own = await startRedis();
      const app = await buildRankingEngine(redisEnvFor(own));
      try {
        expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode).to.equal(200);
        await own.stop();
        const res = await app.inject({ method: "GET", url: "/healthz" });
        expect([res.statusCode, res.json().checks.redis.startsWith("down: ")]).to.deep.equal([
          503,
          true,
        ]);
      } finally {
        await app.close();
      }
    });
  });
});
