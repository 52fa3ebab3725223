import { expect } from "chai";
import { connectRedis } from "../../../runtime/services/server/redis";

const CONFIG = { REDIS_HOST: "127.0.0.1", REDIS_PORT: 1, REDIS_PASSWORD: "auth" };
const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";

describe("service Redis connection", () => {
  it("uses TLS with the Memorystore CA when REDIS_TLS_CA is set", () => {
    const redis = connectRedis(CONFIG, { REDIS_TLS: "true", REDIS_TLS_CA: CA });
    try {
      expect(redis.options.tls).to.deep.equal({ ca: CA });
      expect(redis.options.password).to.equal("auth");
    } finally {
      redis.disconnect();
    }
  });

  it("stays plain on loopback when no TLS variable is set", () => {
    const redis = connectRedis(CONFIG, {});
    try {
      expect(redis.options.tls).to.equal(undefined);
    } finally {
      redis.disconnect();
    }
  });

  it("rejects a REDIS_TLS value that is neither true nor false, naming it", () => {
    expect(() => connectRedis(CONFIG, { REDIS_TLS: "yes" })).to.throw(
      '`REDIS_TLS` must be "true" or "false", but "yes" was provided',
    );
  });
});
