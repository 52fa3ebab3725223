import {
  FieldValue,
  type DocumentData,
  type DocumentReference,
  type Firestore,
  type QueryDocumentSnapshot,
} from "firebase-admin/firestore";
import { validateShardCount } from "../sharding/config";
import { initSharding, shardIndex } from "../sharding/hash";

/**
 * Resharding: moves every document of a sharded collection family from `from` to `to` shards.
 *
 * Source shards are scanned in order, a page at a time, by document id. For every document
 * whose shard changes, one Firestore batch copies it to its new shard and deletes it from the
 * old one (the delete carries the read's update time as a precondition, so a concurrent edit
 * fails the batch instead of being lost), and the same batch advances the job's cursor. A batch
 * is atomic, so killing the job at any point leaves every document in exactly one place and the
 * cursor consistent with it; running the job again resumes after the last committed batch.
 *
 * Jump consistent hash only ever moves a key into a shard that exists in one layout and not the
 * other, so with the same collection pattern on both sides only about |to − from| / max(to,
 * from) of the documents are written. While the job runs, {@link locateDoc} finds a document in
 * its new or its old shard with one consistent read of both.
 */

export interface ReshardJobParams {
  /** Unique job id: the cursor document's id. */
  readonly jobId: string;
  /** Collection name pattern of the source shards, with `{shard}` for the shard id. */
  readonly sourcePattern: string;
  /** Pattern of the target shards. @default sourcePattern */
  readonly targetPattern?: string;
  /** Shard id prefix in collection names, e.g. `user_shard` (ids are prefix_NNN). */
  readonly shardPrefix: string;
  /** Current shard count. */
  readonly from: number;
  /** New shard count. */
  readonly to: number;
}

export interface ReshardOptions {
  /** Collection holding the job cursors. @default "reshard_jobs" */
  readonly cursorCollection?: string;
  /** Documents read per page; each page commits as one batch of ≤ 2 × pageSize + 1 writes (1–249). @default 249 */
  readonly pageSize?: number;
  /** Stops the job between batches (the job then rejects with the signal's reason). */
  readonly signal?: AbortSignal;
  /** Called after every committed batch. */
  readonly onBatch?: (progress: ReshardProgress) => void;
}

export interface ReshardProgress {
  /** Source shard being scanned. */
  readonly shard: number;
  /** Last document id committed in that shard. */
  readonly after: string | null;
  readonly scanned: number;
  readonly moved: number;
  readonly batches: number;
  readonly done: boolean;
}

export const RESHARD_DEFAULTS = { cursorCollection: "reshard_jobs", pageSize: 249 } as const;

/** Firestore's limit on writes in one batch. */
const MAX_BATCH_WRITES = 500;

function shardName(prefix: string, index: number, count: number): string {
  return `${prefix}_${String(index).padStart(Math.max(3, String(count).length), "0")}`;
}

function collectionFor(pattern: string, prefix: string, index: number, count: number): string {
  return pattern.split("{shard}").join(shardName(prefix, index, count));
}

function validate(params: ReshardJobParams, pageSize: number): void {
  validateShardCount("from", params.from);
  validateShardCount("to", params.to);
  for (const key of ["sourcePattern", "targetPattern"] as const) {
    const value = params[key];
    if (value !== undefined && !value.includes("{shard}")) {
      throw new RangeError(
        `\`${key}\` must contain {shard}, but ${JSON.stringify(value)} was provided`,
      );
    }
  }
  if (!params.jobId || params.jobId.includes("/")) {
    throw new RangeError(
      `\`jobId\` must be a non-empty string without "/", but ${JSON.stringify(params.jobId)} was provided`,
    );
  }
  const maxPage = (MAX_BATCH_WRITES - 1) / 2;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > maxPage) {
    throw new RangeError(
      `\`pageSize\` must be an integer 1–${Math.floor(maxPage)}, but ${pageSize} was provided`,
    );
  }
}

interface Cursor {
  readonly params: Required<Omit<ReshardJobParams, "jobId">>;
  readonly shard: number;
  readonly after: string | null;
  readonly scanned: number;
  readonly moved: number;
  readonly batches: number;
  readonly done: boolean;
}

/**
 * Runs (or resumes) a reshard job to completion. Safe to kill at any point and run again with
 * the same parameters; running it with other parameters under the same job id is refused.
 */
export async function runReshardJob(
  db: Firestore,
  params: ReshardJobParams,
  options: ReshardOptions = {},
): Promise<ReshardProgress> {
  const pageSize = options.pageSize ?? RESHARD_DEFAULTS.pageSize;
  validate(params, pageSize);
  await initSharding();
  const fixed = {
    sourcePattern: params.sourcePattern,
    targetPattern: params.targetPattern ?? params.sourcePattern,
    shardPrefix: params.shardPrefix,
    from: params.from,
    to: params.to,
  };
  const cursorRef = db
    .collection(options.cursorCollection ?? RESHARD_DEFAULTS.cursorCollection)
    .doc(params.jobId);
  const existing = await cursorRef.get();
  let cursor: Cursor;
  if (existing.exists) {
    cursor = existing.data() as Cursor;
    if (JSON.stringify(cursor.params) !== JSON.stringify(fixed)) {
      throw new Error(
        `reshard job ${params.jobId} was started with ${JSON.stringify(cursor.params)}; it cannot resume with ${JSON.stringify(fixed)}`,
      );
    }
  } else {
    cursor = {
      params: fixed,
      shard: 0,
      after: null,
      scanned: 0,
      moved: 0,
      batches: 0,
      done: false,
    };
    await cursorRef.create({ ...cursor, startedAt: FieldValue.serverTimestamp() });
  }

  const progress = (): ReshardProgress => ({
    shard: cursor.shard,
    after: cursor.after,
    scanned: cursor.scanned,
    moved: cursor.moved,
    batches: cursor.batches,
    done: cursor.done,
  });

  while (!cursor.done) {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error("reshard aborted");
    const source = db.collection(
      collectionFor(fixed.sourcePattern, fixed.shardPrefix, cursor.shard, fixed.from),
    );
    let query = source.orderBy("__name__").limit(pageSize);
    if (cursor.after !== null) query = query.startAfter(cursor.after);
    const page = await query.get();
    const batch = db.batch();
    let moved = 0;
    for (const doc of page.docs) {
      const target = targetRef(db, fixed, doc);
      if (target.path === doc.ref.path) continue;
      batch.set(target, doc.data());
      batch.delete(doc.ref, { lastUpdateTime: doc.updateTime });
      moved++;
    }
    const lastShard = cursor.shard === fixed.from - 1;
    const shardDone = page.size < pageSize;
    const next: Cursor = {
      ...cursor,
      shard: shardDone && !lastShard ? cursor.shard + 1 : cursor.shard,
      after: shardDone ? null : (page.docs.at(-1)?.id ?? null),
      scanned: cursor.scanned + page.size,
      moved: cursor.moved + moved,
      batches: cursor.batches + 1,
      done: shardDone && lastShard,
    };
    batch.set(cursorRef, { ...next, updatedAt: FieldValue.serverTimestamp() });
    await batch.commit();
    cursor = next;
    options.onBatch?.(progress());
  }
  return progress();
}

function targetRef(
  db: Firestore,
  fixed: Cursor["params"],
  doc: QueryDocumentSnapshot,
): DocumentReference {
  const index = shardIndex(doc.id, fixed.to);
  return db
    .collection(collectionFor(fixed.targetPattern, fixed.shardPrefix, index, fixed.to))
    .doc(doc.id);
}

/**
 * Finds document `id` during (or after, or before) a reshard: reads its new and its old location
 * in one consistent snapshot, so a batch committing in between cannot hide it.
 */
export async function locateDoc(
  db: Firestore,
  params: Omit<ReshardJobParams, "jobId">,
  id: string,
): Promise<{ readonly ref: DocumentReference; readonly data: DocumentData } | undefined> {
  await initSharding();
  const target = params.targetPattern ?? params.sourcePattern;
  const newRef = db
    .collection(collectionFor(target, params.shardPrefix, shardIndex(id, params.to), params.to))
    .doc(id);
  const oldRef = db
    .collection(
      collectionFor(
        params.sourcePattern,
        params.shardPrefix,
        shardIndex(id, params.from),
        params.from,
      ),
    )
    .doc(id);
  const refs = newRef.path === oldRef.path ? [newRef] : [newRef, oldRef];
  const snaps = await db.getAll(...refs);
  const found = snaps.find((s) => s.exists);
  return found ? { ref: found.ref, data: found.data() as DocumentData } : undefined;
}
