import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import Redis from "ioredis";
import { startRedis, type LocalProcess } from "../../../runtime/local/processes";
import { buildFraudAnalyzer } from "../../../runtime/services/fraud-analyzer/app";
import { DEFAULT_THRESHOLDS, evaluateRules, type Signals } from "../../../runtime/fraud/rules";
import { useRedis } from "../../support/services";
import { productionEnv, redisEnvFor, uniqueId } from "./env";

const quiet: Signals = {
  paymentsThisHour: 1,
  paymentsToday: 1,
  historyCount: 10,
  historySumMinor: 10_000,
  knownDevice: true,
  homeCountry: "US",
  recentRefunds: 0,
};
const payment = { transactionId: "t1", amountMinor: 1_000, country: "US" };

describe("fraud-analyzer", () => {
  describe("evaluateRules", () => {
    const cases: Array<{
      name: string;
      signals: Partial<Signals>;
      amountMinor?: number;
      country?: string;
      score: number;
      decision: string;
      codes: string[];
    }> = [
      { name: "an ordinary payment", signals: {}, score: 0, decision: "allow", codes: [] },
      {
        name: "11 payments in an hour",
        signals: { paymentsThisHour: 11 },
        score: 35,
        decision: "allow",
        codes: ["velocity_hour"],
      },
      {
        name: "10 payments in an hour (at the limit)",
        signals: { paymentsThisHour: 10 },
        score: 0,
        decision: "allow",
        codes: [],
      },
      {
        name: "51 payments today",
        signals: { paymentsToday: 51 },
        score: 25,
        decision: "allow",
        codes: ["velocity_day"],
      },
      {
        name: "both velocity limits",
        signals: { paymentsThisHour: 12, paymentsToday: 60 },
        score: 60,
        decision: "review",
        codes: ["velocity_hour", "velocity_day"],
      },
      {
        name: "6x the mean amount",
        signals: {},
        amountMinor: 6_000,
        score: 30,
        decision: "allow",
        codes: ["amount_above_history"],
      },
      {
        name: "a large amount with too little history",
        signals: { historyCount: 2, historySumMinor: 2_000 },
        amountMinor: 60_000,
        score: 0,
        decision: "allow",
        codes: [],
      },
      {
        name: "a new device",
        signals: { knownDevice: false },
        score: 15,
        decision: "allow",
        codes: ["new_device"],
      },
      {
        name: "a new device on a new user",
        signals: { knownDevice: false, historyCount: 0, historySumMinor: 0 },
        score: 0,
        decision: "allow",
        codes: [],
      },
      {
        name: "another country",
        signals: {},
        country: "RU",
        score: 20,
        decision: "allow",
        codes: ["country_mismatch"],
      },
      {
        name: "an unknown home country",
        signals: { homeCountry: undefined },
        country: "RU",
        score: 0,
        decision: "allow",
        codes: [],
      },
      {
        name: "two recent refunds",
        signals: { recentRefunds: 2 },
        score: 25,
        decision: "allow",
        codes: ["recent_refunds"],
      },
      {
        name: "new device abroad with a large amount",
        signals: { knownDevice: false },
        amountMinor: 9_000,
        country: "BR",
        score: 65,
        decision: "review",
        codes: ["amount_above_history", "new_device", "country_mismatch"],
      },
      {
        name: "everything at once (capped at 100)",
        signals: { paymentsThisHour: 30, paymentsToday: 80, knownDevice: false, recentRefunds: 5 },
        amountMinor: 50_000,
        country: "NG",
        score: 100,
        decision: "block",
        codes: [
          "velocity_hour",
          "velocity_day",
          "amount_above_history",
          "new_device",
          "country_mismatch",
          "recent_refunds",
        ],
      },
    ];
    for (const c of cases) {
      it(`scores ${c.name}: ${c.score} (${c.decision})`, () => {
        const r = evaluateRules(
          { ...quiet, ...c.signals },
          {
            ...payment,
            amountMinor: c.amountMinor ?? payment.amountMinor,
            country: c.country ?? payment.country,
          },
          DEFAULT_THRESHOLDS,
        );
        expect(r.score).to.equal(c.score);
        expect(r.decision).to.equal(c.decision);
        expect(r.reasons.map((x) => x.code)).to.deep.equal(c.codes);
      });
    }

    it("explains each reason with the observed value and the threshold", () => {
      const r = evaluateRules(
        { ...quiet, paymentsThisHour: 11 },
        { ...payment, amountMinor: 6_000, country: "DE" },
        DEFAULT_THRESHOLDS,
      );
      expect(r.reasons).to.deep.equal([
        { code: "velocity_hour", points: 35, detail: "11 payments this hour; limit 10" },
        {
          code: "amount_above_history",
          points: 30,
          detail: "amount 6000 is above 5x the mean 1000 of 10 payments",
        },
        { code: "country_mismatch", points: 20, detail: "payment from DE; home country US" },
      ]);
      expect(r.decision).to.equal("block");
    });

    it("takes thresholds from config", () => {
      const strict = {
        ...DEFAULT_THRESHOLDS,
        FRAUD_MAX_PAYMENTS_PER_HOUR: 2,
        FRAUD_REVIEW_SCORE: 30,
      };
      const r = evaluateRules({ ...quiet, paymentsThisHour: 3 }, payment, strict);
      expect([r.score, r.decision]).to.deep.equal([35, "review"]);
    });
  });

  describe("service on redis-server", () => {
    let redis: LocalProcess;
    let app: FastifyInstance;
    const t0 = Date.parse("2026-11-25T10:00:00Z");
    let clock = t0;

    before(async () => {
      redis = await useRedis();
      app = await buildFraudAnalyzer(redisEnvFor(redis, { FRAUD_MAX_PAYMENTS_PER_HOUR: "3" }), {
        now: () => clock,
      });
    });
    after(() => app.close());

    const pay = (userId: string, i: number, extra: Record<string, unknown> = {}) =>
      app.inject({
        method: "POST",
        url: "/v1/score",
        payload: {
          transactionId: `${userId}-t${i}`,
          userId,
          amountMinor: 1000,
          currency: "EUR",
          deviceId: "phone-1",
          country: "DE",
          ...extra,
        },
      });

    it("counts velocity per user per hour from Redis and resets in the next hour", async () => {
      const user = uniqueId("velocity");
      clock = t0;
      const results = [];
      for (let i = 1; i <= 4; i++) results.push((await pay(user, i)).json());
      expect(results.map((r) => r.score)).to.deep.equal([0, 0, 0, 35]);
      expect(results[3].reasons[0].detail).to.equal("4 payments this hour; limit 3");
      clock = t0 + 3_600_000;
      expect((await pay(user, 5)).json().score).to.equal(0);
    });

    it("expires the hour and day windows and keeps a result for a week", async () => {
      const user = uniqueId("ttl");
      clock = t0;
      await pay(user, 1);
      const raw = new Redis({ host: redis.host, port: redis.port });
      try {
        const ttl = (part: string) => raw.ttl(`fraud:{${user}}:${part}`);
        expect(await ttl(`h:${Math.floor(t0 / 3_600_000)}`)).to.be.within(7190, 7200);
        expect(await ttl(`d:${Math.floor(t0 / 86_400_000)}`)).to.be.within(172_790, 172_800);
        expect(await ttl(`result:${user}-t1`)).to.be.within(604_790, 604_800);
        expect(await ttl("profile")).to.equal(-1);
      } finally {
        raw.disconnect();
      }
    });

    it("returns the first result when the same transaction is scored again, counting it once", async () => {
      const user = uniqueId("replay");
      clock = t0;
      const first = (await pay(user, 1)).json();
      const again = (await pay(user, 1)).json();
      expect(again).to.deep.equal({ ...first, replayed: true });
      const raw = new Redis({ host: redis.host, port: redis.port });
      try {
        expect(await raw.hget(`fraud:{${user}}:profile`, "count")).to.equal("1");
      } finally {
        raw.disconnect();
      }
    });

    it("flags a new device, an unusual amount, a foreign country and recent refunds", async () => {
      const user = uniqueId("risky");
      clock = t0;
      expect(
        (
          await app.inject({
            method: "PUT",
            url: `/v1/profiles/${user}`,
            payload: { country: "DE" },
          })
        ).statusCode,
      ).to.equal(204);
      for (let i = 1; i <= 3; i++) {
        clock = t0 + i * 4_000_000;
        await pay(user, i);
      }
      for (const refundId of ["r1", "r2"]) {
        const res = await app.inject({
          method: "POST",
          url: "/v1/refunds",
          payload: { refundId, userId: user, amountMinor: 500 },
        });
        expect(res.statusCode).to.equal(204);
      }
      const r = (
        await pay(user, 9, { amountMinor: 20_000, deviceId: "laptop-9", country: "FR" })
      ).json();
      expect(r.reasons.map((x: { code: string }) => x.code)).to.deep.equal([
        "amount_above_history",
        "new_device",
        "country_mismatch",
        "recent_refunds",
      ]);
      expect([r.score, r.decision]).to.deep.equal([90, "block"]);
    });

    it("answers 400 naming the field for a bad body on every endpoint", async () => {
      const bad = [
        {
          method: "POST" as const,
          url: "/v1/score",
          payload: {
            transactionId: "t",
            userId: "u",
            amountMinor: -1,
            currency: "EUR",
            deviceId: "d",
            country: "DE",
          },
          field: "amountMinor",
        },
        {
          method: "POST" as const,
          url: "/v1/refunds",
          payload: { refundId: "r", amountMinor: 1 },
          field: "userId",
        },
        {
          method: "PUT" as const,
          url: "/v1/profiles/u1",
          payload: { country: "germany" },
          field: "country",
        },
      ];
      for (const b of bad) {
        const res = await app.inject({ method: b.method, url: b.url, payload: b.payload });
        expect(res.statusCode, b.url).to.equal(400);
        expect(res.json().field, b.url).to.equal(b.field);
      }
    });
  });

  describe("negative paths", () => {
    it("answers 401 without a token in production mode on every endpoint", async () => {
      const redis = await useRedis();
      const app = await buildFraudAnalyzer(
        productionEnv({
          REDIS_HOST: redis.host,
          REDIS_PORT: String(redis.port),
          AVALO_PUSH_INVOKER_EMAIL: "invoker@avalo-us.iam.gserviceaccount.com",
        }),
      );
      try {
        for (const [method, url] of [
          ["POST", "/v1/score"],
          ["POST", "/v1/refunds"],
          ["PUT", "/v1/profiles/u1"],
        ] as const) {
          const res = await app.inject({ method, url, payload: {} });
          expect(res.statusCode, url).to.equal(401);
        }
      } finally {
        await app.close();
      }
    });

    it("answers 503 from /healthz when its redis-server goes down", async () => {
      const own = await startRedis();
      const app = await buildFraudAnalyzer(redisEnvFor(own));
      try {
        expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode).to.equal(200);
        await own.stop();
        const res = await app.inject({ method: "GET", url: "/healthz" });
        expect(res.statusCode).to.equal(503);
        expect(res.json().status).to.equal("unavailable");
        expect(res.json().checks.redis).to.match(/^down: /);
      } finally {
        await app.close();
        await own.stop();
      }
    });
  });
});
