import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { CircuitBreaker } from "../../../runtime/services/clients/breaker";
import { backoffDelayMillis } from "../../../runtime/services/clients/backoff";
import { ServiceCallError } from "../../../runtime/services/clients/errors";
import { FraudAnalyzerClient } from "../../../runtime/services/clients/fraud-analyzer";
import { noIdTokens } from "../../../runtime/services/clients/id-token";
import {
  ServiceClient,
  type ServiceClientArgs,
} from "../../../runtime/services/clients/service-client";
import { buildFraudAnalyzer } from "../../../runtime/services/fraud-analyzer/app";
import { useRedis } from "../../support/services";
import { redisEnvFor, uniqueId } from "./env";

/** Failures the next requests get, consumed in order, before the real handler runs. */
type Injected = { status: number; retryAfter?: string } | { delayMillis: number };

describe("service clients against a real fraud-analyzer", () => {
  let app: FastifyInstance;
  let baseUrl: string;
  let inject: Injected[] = [];
  let served = 0;

  before(async () => {
    const redis = await useRedis();
    app = await buildFraudAnalyzer(redisEnvFor(redis));
    app.addHook("onRequest", async (req, reply) => {
      if (req.url === "/healthz") return;
      served++;
      const next = inject.shift();
      if (!next) return;
      if ("delayMillis" in next) {
        await new Promise((r) => setTimeout(r, next.delayMillis));
        return;
      }
      if (next.retryAfter) reply.header("retry-after", next.retryAfter);
      return reply.status(next.status).send({ error: `injected ${next.status}` });
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    baseUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  after(() => app.close());
  beforeEach(() => {
    inject = [];
    served = 0;
  });

  const sleeps: number[] = [];
  function client(extra: Partial<ServiceClientArgs> = {}) {
    sleeps.length = 0;
    return new ServiceClient({
      service: "fraud-analyzer",
      baseUrl,
      tokens: noIdTokens,
      random: () => 0.5,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...extra,
    });
  }
  const payment = () => ({
    transactionId: uniqueId("tx"),
    userId: uniqueId("user"),
    amountMinor: 1200,
    currency: "EUR",
    deviceId: "d1",
    country: "DE",
  });

  it("retries an idempotent call through two injected 503s and succeeds", async () => {
    inject = [{ status: 503 }, { status: 429 }];
    const p = payment();
    const r = await new FraudAnalyzerClient(client()).score(p);
    expect(r).to.deep.include({ transactionId: p.transactionId, score: 0, decision: "allow" });
    expect(served).to.equal(3);
    expect(sleeps).to.deep.equal([50, 100]);
  });

  it("honours Retry-After, capped at the backoff maximum", async () => {
    inject = [{ status: 429, retryAfter: "1" }];
    await new FraudAnalyzerClient(client({ backoffMaxMillis: 800 })).score(payment());
    expect(sleeps).to.deep.equal([800]);
  });

  it("retries a timed-out idempotent call", async () => {
    inject = [{ delayMillis: 1500 }];
    const r = await new FraudAnalyzerClient(client({ timeoutMillis: 500 })).score(payment());
    expect(r.decision).to.equal("allow");
    expect(served).to.equal(2);
  });

  it("does not retry a non-idempotent call, and names service, call and attempts", async () => {
    inject = [{ status: 503 }, { status: 503 }];
    const c = client();
    const err = await c
      .call({
        call: "recordInteraction",
        method: "POST",
        path: "/v1/score",
        body: payment(),
        idempotent: false,
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).to.be.instanceOf(ServiceCallError);
    expect((err as Error).message).to.equal(
      'fraud-analyzer.recordInteraction failed after 1 attempt: HTTP 503: {"error":"injected 503"}',
    );
    expect(served).to.equal(1);
  });

  it("does not retry a 400 and reports the field", async () => {
    const err = (await new FraudAnalyzerClient(client())
      .score({ ...payment(), currency: "euro" })
      .catch((e: unknown) => e)) as ServiceCallError;
    expect([err.status, err.attempts, served]).to.deep.equal([400, 1, 1]);
    expect(err.message).to.match(
      /^fraud-analyzer\.score failed after 1 attempt: HTTP 400: .*"field":"currency"/,
    );
  });

  it("gives up after maxAttempts with the attempt count in the error", async () => {
    inject = [{ status: 503 }, { status: 503 }, { status: 503 }];
    const err = (await new FraudAnalyzerClient(client())
      .score(payment())
      .catch((e: unknown) => e)) as ServiceCallError;
    expect(err.message).to.equal(
      'fraud-analyzer.score failed after 3 attempts: HTTP 503: {"error":"injected 503"}',
    );
    expect([err.attempts, err.failure, served]).to.deep.equal([3, "http", 3]);
  });

  it("opens the breaker after repeated failures, fails fast, and closes after the cool-down", async () => {
    let now = 1_000;
    const c = client({
      maxAttempts: 1,
      breakerFailureThreshold: 3,
      breakerCoolDownMillis: 5_000,
      now: () => now,
    });
    const fraud = new FraudAnalyzerClient(c);
    inject = [{ status: 503 }, { status: 503 }, { status: 503 }];
    for (let i = 0; i < 3; i++) await fraud.score(payment()).catch(() => undefined);
    expect(c.breaker.state).to.equal("open");
    const fast = (await fraud.score(payment()).catch((e: unknown) => e)) as ServiceCallError;
    expect(fast.failure).to.equal("circuit-open");
    expect(fast.message).to.match(
      /^fraud-analyzer\.score failed after 0 attempts: circuit open after repeated failures; next trial in 5000 ms/,
    );
    expect(served).to.equal(3);
    now += 5_000;
    expect(c.breaker.state).to.equal("half-open");
    const r = await fraud.score(payment());
    expect(r.decision).to.equal("allow");
    expect(c.breaker.state).to.equal("closed");
    expect(served).to.equal(4);
  });

  it("reopens when the half-open trial fails", async () => {
    let now = 0;
    const c = client({
      maxAttempts: 1,
      breakerFailureThreshold: 1,
      breakerCoolDownMillis: 100,
      now: () => now,
    });
    inject = [{ status: 503 }, { status: 503 }];
    await new FraudAnalyzerClient(c).score(payment()).catch(() => undefined);
    now = 100;
    await new FraudAnalyzerClient(c).score(payment()).catch(() => undefined);
    expect(c.breaker.state).to.equal("open");
    expect(c.breaker.retryInMillis()).to.equal(100);
  });

  it("takes the per-call timeout from the service table", () => {
    const c = new ServiceClient({
      service: "ai-inference",
      baseUrl: "http://x",
      tokens: noIdTokens,
    });
    expect((c as unknown as { timeoutMillis: number }).timeoutMillis).to.equal(120_000);
  });
});

describe("backoff and breaker", () => {
  it("draws full-jitter delays under a doubling, capped ceiling", () => {
    const args = { baseMillis: 100, maxMillis: 1000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMillis(n, args, () => 0.999))).to.deep.equal([
      99, 199, 399, 799, 999,
    ]);
    expect(backoffDelayMillis(3, args, () => 0)).to.equal(0);
  });

  it("lets only one trial through while half-open", () => {
    let now = 0;
    const b = new CircuitBreaker({ failureThreshold: 1, coolDownMillis: 10, now: () => now });
    b.onFailure();
    expect(b.tryAcquire()).to.equal(false);
    now = 10;
    expect([b.tryAcquire(), b.tryAcquire()]).to.deep.equal([true, false]);
  });

  it("rejects a threshold that would never close", () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0, coolDownMillis: 1 })).to.throw(
      "failureThreshold must be at least 1, but 0 was provided",
    );
  });
});
