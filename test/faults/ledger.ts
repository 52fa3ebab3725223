import { existsSync, readFileSync } from "node:fs";
import { FieldPath, type Firestore } from "firebase-admin/firestore";
import type Redis from "ioredis";
import { MARKER_COLLECTION } from "../../runtime/pipelines/defaults";
import { markerId, redisMarkerKey } from "../../runtime/pipelines/idempotency";
import { getAnalyticsShardId, initSharding } from "../../runtime/sharding";
import {
  ANALYTICS_USERS,
  analyticsEventName,
  planMessage,
  type FaultPipeline,
  type PlannedMessage,
} from "./plan";

/**
 * The ledger of a fault run, read from where the effects live: the exactly-once markers
 * (Firestore `processedEvents`, one per applied event; Redis `processed:…:push` for the
 * notification push part), the analytics aggregate counters (one increment per application),
 * the push log the notification worker appends to, and the dead letters read from the DLQ.
 * A notification pushed again under the same batch id is a re-send of one push (the device
 * collapses it), counted apart; under two batch ids it is a duplicate.
 */

/** One dead letter as read from a dead-letter topic. */
export interface Letter {
  readonly reason: string;
  readonly error: string;
}

export interface LedgerInput {
  readonly db: Firestore;
  readonly redis: Redis;
  readonly seed: number;
  readonly run: string;
  readonly at: string;
  readonly region: string;
  /** Indices whose publish was confirmed, by either publisher. */
  readonly confirmed: ReadonlySet<number>;
  /** Dead letters by the event id in their attributes. */
  readonly letters: ReadonlyMap<string, readonly Letter[]>;
  readonly pushLog: string;
}

export interface PipelineLedger {
  readonly confirmed: number;
  readonly applied: number;
  /** Confirmed events with no marker. */
  readonly lost: readonly string[];
  /** Applications beyond one per event (counter total minus markers; pushes sent twice). */
  readonly duplicated: number;
  /** Markers of events that were never confirmed as valid. */
  readonly unexpected: readonly string[];
  /** Valid confirmed events found in the dead-letter topic. */
  readonly validDeadLettered: readonly string[];
}

export interface Ledger {
  readonly pipelines: Readonly<Record<FaultPipeline, PipelineLedger>>;
  readonly analyticsCounterTotal: number;
  readonly notification: {
    readonly redisMarkers: number;
    readonly redisMarkersMissing: readonly string[];
    readonly pushes: number;
    readonly pushesMissing: readonly string[];
    /** Notifications pushed under more than one batch id. */
    readonly pushDuplicates: readonly string[];
    /** Sends of a batch after its first (a claim whose acknowledgement was lost). */
    readonly pushResends: number;
  };
  readonly poison: {
    readonly confirmed: number;
    readonly deadLettered: number;
    readonly missing: readonly string[];
    readonly wrongReason: readonly string[];
    readonly reasons: Readonly<Record<string, number>>;
  };
}

/** Ids of the run's events that have a Firestore marker for `pipeline`. */
export async function markedIds(
  db: Firestore,
  pipeline: string,
  run: string,
): Promise<Set<string>> {
  const from = markerId(pipeline, `${run}-`);
  const snap = await db
    .collection(MARKER_COLLECTION)
    .orderBy(FieldPath.documentId())
    .startAt(from)
    .endAt(`${from}\uf8ff`)
    .select()
    .get();
  return new Set(snap.docs.map((d) => d.id.slice(pipeline.length + 1)));
}

/** The run's analytics aggregate documents (one per analytics shard its users map to). */
export async function analyticsCounterTotal(
  db: Firestore,
  run: string,
  at: string,
  region: string,
): Promise<number> {
  await initSharding();
  const shards = new Set<string>();
  for (let u = 0; u < ANALYTICS_USERS; u++) shards.add(getAnalyticsShardId(`u${u}`, new Date(at)));
  const refs = [...shards].map((s) => db.collection(s).doc(`${analyticsEventName(run)}_${region}`));
  const snaps = await db.getAll(...refs);
  return snaps.reduce((sum, s) => sum + ((s.get("count") as number | undefined) ?? 0), 0);
}

/** Per notification id, how many times it was pushed under each batch id. */
export function pushCounts(file: string): Map<string, Map<string, number>> {
  const counts = new Map<string, Map<string, number>>();
  if (!existsSync(file)) return counts;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const [, id, batchId] = line.split(" ");
    if (!id || !batchId) continue;
    const batches = counts.get(id) ?? new Map<string, number>();
    batches.set(batchId, (batches.get(batchId) ?? 0) + 1);
    counts.set(id, batches);
  }
  return counts;
}

/** Reads the whole ledger. */
export async function readLedger(input: LedgerInput): Promise<Ledger> {
  const planned: PlannedMessage[] = [...input.confirmed]
    .sort((a, b) => a - b)
    .map((i) => planMessage(input.seed, input.run, i));
  const valid = (p: FaultPipeline) =>
    planned.filter((m) => m.kind === "valid" && m.pipeline === p).map((m) => m.id);
  const [analyticsMarks, notificationMarks, counterTotal] = await Promise.all([
    markedIds(input.db, "analytics-aggregation", input.run),
    markedIds(input.db, "notification-batch", input.run),
    analyticsCounterTotal(input.db, input.run, input.at, input.region),
  ]);
  const pushes = pushCounts(input.pushLog);

  const pipelineLedger = (
    p: FaultPipeline,
    marks: Set<string>,
    duplicated: number,
  ): PipelineLedger => {
    const ids = valid(p);
    const expected = new Set(ids);
    return {
      confirmed: ids.length,
      applied: ids.filter((id) => marks.has(id)).length,
      lost: ids.filter((id) => !marks.has(id)),
      duplicated,
      unexpected: [...marks].filter((id) => !expected.has(id)),
      validDeadLettered: ids.filter((id) => input.letters.has(id)),
    };
  };

  const notificationIds = valid("notification-batch");
  const redisMissing: string[] = [];
  for (let i = 0; i < notificationIds.length; i += 1000) {
    const chunk = notificationIds.slice(i, i + 1000);
    const pipe = input.redis.pipeline();
    for (const id of chunk) pipe.exists(redisMarkerKey("notification-batch", id, "push"));
    const results = (await pipe.exec()) ?? [];
    results.forEach(([err, n], j) => {
      if (err || n !== 1) redisMissing.push(chunk[j]);
    });
  }
  const pushDuplicates = [...pushes].filter(([, b]) => b.size > 1).map(([id]) => id);
  const sends = [...pushes.values()].flatMap((b) => [...b.values()]);

  const poisonMessages = planned.filter((m) => m.kind !== "valid");
  const reasons: Record<string, number> = {};
  const missing: string[] = [];
  const wrongReason: string[] = [];
  for (const m of poisonMessages) {
    const letters = input.letters.get(m.id);
    if (!letters || letters.length === 0) {
      missing.push(m.id);
      continue;
    }
    for (const l of letters) reasons[l.reason] = (reasons[l.reason] ?? 0) + 1;
    if (!letters.every((l) => l.reason === m.kind && l.error.length > 0)) wrongReason.push(m.id);
  }

  return {
    pipelines: {
      "analytics-aggregation": pipelineLedger(
        "analytics-aggregation",
        analyticsMarks,
        Math.max(0, counterTotal - analyticsMarks.size),
      ),
      "notification-batch": pipelineLedger(
        "notification-batch",
        notificationMarks,
        pushDuplicates.length,
      ),
    },
    analyticsCounterTotal: counterTotal,
    notification: {
      redisMarkers: notificationIds.length - redisMissing.length,
      redisMarkersMissing: redisMissing,
      pushes: sends.reduce((a, n) => a + n, 0),
      pushesMissing: notificationIds.filter((id) => !pushes.has(id)),
      pushDuplicates,
      pushResends: sends.reduce((a, n) => a + n - 1, 0),
    },
    poison: {
      confirmed: poisonMessages.length,
      deadLettered: poisonMessages.length - missing.length,
      missing,
      wrongReason,
      reasons,
    },
  };
}
