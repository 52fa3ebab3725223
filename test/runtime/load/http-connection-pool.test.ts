import { expect } from "chai";
import { createServer as createNetServer, type Server as NetServer } from "node:net";
import {
  HttpConnectionError,
  HttpConnectionPool,
} from "../../../runtime/load/http-connection-pool";

/** A raw TCP server answering every request with `reply` (then closing when `close`). */
async function rawServer(
  reply: string,
  close = false,
): Promise<{ url: URL; server: NetServer; connections: () => number }> {
  let connections = 0;
  const server = createNetServer((socket) => {
    connections++;
    let buffered = "";
    socket.on("data", (chunk) => {
      buffered += chunk.toString("latin1");
      while (buffered.includes("\r\n\r\n")) {
        const end = buffered.indexOf("\r\n\r\n") + 4;
        const length = Number(/content-length: (\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (buffered.length < end + length) return;
        buffered = buffered.slice(end + length);
        if (close) socket.end(reply);
        else socket.write(reply);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return { url: new URL(`http://127.0.0.1:${port}`), server, connections: () => connections };
}

describe("load HTTP connection pool", () => {
  const servers: NetServer[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
  });

  it("reuses one keep-alive connection for sequential Content-Length responses", async () => {
    const s = await rawServer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    servers.push(s.server);
    const pool = new HttpConnectionPool({ url: s.url, maxSockets: 4 });
    for (let i = 0; i < 5; i++) {
      expect(await pool.request("POST", "/v1/rank", {}, '{"a":1}', 1000)).to.deep.equal({
        status: 200,
        text: "",
      });
    }
    expect(s.connections()).to.equal(1);
    pool.close();
  });

  it("reads chunked bodies, and keeps the start of a non-2xx body", async () => {
    const s = await rawServer(
      'HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"err\r\n8\r\nor":"x"}\r\n0\r\n\r\n',
    );
    servers.push(s.server);
    const pool = new HttpConnectionPool({ url: s.url, maxSockets: 1 });
    const r = await pool.request("GET", "/", {}, undefined, 1000);
    expect(r.status).to.equal(503);
    expect(r.text).to.contain('{"err');
    expect(await pool.request("GET", "/", {}, undefined, 1000)).to.have.property("status", 503);
    expect(s.connections()).to.equal(1);
    pool.close();
  });

  it("reads a body delimited by the connection's end and opens a new connection after it", async () => {
    const s = await rawServer("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\ndone", true);
    servers.push(s.server);
    const pool = new HttpConnectionPool({ url: s.url, maxSockets: 1 });
    expect((await pool.request("GET", "/", {}, undefined, 1000)).status).to.equal(200);
    expect((await pool.request("GET", "/", {}, undefined, 1000)).status).to.equal(200);
    expect(s.connections()).to.equal(2);
    pool.close();
  });

  it("queues requests beyond maxSockets instead of opening more connections", async () => {
    const s = await rawServer("HTTP/1.1 204 No Content\r\n\r\n");
    servers.push(s.server);
    const pool = new HttpConnectionPool({ url: s.url, maxSockets: 2 });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => pool.request("GET", "/", {}, undefined, 1000)),
    );
    expect(answers.every((a) => a.status === 204)).to.equal(true);
    expect(s.connections()).to.equal(2);
    pool.close();
  });

  it("fails a malformed chunked body instead of waiting for it", async () => {
    const s = await rawServer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n");
    servers.push(s.server);
    const pool = new HttpConnectionPool({ url: s.url, maxSockets: 1 });
    const error = await pool.request("GET", "/", {}, undefined, 1000).then(
      () => undefined,
      (e: HttpConnectionError) => e,
    );
    expect([error?.code, error?.message]).to.deep.equal(["bad-chunk", "malformed chunked body"]);
    pool.close();
  });

  it("fails with the socket's error code, and with timeout when no answer comes", async () => {
    const refused = new HttpConnectionPool({ url: new URL("http://127.0.0.1:1"), maxSockets: 1 });
    const error = await refused.request("GET", "/", {}, undefined, 1000).then(
      () => undefined,
      (e: HttpConnectionError) => e,
    );
    expect(error?.code).to.equal("ECONNREFUSED");
    const silent = createNetServer(() => undefined);
    servers.push(silent);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const pool = new HttpConnectionPool({
      url: new URL(`http://127.0.0.1:${(silent.address() as { port: number }).port}`),
      maxSockets: 1,
    });
    const timeout = await pool.request("GET", "/", {}, undefined, 100).then(
      () => undefined,
      (e: HttpConnectionError) => e,
    );
    expect([timeout?.code, timeout?.message]).to.deep.equal([
      "timeout",
      "no response within 100 ms",
    ]);
    pool.close();
  });
});
