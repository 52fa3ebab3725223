import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";

/**
 * A lean HTTP/1.1 keep-alive client for one origin: up to `maxSockets` connections, one request
 * at a time on each (no pipelining), requests beyond that wait in FIFO order. The request is
 * written in one piece and the response parsed just enough to find its end (Content-Length,
 * chunked, or connection close); a 2xx body is dropped, others keep their first 300 bytes. It
 * exists because node:http's client and fetch were measured at 0.6 and far below autocannon's
 * req/s on this machine, which would make the generator, not the target, the bottleneck.
 */
export interface HttpResponse {
  readonly status: number;
  /** First bytes of a non-2xx body; empty for 2xx. */
  readonly text: string;
}

/** Why a request failed: `timeout`, or a socket error code such as `ECONNREFUSED`. */
export class HttpConnectionError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "HttpConnectionError";
  }
}

interface Pending {
  readonly head: string;
  readonly resolve: (r: HttpResponse) => void;
  readonly reject: (e: Error) => void;
  readonly timeoutMillis: number;
}

const CRLFCRLF = Buffer.from("\r\n\r\n");
const KEEP_TEXT = 300;
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;
const CHUNKED = /\r\ntransfer-encoding:[^\r]*chunked/i;
const CONNECTION_CLOSE = /\r\nconnection:[ \t]*close/i;
/** How often the pool checks request deadlines; a timeout fires up to this late. */
const SWEEP_MILLIS = 100;

class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private current: Pending | undefined;
  /** When the current request times out (Date.now() ms); checked by the pool's sweep. */
  deadline = Infinity;
  private status = 0;
  private bodyStart = -1;
  private contentLength = -1;
  private chunked = false;
  private closeAfter = false;
  closed = false;

  constructor(
    readonly socket: Socket,
    private readonly onFree: (c: Connection) => void,
    private readonly onClosed: (c: Connection) => void,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) =>
      this.fail(new HttpConnectionError(error.code ?? "error", error.message)),
    );
    socket.on("close", () => {
      if (this.current && this.contentLength < 0 && !this.chunked && this.bodyStart >= 0) {
        // A body delimited by the connection's end.
        this.closeAfter = true;
        this.finish();
      }
      this.fail(new HttpConnectionError("closed", "the server closed the connection"));
    });
  }

  send(p: Pending): void {
    this.current = p;
    this.buffer = Buffer.alloc(0);
    this.status = 0;
    this.bodyStart = -1;
    this.contentLength = -1;
    this.chunked = false;
    this.closeAfter = false;
    this.deadline = Date.now() + p.timeoutMillis;
    this.socket.write(p.head);
  }

  private onData(chunk: Buffer): void {
    if (!this.current) return;
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (this.bodyStart < 0) {
      const end = this.buffer.indexOf(CRLFCRLF);
      if (end < 0) return;
      this.parseHead(this.buffer.toString("latin1", 0, end));
      this.bodyStart = end + 4;
    }
    let complete: boolean;
    try {
      complete = this.complete();
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    if (complete) this.finish();
  }

  private parseHead(head: string): void {
    this.status = Number(head.slice(9, 12));
    const length = CONTENT_LENGTH.exec(head);
    this.contentLength = length ? Number(length[1]) : -1;
    this.chunked = CHUNKED.test(head);
    this.closeAfter = CONNECTION_CLOSE.test(head);
    if (this.status === 204 || this.status === 304) this.contentLength = 0;
  }

  /** Whether the whole body has arrived. */
  private complete(): boolean {
    if (this.contentLength >= 0) return this.buffer.length - this.bodyStart >= this.contentLength;
    if (!this.chunked) return false;
    let at = this.bodyStart;
    for (;;) {
      const lineEnd = this.buffer.indexOf("\r\n", at);
      if (lineEnd < 0) return false;
      const size = parseInt(this.buffer.toString("latin1", at, lineEnd), 16);
      if (!(size >= 0)) throw new HttpConnectionError("bad-chunk", "malformed chunked body");
      if (size === 0) return this.buffer.indexOf(CRLFCRLF, lineEnd - 2) >= 0;
      at = lineEnd + 2 + size + 2;
      if (at > this.buffer.length) return false;
    }
  }

  private finish(): void {
    const p = this.current!;
    const ok = this.status >= 200 && this.status < 300;
    const text = ok
      ? ""
      : this.buffer.toString(
          "utf8",
          this.bodyStart,
          Math.min(this.buffer.length, this.bodyStart + KEEP_TEXT),
        );
    this.release();
    p.resolve({ status: this.status, text });
    if (this.closeAfter) this.socket.destroy();
    else this.onFree(this);
  }

  private fail(error: Error): void {
    const p = this.current;
    this.release();
    if (!this.closed) {
      this.closed = true;
      this.socket.destroy();
      this.onClosed(this);
    }
    p?.reject(error);
  }

  /** Fails the current request when its deadline has passed. */
  expire(now: number): void {
    if (this.current && now > this.deadline) {
      const millis = this.current.timeoutMillis;
      this.fail(new HttpConnectionError("timeout", `no response within ${millis} ms`));
    }
  }

  private release(): void {
    this.deadline = Infinity;
    this.current = undefined;
    this.buffer = Buffer.alloc(0);
  }
}

export interface ConnectionPoolArgs {
  readonly url: URL;
  readonly maxSockets: number;
}

/** Keep-alive connections to one origin. */
export class HttpConnectionPool {
  private readonly idle: Connection[] = [];
  private readonly waiting: Pending[] = [];
  private readonly all = new Set<Connection>();
  private sweep: NodeJS.Timeout | undefined;
  private open = 0;
  private readonly host: string;
  private readonly port: number;
  private readonly https: boolean;
  private readonly hostHeader: string;

  constructor(private readonly args: ConnectionPoolArgs) {
    this.https = args.url.protocol === "https:";
    this.host = args.url.hostname;
    this.port = Number(args.url.port || (this.https ? 443 : 80));
    this.hostHeader = args.url.host;
  }

  /** Sends one request; resolves with the status (and the start of a non-2xx body). */
  request(
    method: string,
    path: string,
    headers: Readonly<Record<string, string>>,
    body: string | undefined,
    timeoutMillis: number,
  ): Promise<HttpResponse> {
    let head = `${method} ${path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\nConnection: keep-alive\r\n`;
    for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
    head +=
      body === undefined ? "\r\n" : `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    return new Promise((resolve, reject) => {
      const p: Pending = { head, resolve, reject, timeoutMillis };
      const free = this.idle.pop();
      if (free) free.send(p);
      else if (this.open < this.args.maxSockets) this.connect().send(p);
      else this.waiting.push(p);
    });
  }

  /** Closes every connection; waiting requests fail. */
  close(): void {
    for (const p of this.waiting.splice(0)) {
      p.reject(new HttpConnectionError("closed", "the client was closed"));
    }
    for (const c of this.idle.splice(0)) c.socket.destroy();
    if (this.sweep) clearInterval(this.sweep);
    this.sweep = undefined;
  }

  private connect(): Connection {
    this.open++;
    if (!this.sweep) {
      // One timer for every deadline, instead of a timer per request.
      this.sweep = setInterval(() => {
        const now = Date.now();
        for (const c of this.all) c.expire(now);
      }, SWEEP_MILLIS);
      this.sweep.unref();
    }
    const socket = this.https
      ? tlsConnect({ host: this.host, port: this.port, servername: this.host })
      : netConnect({ host: this.host, port: this.port });
    const connection = new Connection(
      socket,
      (c) => {
        const next = this.waiting.shift();
        if (next) c.send(next);
        else this.idle.push(c);
      },
      (c) => {
        this.open--;
        this.all.delete(c);
        const i = this.idle.indexOf(c);
        if (i >= 0) this.idle.splice(i, 1);
        const next = this.waiting.shift();
        if (next) this.connect().send(next);
      },
    );
    this.all.add(connection);
    return connection;
  }
}
