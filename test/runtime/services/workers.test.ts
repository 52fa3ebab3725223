import { expect } from "chai";
import { buildFeedWorker } from "../../../runtime/services/feed-worker/app";
import { buildMatchWorker } from "../../../runtime/services/match-worker/app";
import { buildUserWorker } from "../../../runtime/services/user-worker/app";
import { useFirestore, useRedis } from "../../support/services";
import { productionEnv, redisEnvFor } from "./env";

describe("pipeline workers", () => {
  const builders = {
    "user-worker": buildUserWorker,
    "match-worker": buildMatchWorker,
    "feed-worker": buildFeedWorker,
  };
  for (const [name, build] of Object.entries(builders)) {
    it(`${name}: healthy on Firestore and Redis, push route mounted, bad push body is 400`, async () => {
      await useFirestore();
      const redis = await useRedis();
      const app = await build(redisEnvFor(redis));
      try {
        // The first check may meet cold gRPC and Redis connections on a loaded machine.
        let health = await app.inject({ method: "GET", url: "/healthz" });
        for (let i = 0; i < 3 && health.statusCode !== 200; i++) {
          health = await app.inject({ method: "GET", url: "/healthz" });
        }
        expect(health.json().checks).to.deep.equal({ firestore: "ok", redis: "ok" });
        expect(health.statusCode).to.equal(200);
        const bad = await app.inject({
          method: "POST",
          url: "/pubsub/push",
          payload: { nope: true },
        });
        expect([bad.statusCode, bad.json().error]).to.deep.equal([
          400,
          'push body has no "message" object',
        ]);
      } finally {
        await app.close();
      }
    });
  }

  it("answers 401 to a push without a token in production mode", async () => {
    const redis = await useRedis();
    const app = await buildUserWorker(
      productionEnv({
        REDIS_HOST: redis.host,
        REDIS_PORT: String(redis.port),
        AVALO_PUSH_INVOKER_EMAIL: "invoker@avalo-us.iam.gserviceaccount.com",
      }),
    );
    try {
      expect(
        (await app.inject({ method: "POST", url: "/pubsub/push", payload: {} })).statusCode,
      ).to.equal(401);
    } finally {
      await app.close();
    }
  });

  it("requires the push invoker's email in production mode", async () => {
    const err = await buildMatchWorker(productionEnv({ REDIS_HOST: "h" })).catch(
      (e: Error) => e.message,
    );
    expect(err).to.match(
      /^invalid configuration:\n {2}AVALO_PUSH_INVOKER_EMAIL: required when AVALO_AUTH=google-oidc/,
    );
  });
});
