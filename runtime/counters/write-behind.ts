import { FieldValue, type Firestore } from "firebase-admin/firestore";
import type Redis from "ioredis";
import { counterDocId } from "./kinds";
import { HotCounterKeys } from "./hot-counter";
import { defineScript, type ScriptRunner } from "../redis/script";

/**
 * Write-behind of hot counters from Redis to Firestore, idempotent across crashes:
 *
 * 1. claim (Lua, atomic): if the counter has an in-flight flush, return it unchanged; else move
 *    the pending delta into an in-flight record with a new flush sequence number, strictly
 *    increasing per counter (from Redis TIME, so it keeps increasing even if Redis lost data).
 * 2. apply (Firestore transaction): add the delta and record the sequence, unless the document
 *    already records this sequence or a later one.
 * 3. ack (Lua): drop the in-flight record if it still holds that sequence.
 *
 * A crash after 1 leaves the in-flight record, which the next flush re-applies; a crash after 2
 * leaves it too, and the transaction then skips it. Nothing is lost or counted twice, even with
 * two flushers racing.
 */

export interface WriteBehindArgs {
  /** Redis key prefix: the same as the {@link HotCounter}'s. */
  readonly prefix: string;
  /** Firestore collection with one document per counter: {count, flushSeq}. */
  readonly collection: string;
  /** Counters claimed per round (1–1000). @default 100 */
  readonly batchSize?: number;
  /** Counters flushed in parallel (1–100). @default 8 */
  readonly concurrency?: number;
  /** Period of the background flush started by start(). @default 1000 */
  readonly intervalMillis?: number;
  /** Test hooks at the crash points between the steps. */
  readonly hooks?: {
    readonly afterClaim?: (id: string, claim: FlushClaim) => Promise<void> | void;
    readonly afterApply?: (id: string, claim: FlushClaim) => Promise<void> | void;
  };
}

export const WRITE_BEHIND_DEFAULTS = {
  batchSize: 100,
  concurrency: 8,
  intervalMillis: 1000,
} as const;

export interface FlushClaim {
  readonly delta: number;
  readonly seq: number;
}

const CLAIM_SCRIPT = `
local cur = redis.call('HMGET', KEYS[2], 'delta', 'seq')
if cur[1] then return {cur[1], cur[2]} end
local p = redis.call('GET', KEYS[1])
if not p then
  redis.call('SREM', KEYS[3], ARGV[1])
  return false
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local last = tonumber(redis.call('GET', KEYS[4]) or '0')
local seq = string.format('%.0f', math.max(now, last + 1))
redis.call('SET', KEYS[4], seq)
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[2], 'delta', p, 'seq', seq)
return {p, seq}`;

const ACK_SCRIPT = `
if redis.call('HGET', KEYS[2], 'seq') == ARGV[2] then redis.call('DEL', KEYS[2]) end
if redis.call('EXISTS', KEYS[1]) == 0 and redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('SREM', KEYS[3], ARGV[1])
end
return 1`;

function range(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`\`${name}\` must be an integer ${min}–${max}, but ${value} was provided`);
  }
  return value;
}

export class WriteBehindFlusher {
  readonly keys: HotCounterKeys;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly claimScript: ScriptRunner;
  private readonly ackScript: ScriptRunner;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly db: Firestore,
    private readonly args: WriteBehindArgs,
  ) {
    this.keys = new HotCounterKeys(args.prefix);
    this.batchSize = range("batchSize", args.batchSize ?? WRITE_BEHIND_DEFAULTS.batchSize, 1, 1000);
    this.concurrency = range(
      "concurrency",
      args.concurrency ?? WRITE_BEHIND_DEFAULTS.concurrency,
      1,
      100,
    );
    this.claimScript = defineScript(redis, "avaloFlushClaim", CLAIM_SCRIPT);
    this.ackScript = defineScript(redis, "avaloFlushAck", ACK_SCRIPT);
  }

  private doc(id: string) {
    return this.db.collection(this.args.collection).doc(counterDocId(id));
  }

  private counterKeys(id: string): string[] {
    return [this.keys.pending(id), this.keys.inflight(id), this.keys.dirty, this.keys.sequence(id)];
  }

  /** Flushes one counter; returns the delta written to Firestore (0 if none or already applied). */
  async flushCounter(id: string): Promise<number> {
    const raw = (await this.claimScript(4, ...this.counterKeys(id), id)) as [string, string] | null;
    if (!raw) return 0;
    const claim: FlushClaim = { delta: Number(raw[0]), seq: Number(raw[1]) };
    await this.args.hooks?.afterClaim?.(id, claim);
    const ref = this.doc(id);
    const applied = await this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      if (((snap.get("flushSeq") as number | undefined) ?? 0) >= claim.seq) return false;
      tx.set(
        ref,
        {
          count: FieldValue.increment(claim.delta),
          flushSeq: claim.seq,
          updatedAt: FieldValue.serverTimestamp(),
        },
        { merge: true },
      );
      return true;
    });
    await this.args.hooks?.afterApply?.(id, claim);
    await this.ackScript(3, ...this.counterKeys(id).slice(0, 3), id, String(claim.seq));
    return applied ? claim.delta : 0;
  }

  /** One round: flushes up to `batchSize` dirty counters. Returns how many were dirty. */
  async flushOnce(): Promise<number> {
    const ids = await this.redis.srandmember(this.keys.dirty, this.batchSize);
    let next = 0;
    const worker = async () => {
      while (next < ids.length) await this.flushCounter(ids[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, ids.length) }, worker));
    return ids.length;
  }

  /** Flushes until no counter is dirty (or `maxRounds` rounds ran). */
  async flushAll(maxRounds = 1000): Promise<void> {
    for (let round = 0; round < maxRounds; round++) {
      if ((await this.flushOnce()) === 0) return;
    }
  }

  /** Starts flushing every `intervalMillis` in the background. */
  start(): void {
    if (this.timer) return;
    const interval = this.args.intervalMillis ?? WRITE_BEHIND_DEFAULTS.intervalMillis;
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.flushAll(10)).catch(() => undefined);
    }, interval);
    this.timer.unref();
  }

  /** Stops the background flush and waits for the round in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /**
   * The counter's value: Firestore's count plus what Redis still holds (pending, and in-flight
   * unless Firestore already records it). Exact when no flush is mid-way; during a flush it may
   * be off by the delta being moved, for an instant.
   */
  async value(id: string): Promise<number> {
    return (await this.values([id])).get(id) ?? 0;
  }

  /** {@link value} of many counters: one Firestore batch read and one Redis round trip. */
  async values(ids: readonly string[]): Promise<Map<string, number>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const pipeline = this.redis.pipeline();
    for (const id of unique) {
      pipeline.get(this.keys.pending(id));
      pipeline.hmget(this.keys.inflight(id), "delta", "seq");
    }
    const [snaps, replies] = await Promise.all([
      this.db.getAll(...unique.map((id) => this.doc(id))),
      pipeline.exec(),
    ]);
    return new Map(
      unique.map((id, i) => {
        const [pendingError, pending] = replies?.[2 * i] ?? [];
        const [inflightError, inflight] = replies?.[2 * i + 1] ?? [];
        if (pendingError || inflightError) throw pendingError ?? inflightError;
        const [delta, seq] = (inflight as (string | null)[] | undefined) ?? [null, null];
        const stored = (snaps[i].get("count") as number | undefined) ?? 0;
        const storedSeq = (snaps[i].get("flushSeq") as number | undefined) ?? 0;
        const inflightDelta = delta !== null && Number(seq) > storedSeq ? Number(delta) : 0;
        return [id, stored + Number((pending as string | null) ?? 0) + inflightDelta];
      }),
    );
  }
}
