import { expect } from "chai";
import { startRedis } from "../../../runtime/local/processes";
import { connectRedis, redisConfigFromEnv, redisOptions } from "../../../runtime/redis/connection";

describe("Redis connection config", () => {
  it("defaults to plain loopback with fail-fast commands", () => {
    const o = redisOptions(redisConfigFromEnv({}));
    expect([
      o.host,
      o.port,
      o.db,
      o.password,
      o.tls,
      o.commandTimeout,
      o.maxRetriesPerRequest,
    ]).to.deep.equal(["127.0.0.1", 6379, 0, undefined, undefined, 1000, 1]);
  });

  it("reads Memorystore AUTH and TLS with the server CA from the environment", () => {
    const o = redisOptions(
      redisConfigFromEnv({
        REDIS_HOST: "10.0.0.3",
        REDIS_PORT: "6378",
        REDIS_PASSWORD: "auth-string",
        REDIS_TLS_CA: "-----BEGIN CERTIFICATE-----x",
      }),
    );
    expect([o.host, o.port, o.password, o.tls]).to.deep.equal([
      "10.0.0.3",
      6378,
      "auth-string",
      { ca: "-----BEGIN CERTIFICATE-----x" },
    ]);
    expect(redisOptions(redisConfigFromEnv({ REDIS_TLS: "true" })).tls).to.deep.equal({});
  });

  it("rejects a bad port or TLS flag by name", () => {
    expect(() => redisConfigFromEnv({ REDIS_PORT: "70000" })).to.throw(
      '`REDIS_PORT` must be an integer 1–65535, but "70000" was provided',
    );
    expect(() => redisConfigFromEnv({ REDIS_TLS: "yes" })).to.throw(
      '`REDIS_TLS` must be "true" or "false", but "yes" was provided',
    );
  });

  it("authenticates with the AUTH string against a redis-server that requires it", async () => {
    const server = await startRedis({ password: "s3cret" });
    const ok = connectRedis({ port: server.port, password: "s3cret" });
    const wrong = connectRedis({ port: server.port, password: "nope" });
    try {
      expect(await ok.ping()).to.equal("PONG");
      const err = await wrong.ping().catch((e: Error) => e.message);
      expect(err).to.match(/WRONGPASS|NOAUTH|invalid username-password/);
    } finally {
      ok.disconnect();
      wrong.disconnect();
      await server.stop();
    }
  });
});
