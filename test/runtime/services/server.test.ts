import { expect } from "chai";
import { Writable } from "node:stream";
import { z } from "zod";
import type { FastifyInstance } from "fastify";
import { createServiceApp } from "../../../runtime/services/server/app";
import { googleOidcAuthenticator } from "../../../runtime/services/server/auth";
import { ConfigError, loadConfig, redisEnv } from "../../../runtime/services/server/config";
import { parseBody } from "../../../runtime/services/server/errors";
import { traceFields } from "../../../runtime/services/server/logger";
import { drainOnSignal } from "../../../runtime/services/server/shutdown";

const LOCAL = { AVALO_REGION: "us-east", AVALO_AUTH: "local", LOG_LEVEL: "silent" };
const LOGGED = { ...LOCAL, LOG_LEVEL: "info" };

function captureLogs(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe("service server", () => {
  describe("loadConfig", () => {
    it("names a missing variable and says it is not set", () => {
      expect(() => loadConfig(redisEnv, { AVALO_AUTH: "local", REDIS_HOST: "h" }))
        .to.throw(ConfigError, /AVALO_REGION: .*; it is not set/)
        .with.property("variables")
        .that.deep.equals(["AVALO_REGION"]);
    });

    it("names a bad variable with the value it got", () => {
      expect(() =>
        loadConfig(redisEnv, { ...LOCAL, REDIS_HOST: "h", REDIS_PORT: "70000" }),
      ).to.throw(ConfigError, 'REDIS_PORT: Too big: expected number to be <=65535; got "70000"');
    });

    it("requires AVALO_SERVICE_URL in google-oidc mode", () => {
      expect(() => loadConfig({}, { AVALO_REGION: "eu-west", AVALO_AUTH: "google-oidc" }))
        .to.throw(ConfigError, /AVALO_SERVICE_URL: required when AVALO_AUTH=google-oidc/)
        .with.property("variables")
        .that.deep.equals(["AVALO_SERVICE_URL"]);
    });

    it("has no default auth mode: open access is never implied", () => {
      expect(() => loadConfig({}, { AVALO_REGION: "us-east" })).to.throw(
        ConfigError,
        /AVALO_AUTH: Invalid option: expected one of "google-oidc"\|"local"; it is not set/,
      );
    });

    it("applies defaults and coerces numbers", () => {
      const c = loadConfig(redisEnv, { ...LOCAL, REDIS_HOST: "10.0.0.3" });
      expect(c).to.deep.include({
        PORT: 8080,
        REDIS_PORT: 6379,
        GOOGLE_CLOUD_PROJECT: "avalo-local",
      });
    });
  });

  describe("parseBody", () => {
    const schema = z.object({ user: z.object({ id: z.string() }), n: z.number().int() });
    it("names the nested field that failed", () => {
      expect(() => parseBody(schema, { user: {}, n: 1 }))
        .to.throw(
          "invalid request body: user.id: Invalid input: expected string, received undefined",
        )
        .with.property("statusCode", 400);
    });
    it("names the body when it is not an object", () => {
      expect(() => parseBody(schema, "x")).to.throw(/^invalid request body: body: /);
    });
  });

  describe("traceFields", () => {
    it("reads trace, span and sampling from X-Cloud-Trace-Context", () => {
      expect(traceFields("105445aa7843bc8bf206b12000100000/1;o=1", "avalo-us")).to.deep.equal({
        "logging.googleapis.com/trace": "projects/avalo-us/traces/105445aa7843bc8bf206b12000100000",
        "logging.googleapis.com/spanId": "1",
        "logging.googleapis.com/trace_sampled": true,
      });
    });
    it("ignores a malformed header", () => {
      expect(traceFields("nope", "p")).to.deep.equal({});
    });
  });

  describe("createServiceApp", () => {
    let app: FastifyInstance | undefined;
    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    async function build(
      env: Record<string, string>,
      extra: Partial<Parameters<typeof createServiceApp>[0]> = {},
    ) {
      const config = loadConfig({}, env);
      app = await createServiceApp({ service: "pdf-generator", config, ...extra }, (a) => {
        a.post("/echo", { bodyLimit: 1024 }, async (req) => ({
          caller: req.caller?.email,
          body: req.body,
        }));
      });
      return app;
    }

    it("logs the local auth mode at start, as a WARNING in Cloud Logging format", async () => {
      const logs = captureLogs();
      await build(LOGGED, { logStream: logs.stream });
      const line = logs.lines().find((l) => l.auth === "local");
      expect(line).to.include({ severity: "WARNING", service: "pdf-generator" });
      expect(line?.message).to.match(
        /^auth: LOCAL mode \(AVALO_AUTH=local\): requests are NOT authenticated/,
      );
    });

    it("writes the request's trace on its log lines", async () => {
      const logs = captureLogs();
      const a = await build(LOGGED, { logStream: logs.stream });
      await a.inject({
        method: "POST",
        url: "/echo",
        headers: { "x-cloud-trace-context": "0123456789abcdef0123456789abcdef/7;o=0" },
        payload: { a: 1 },
      });
      const request = logs.lines().find((l) => l.message === "incoming request");
      expect(request).to.include({
        severity: "INFO",
        "logging.googleapis.com/trace":
          "projects/avalo-local/traces/0123456789abcdef0123456789abcdef",
        "logging.googleapis.com/trace_sampled": false,
      });
    });

    it("answers 401 without a bearer token in google-oidc mode, but serves /healthz", async () => {
      const a = await build({
        ...LOCAL,
        AVALO_AUTH: "google-oidc",
        AVALO_SERVICE_URL: "https://pdf.run.app",
      });
      const res = await a.inject({ method: "POST", url: "/echo", payload: {} });
      expect(res.statusCode).to.equal(401);
      expect(res.json()).to.deep.equal({
        error: "missing bearer token in the Authorization header",
      });
      expect((await a.inject({ method: "GET", url: "/healthz" })).statusCode).to.equal(200);
    });

    it("verifies the token for the service URL and the push path as audiences", async () => {
      const seen: unknown[] = [];
      const verifier = {
        async verifyIdToken(opts: { idToken: string; audience: string[] }) {
          seen.push(opts.audience);
          if (opts.idToken !== "good") throw new Error("Wrong number of segments in token: bad");
          return {
            getPayload: () => ({
              email: "caller@avalo-us.iam.gserviceaccount.com",
              email_verified: true,
            }),
          };
        },
      } as unknown as Parameters<typeof googleOidcAuthenticator>[1];
      const a = await build(
        { ...LOCAL, AVALO_AUTH: "google-oidc", AVALO_SERVICE_URL: "https://pdf.run.app" },
        {
          authenticator: googleOidcAuthenticator(
            ["https://pdf.run.app", "https://pdf.run.app/pubsub/push"],
            verifier,
          ),
        },
      );
      const ok = await a.inject({
        method: "POST",
        url: "/echo",
        headers: { authorization: "Bearer good" },
        payload: { x: 1 },
      });
      expect(ok.json()).to.deep.equal({
        caller: "caller@avalo-us.iam.gserviceaccount.com",
        body: { x: 1 },
      });
      const bad = await a.inject({
        method: "POST",
        url: "/echo",
        headers: { authorization: "Bearer bad" },
        payload: {},
      });
      expect(bad.statusCode).to.equal(401);
      expect(bad.json().error).to.equal("invalid ID token: Wrong number of segments in token: bad");
      expect(seen[0]).to.deep.equal(["https://pdf.run.app", "https://pdf.run.app/pubsub/push"]);
    });

    it("answers 400 naming the problem for malformed JSON", async () => {
      const a = await build(LOCAL);
      const res = await a.inject({
        method: "POST",
        url: "/echo",
        headers: { "content-type": "application/json" },
        payload: "{nope",
      });
      expect(res.statusCode).to.equal(400);
      expect(res.json().error).to.match(/^invalid JSON body: /);
    });

    it("answers 503 from /healthz naming the dependency that is down", async () => {
      const a = await build(LOCAL, {
        checks: [
          { name: "redis", check: async () => "PONG" },
          {
            name: "firestore",
            check: () => Promise.reject(new Error("14 UNAVAILABLE: No connection established")),
          },
        ],
      });
      const res = await a.inject({ method: "GET", url: "/healthz" });
      expect(res.statusCode).to.equal(503);
      expect(res.json()).to.deep.equal({
        service: "pdf-generator",
        status: "unavailable",
        checks: { redis: "ok", firestore: "down: 14 UNAVAILABLE: No connection established" },
      });
    });
  });

  describe("drainOnSignal", () => {
    it("finishes the in-flight request, refuses new connections, then exits 0", async () => {
      const config = loadConfig({}, LOCAL);
      let release: () => void = () => undefined;
      const app = await createServiceApp({ service: "batch-processor", config }, (a) => {
        a.get("/slow", () => new Promise((r) => (release = () => r({ done: true }))));
      });
      await app.listen({ port: 0, host: "127.0.0.1" });
      const port = (app.server.address() as { port: number }).port;
      const exits: number[] = [];
      const exited = new Promise<void>((resolve) => {
        const remove = drainOnSignal(app, {
          signals: ["SIGUSR2"],
          exit: (code) => {
            exits.push(code);
            remove();
            resolve();
          },
        });
      });
      const slow = fetch(`http://127.0.0.1:${port}/slow`).then((r) => r.json());
      await new Promise((r) => setTimeout(r, 100));
      process.emit("SIGUSR2", "SIGUSR2");
      await new Promise((r) => setTimeout(r, 50));
      const refused = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        () => "answered",
        (e: Error & { cause?: { code?: string } }) => e.cause?.code,
      );
      expect(exits).to.deep.equal([]);
      release();
      expect(await slow).to.deep.equal({ done: true });
      await exited;
      expect(exits).to.deep.equal([0]);
      expect(refused).to.equal("ECONNREFUSED");
    });
  });
});
