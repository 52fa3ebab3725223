import { expect } from "chai";
import Fastify, { type FastifyInstance } from "fastify";
import { startRedis } from "../../../runtime/local/processes";
import { buildAiInference } from "../../../runtime/services/ai-inference/app";
import {
  LOCAL_LABEL,
  localProvider,
  vertexProvider,
  type GenerationProvider,
} from "../../../runtime/services/ai-inference/provider";
import { useRedis } from "../../support/services";
import { productionEnv, redisEnvFor, uniqueId } from "./env";

const input = { userId: "u1", companionId: "luna", prompt: "How was your day?" };

describe("ai-inference", () => {
  describe("providers", () => {
    it("local: the same prompt gives the same labelled answer", async () => {
      const signal = AbortSignal.timeout(1000);
      const a = await localProvider.generate(input, signal);
      const b = await localProvider.generate(input, signal);
      expect(a).to.deep.equal(b);
      expect(a.text.startsWith(`${LOCAL_LABEL} luna: `)).to.equal(true);
      expect(a.text).to.include('You said: "How was your day?"');
      expect((await localProvider.generate({ ...input, prompt: "Hi" }, signal)).text).to.not.equal(
        a.text,
      );
    });

    describe("vertex against a local stand-in endpoint", () => {
      let stub: FastifyInstance;
      let seen: { url: string; auth?: string; body: unknown } | undefined;
      before(async () => {
        stub = Fastify();
        stub.post("/*", async (req, reply) => {
          seen = { url: req.url, auth: req.headers.authorization, body: req.body };
          const prompt = (req.body as { contents: { parts: { text: string }[] }[] }).contents[0]
            .parts[0].text;
          if (prompt === "blocked") return { promptFeedback: { blockReason: "SAFETY" } };
          if (prompt === "quota")
            return reply.status(429).send({ error: { message: "Quota exceeded" } });
          return { candidates: [{ content: { parts: [{ text: "Hello " }, { text: "there" }] } }] };
        });
        await stub.listen({ port: 0, host: "127.0.0.1" });
      });
      after(() => stub.close());
      const provider = () =>
        vertexProvider({
          projectId: "avalo-eu",
          location: "europe-west1",
          model: "gemini-2.5-flash",
          endpoint: `http://127.0.0.1:${(stub.server.address() as { port: number }).port}`,
          accessToken: async () => "ya29.test",
        });

      it("calls generateContent of the model with the service account's token", async () => {
        const r = await provider().generate(input, AbortSignal.timeout(2000));
        expect(r).to.deep.equal({
          text: "Hello there",
          provider: "vertex",
          model: "gemini-2.5-flash",
        });
        expect(seen?.url).to.equal(
          "/v1/projects/avalo-eu/locations/europe-west1/publishers/google/models/gemini-2.5-flash:generateContent",
        );
        expect(seen?.auth).to.equal("Bearer ya29.test");
        expect(seen?.body).to.deep.include({
          contents: [{ role: "user", parts: [{ text: "How was your day?" }] }],
        });
      });

      it("reports a blocked prompt and an HTTP error with Vertex's message", async () => {
        const p = provider();
        const signal = AbortSignal.timeout(2000);
        const blocked = await p
          .generate({ ...input, prompt: "blocked" }, signal)
          .catch((e: Error) => e.message);
        const quota = await p
          .generate({ ...input, prompt: "quota" }, signal)
          .catch((e: Error) => e.message);
        expect([blocked, quota]).to.deep.equal([
          "Vertex AI blocked the prompt: SAFETY",
          "Vertex AI answered HTTP 429: Quota exceeded",
        ]);
      });
    });
  });

  describe("service on redis-server", () => {
    let app: FastifyInstance;
    let calls = 0;
    const counting: GenerationProvider = {
      name: "counting",
      model: "m1",
      async generate(i, signal) {
        calls++;
        if (i.prompt === "slow")
          await new Promise((_resolve, reject) =>
            signal.addEventListener("abort", () => reject(signal.reason)),
          );
        return { text: `answer ${calls}`, provider: "counting", model: "m1" };
      },
    };
    before(async () => {
      const redis = await useRedis();
      app = await buildAiInference(
        redisEnvFor(redis, { AI_GENERATIONS_PER_MINUTE: "3", AI_TIMEOUT_MILLIS: "200" }),
        {
          provider: counting,
        },
      );
    });
    after(() => app.close());
    const gen = (body: Record<string, unknown>) =>
      app.inject({ method: "POST", url: "/v1/generate", payload: body });

    it("answers a repeated prompt from the cache without calling the provider", async () => {
      const prompt = uniqueId("prompt");
      const userId = uniqueId("u");
      const first = (await gen({ userId, companionId: "luna", prompt })).json();
      const before = calls;
      const second = (await gen({ userId, companionId: "luna", prompt })).json();
      expect([first.cached, second.cached, second.text, calls]).to.deep.equal([
        false,
        true,
        first.text,
        before,
      ]);
    });

    it("limits generations per user per minute with 429 and Retry-After", async () => {
      const userId = uniqueId("greedy");
      const statuses = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await gen({ userId, companionId: "c", prompt: uniqueId("p") })).statusCode);
      expect(statuses).to.deep.equal([200, 200, 200, 429]);
      const refused = await gen({ userId, companionId: "c", prompt: uniqueId("p") });
      expect(Number(refused.headers["retry-after"])).to.be.within(1, 60);
      expect(refused.json().error).to.match(
        new RegExp(`^rate limit: user ${userId} has no generations left; retry in \\d+ s$`),
      );
      expect(
        (await gen({ userId: uniqueId("other"), companionId: "c", prompt: uniqueId("p") }))
          .statusCode,
      ).to.equal(200);
    });

    it("answers 504 when the provider exceeds the timeout", async () => {
      const res = await gen({ userId: uniqueId("u"), companionId: "c", prompt: "slow" });
      expect([res.statusCode, res.json().error]).to.deep.equal([
        504,
        "counting provider did not answer within 200 ms",
      ]);
    });

    it("answers 400 naming the field", async () => {
      const res = await gen({ userId: "u", companionId: "c", prompt: "" });
      expect([res.statusCode, res.json().field]).to.deep.equal([400, "prompt"]);
    });
  });

  describe("negative paths", () => {
    it("answers 401 without a token in production mode", async () => {
      const redis = await useRedis();
      const app = await buildAiInference(
        productionEnv({
          REDIS_HOST: redis.host,
          REDIS_PORT: String(redis.port),
          AVALO_PUSH_INVOKER_EMAIL: "invoker@avalo-us.iam.gserviceaccount.com",
        }),
      );
      try {
        expect(
          (await app.inject({ method: "POST", url: "/v1/generate", payload: {} })).statusCode,
        ).to.equal(401);
      } finally {
        await app.close();
      }
    });

    it("requires AI_VERTEX_LOCATION for the Vertex provider", async () => {
      const err = await buildAiInference(
        productionEnv({ REDIS_HOST: "h", AI_PROVIDER: "vertex" }),
      ).catch((e: Error) => e.message);
      expect(err).to.equal(
        "invalid configuration:\n  AI_VERTEX_LOCATION: required when AI_PROVIDER=vertex; it is not set",
      );
    });

    it("answers 503 from /healthz when its redis-server goes down", async () => {
      const own = await startRedis();
      const app = await buildAiInference(redisEnvFor(own));
      try {
        await own.stop();
        expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode).to.equal(503);
      } finally {
        await app.close();
      }
    });
  });
});
