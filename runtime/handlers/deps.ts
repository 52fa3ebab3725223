import { createHash } from "node:crypto";
import type { Firestore } from "firebase-admin/firestore";
import type Redis from "ioredis";
import type { PipelineName } from "../catalog/names";
import type { PublisherOf } from "../pipelines/publisher";

/**
 * What every handler is built from. Handlers apply their own effects exactly once per event id
 * (Firestore marker in the effect's batch, or a Redis Lua script) and publish derived events with
 * deterministic ids, on every delivery: an effect applied by a delivery that crashed before
 * publishing is followed up by the redelivery, and downstream consumers drop the duplicates.
 */
export interface HandlerDeps<Publishes extends readonly PipelineName[] = readonly PipelineName[]> {
  readonly db: Firestore;
  readonly redis: Redis;
  /**
   * Publishes derived events (notifications, analytics, continuations) to `Publishes` only: the
   * handler module's `PUBLISHES`.
   */
  readonly publisher: PublisherOf<Publishes[number]>;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** A deterministic id for an event derived from another one (≤ 128 chars, as envelopes allow). */
export function derivedId(sourceId: string, ...parts: string[]): string {
  const plain = [sourceId, ...parts].join(":");
  if (plain.length <= 128) return plain;
  return createHash("sha256").update(plain).digest("hex");
}
