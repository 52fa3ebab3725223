import { FieldValue, type Firestore } from "firebase-admin/firestore";
import { DEFAULT_SHARD_CONFIG, allShardIds } from "../../sharding/config";
import { getAnalyticsShardId } from "../../sharding/shards";
import type { Row } from "./rows";

/**
 * Hourly aggregates in the analytics shards: each shard of an hour is a Firestore collection
 * (`analytics_shard_YYYY_MM_DD_HH_NNN`) holding one document per event name with `count` and
 * `sum`, incremented in batches. An event goes to the shard of its user (or of its name), so
 * one hot event spreads over the hour's shards instead of one document.
 */
export interface AnalyticsEvent {
  readonly eventName: string;
  readonly userId?: string;
  readonly at: string;
  readonly value: number;
}

const BATCH_LIMIT = 500;

/** Start of the UTC hour of `iso`, as an RFC 3339 timestamp. */
export function hourOf(iso: string): string {
  const d = new Date(iso);
  d.setUTCMinutes(0, 0, 0);
  return d.toISOString();
}

/** Adds events to their hourly aggregates; events of the same shard and name are summed first. */
export async function recordEvents(
  db: Firestore,
  events: readonly AnalyticsEvent[],
): Promise<number> {
  const sums = new Map<
    string,
    { shard: string; eventName: string; hour: string; count: number; sum: number }
  >();
  for (const e of events) {
    const shard = getAnalyticsShardId(e.userId ?? e.eventName, new Date(e.at));
    const k = `${shard}/${e.eventName}`;
    const agg = sums.get(k) ?? {
      shard,
      eventName: e.eventName,
      hour: hourOf(e.at),
      count: 0,
      sum: 0,
    };
    agg.count++;
    agg.sum += e.value;
    sums.set(k, agg);
  }
  const all = [...sums.values()];
  for (let i = 0; i < all.length; i += BATCH_LIMIT) {
    const batch = db.batch();
    for (const a of all.slice(i, i + BATCH_LIMIT)) {
      batch.set(
        db.collection(a.shard).doc(a.eventName),
        {
          eventName: a.eventName,
          hour: a.hour,
          count: FieldValue.increment(a.count),
          sum: FieldValue.increment(a.sum),
        },
        { merge: true },
      );
    }
    await batch.commit();
  }
  return all.length;
}

/** The `hourly_aggregates` rows of one hour: one per shard and event name. */
export async function hourlyRows(
  db: Firestore,
  hour: string,
  region: string,
): Promise<(Row & { insertId: string })[]> {
  const shards = allShardIds(DEFAULT_SHARD_CONFIG.analytics, new Date(hour));
  const snaps = await Promise.all(shards.map((s) => db.collection(s).get()));
  return snaps.flatMap((snap, i) =>
    snap.docs.map((d) => ({
      insertId: `${hour}/${region}/${shards[i]}/${d.id}`,
      hour,
      event_name: d.id,
      region,
      shard: shards[i],
      count: Number(d.get("count") ?? 0),
      sum: Number(d.get("sum") ?? 0),
    })),
  );
}
