import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { request as httpRequest } from "node:http";
import { Readable } from "node:stream";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { z } from "zod";
import { bodyRoutesOf, createServiceApp } from "../../../runtime/services/server/app";
import { loadConfig } from "../../../runtime/services/server/config";
import { bodyRoute, mountBodyRoute } from "../../../runtime/services/server/routes";
import { localEnv } from "./env";

const LIMIT = 4096;
const echoRoute = bodyRoute({
  method: "POST",
  url: "/echo",
  body: z.strictObject({ text: z.string().max(3000) }),
  bodyLimitBytes: LIMIT,
});

/** A body of `total` bytes produced on demand; `pulled()` says how many were read. */
function meteredBody(total: number, chunk = 16 * 1024) {
  let produced = 0;
  const stream = new Readable({
    read() {
      if (produced >= total) return this.push(null);
      const n = Math.min(chunk, total - produced);
      produced += n;
      this.push(Buffer.alloc(n, 0x20));
    },
  });
  return { stream, pulled: () => produced };
}

describe("request body limits", () => {
  let app: FastifyInstance;
  before(async () => {
    app = await createServiceApp(
      { service: "fraud-analyzer", config: loadConfig({}, localEnv()) },
      (a) => mountBodyRoute(a, echoRoute, async (body) => ({ length: body.text.length })),
    );
  });
  after(async () => {
    await app.close();
  });

  const post = (payload: string | Buffer | Readable, headers: Record<string, string> = {}) =>
    app.inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "application/json", ...headers },
      payload,
    });

  it("records each body route with its limit", () => {
    expect(bodyRoutesOf(app)).to.deep.equal([
      { method: "POST", url: "/echo", bodyLimitBytes: LIMIT },
    ]);
  });

  it("refuses to mount a body route without a limit, naming it", async () => {
    const err = await createServiceApp(
      { service: "fraud-analyzer", config: loadConfig({}, localEnv()) },
      (a) => {
        a.post("/open", async () => ({}));
      },
    ).catch((e: Error) => e.message);
    expect(err).to.equal(
      "fraud-analyzer: POST /open declares no body limit; mount it with mountBodyRoute and a bodyLimitBytes from its contract",
    );
  });

  it("accepts a body at its limit", async () => {
    const body = JSON.stringify({ text: "x".repeat(3000) });
    const res = await post(body.padEnd(LIMIT, " "));
    expect([res.statusCode, res.json()]).to.deep.equal([200, { length: 3000 }]);
  });

  it("answers 413 for a declared length over the limit without reading the body", async () => {
    const body = meteredBody(30 * 1024 * 1024);
    const res = await post(body.stream, { "content-length": String(30 * 1024 * 1024) });
    expect(res.statusCode).to.equal(413);
    expect(res.json()).to.deep.equal({
      error: "request body is larger than the 4096-byte limit of POST /echo",
      field: "body",
      limitBytes: LIMIT,
    });
    expect(res.headers.connection).to.equal("close");
    expect(body.pulled()).to.be.at.most(64 * 1024);
  });

  it("answers 413 for an undeclared 30 MB body after reading only past the limit", async () => {
    const body = meteredBody(30 * 1024 * 1024);
    const res = await post(body.stream);
    expect(res.statusCode).to.equal(413);
    expect(body.pulled()).to.be.below(128 * 1024);
  });

  for (const [encoding, compress] of [
    ["gzip", gzipSync],
    ["deflate", deflateSync],
    ["br", brotliCompressSync],
  ] as const) {
    it(`inflates a ${encoding} body under the limit and refuses a ${encoding} bomb with 413`, async () => {
      const ok = await post(compress(Buffer.from(JSON.stringify({ text: "hello" }))), {
        "content-encoding": encoding,
      });
      expect([ok.statusCode, ok.json()]).to.deep.equal([200, { length: 5 }]);
      // Small enough on the wire that only the inflated size can pass the limit.
      const bomb = compress(Buffer.alloc(2 * 1024 * 1024, 0x20));
      expect(bomb.length).to.be.below(LIMIT);
      const res = await post(bomb, { "content-encoding": encoding });
      expect([res.statusCode, res.json().field]).to.deep.equal([413, "body"]);
    });
  }

  it("answers 415 for a content-encoding it cannot undo, naming the ones it can", async () => {
    const res = await post("{}", { "content-encoding": "compress" });
    expect([res.statusCode, res.json()]).to.deep.equal([
      415,
      {
        error:
          'content-encoding "compress" is not accepted; use one of identity, gzip, x-gzip, deflate, br',
        field: "content-encoding",
      },
    ]);
  });

  it("answers 400 for a body that is not what its content-encoding says", async () => {
    const res = await post("{}", { "content-encoding": "gzip" });
    expect(res.statusCode).to.equal(400);
    expect(res.json().error).to.match(/^invalid gzip body: /);
  });

  it("answers 413 to a real client before it has sent its 30 MB body", async () => {
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as { port: number };
    const total = 30 * 1024 * 1024;
    const answer = await new Promise<{ status: number; sent: number }>((resolve, reject) => {
      let sent = 0;
      let answered = false;
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/echo",
          headers: { "content-type": "application/json" },
        },
        (res) => {
          answered = true;
          res.resume();
          resolve({ status: res.statusCode ?? 0, sent });
          req.destroy();
        },
      );
      req.on("error", (e) => (answered ? undefined : reject(e)));
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const write = () => {
        while (!answered && sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once("drain", write);
        }
        if (!answered) req.end();
      };
      write();
    });
    expect(answer.status).to.equal(413);
    expect(answer.sent).to.be.below(total);
  });
});
