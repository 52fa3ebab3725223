import {
  FieldPath,
  Timestamp,
  type DocumentData,
  type DocumentReference,
  type Firestore,
  type Query,
  type WriteBatch,
} from "firebase-admin/firestore";
import { HotCounterKeys } from "../counters/hot-counter";
import {
  COUNTER_KIND_NAMES,
  COUNTER_KINDS,
  counterCollection,
  counterDocId,
  counterId,
} from "../counters/kinds";
import {
  auditedTransaction,
  pseudonymousUser,
  type AuditOptions,
  type AuditRecord,
} from "../security/audit";
import { SERVER_COLLECTIONS } from "../security/collections";
import {
  DEFAULT_SHARD_CONFIG,
  shardDigits,
  type ShardConfig,
  type ShardFamily,
  type ShardFamilyName,
} from "../sharding/config";

/**
 * GDPR jobs of the batch-processor: erase a user (right to erasure) or export everything held
 * about them (right of access), across every shard family, the server collections and the
 * user's counters, with a report of every document touched.
 *
 * Where a user's data lives ({@link USER_DATA}) is declared once and read by both jobs:
 * - deleted: the profile (with its subcollections), wallet, role, feed entries they own or
 *   authored, their chat messages, their analytics events and their counters;
 * - pseudonymised (kept for accounting and fraud obligations, with the user id replaced by
 *   `user#<sha256 prefix>`): transactions and fraud decisions;
 * - redacted: chats keep the other participant's copy, with this user's id pseudonymised in
 *   `participants`.
 * Audit entries never hold raw user ids (runtime/security/audit.ts), so the append-only log is
 * left untouched. The job is idempotent: run it again after a crash and it finishes the rest.
 * The final step deletes the profile, wallet and role in one transaction with the audit entry.
 */

/** What the job does with a document that references the user. */
export type Treatment = "deleted" | "pseudonymized" | "redacted" | "exported";

/** One document the job touched. */
export interface TouchedDocument {
  readonly path: string;
  readonly action: Treatment;
}

export interface GdprRequest {
  /** The user whose data is erased or exported. */
  readonly userId: string;
  /** `user:<uid>` of the staff member or the user themself, or `service:<name>`. */
  readonly actor: string;
  /** Legal basis or ticket, recorded in the audit entry. */
  readonly reason: string;
  readonly requestId: string;
}

/** The Redis commands erasure uses on hot counters; an ioredis client satisfies it. */
export interface HotCounterStore {
  del(...keys: string[]): Promise<number>;
  srem(key: string, ...members: string[]): Promise<number>;
}

export interface GdprOptions extends AuditOptions {
  /**
   * Redis holding hot counters not yet written behind, with the key prefix of each region
   * (`hotCounterPrefix(region)` of runtime/counters). Erasure drops the user's pending deltas
   * first, so a later flush cannot recreate a deleted counter document.
   */
  readonly hotCounters?: { readonly redis: HotCounterStore; readonly prefixes: readonly string[] };
  /** Shard layout to search. @default DEFAULT_SHARD_CONFIG */
  readonly shards?: ShardConfig;
  /** Collections searched in parallel (1–64). @default 8 */
  readonly concurrency?: number;
}

/** What a job did, for the requester and the data-protection officer. */
export interface GdprReport {
  readonly job: "delete" | "export";
  readonly userId: string;
  readonly requestId: string;
  /** Every document touched, sorted by path. */
  readonly touched: readonly TouchedDocument[];
  /** Number of documents per treatment. */
  readonly counts: Readonly<Record<Treatment, number>>;
  /** Collections searched (sharded families are discovered from the database). */
  readonly collectionsSearched: number;
  /** The audit entry committed with the job's final step. */
  readonly audit: AuditRecord;
}

/** One exported document: its path and its data in JSON form (timestamps as ISO strings). */
export interface ExportedDocument {
  readonly path: string;
  readonly data: unknown;
}

export interface UserExport {
  readonly userId: string;
  readonly documents: readonly ExportedDocument[];
}

type Match =
  | { readonly by: "id" }
  | { readonly by: "field"; readonly field: string; readonly op: "==" | "array-contains" };

/** A place a user's data can be, and what erasure does with it. */
interface Location {
  readonly match: Match;
  readonly onDelete: Exclude<Treatment, "exported">;
  /** Field holding the user id, for pseudonymisation and redaction. */
  readonly field?: string;
  /** Subcollection whose documents by this user are deleted (chat messages). */
  readonly authored?: { readonly collection: string; readonly field: string };
}

/**
 * Where user data lives, by shard family and server collection. Reading this table tells you
 * everything the GDPR jobs look at.
 */
export const USER_DATA: {
  readonly sharded: Readonly<Record<ShardFamilyName, readonly Location[]>>;
  readonly server: Readonly<Record<string, readonly Location[]>>;
} = {
  sharded: {
    user: [{ match: { by: "id" }, onDelete: "deleted" }],
    chat: [
      {
        match: { by: "field", field: "participants", op: "array-contains" },
        onDelete: "redacted",
        field: "participants",
        authored: { collection: "messages", field: "senderId" },
      },
    ],
    feed: [
      { match: { by: "field", field: "ownerId", op: "==" }, onDelete: "deleted" },
      { match: { by: "field", field: "authorId", op: "==" }, onDelete: "deleted" },
    ],
    transaction: [
      {
        match: { by: "field", field: "userId", op: "==" },
        onDelete: "pseudonymized",
        field: "userId",
      },
    ],
    analytics: [{ match: { by: "field", field: "userId", op: "==" }, onDelete: "deleted" }],
  },
  server: {
    [SERVER_COLLECTIONS.wallets]: [{ match: { by: "id" }, onDelete: "deleted" }],
    [SERVER_COLLECTIONS.roles]: [{ match: { by: "id" }, onDelete: "deleted" }],
    [SERVER_COLLECTIONS.fraudDecisions]: [
      {
        match: { by: "field", field: "userId", op: "==" },
        onDelete: "pseudonymized",
        field: "userId",
      },
    ],
  },
};

/** A pattern that recognises every shard id of `family` (any time partition). */
export function shardCollectionPattern(family: ShardFamily): RegExp {
  const time = {
    none: "",
    month: "\\d{4}_\\d{2}_",
    day: "\\d{4}_\\d{2}_\\d{2}_",
    hour: "\\d{4}_\\d{2}_\\d{2}_\\d{2}_",
  }[family.partition];
  return new RegExp(`^${family.prefix}_${time}\\d{${shardDigits(family.count)}}$`);
}

interface Found {
  readonly ref: DocumentReference;
  readonly data: DocumentData;
  readonly location: Location;
}

function checkRequest(request: GdprRequest, options: GdprOptions): number {
  if (
    typeof request.userId !== "string" ||
    request.userId.length === 0 ||
    request.userId.includes("/")
  ) {
    throw new RangeError(
      `\`userId\` must be a non-empty Firestore document id (no "/"), but ${JSON.stringify(request.userId)} was provided`,
    );
  }
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new RangeError(
      `\`concurrency\` must be an integer 1–64, but ${String(concurrency)} was provided`,
    );
  }
  return concurrency;
}

async function pool<T>(
  items: readonly T[],
  size: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

/** Every document under `ref` (its subcollections, recursively), not including `ref` itself. */
async function descendants(ref: DocumentReference): Promise<DocumentReference[]> {
  const out: DocumentReference[] = [];
  for (const sub of await ref.listCollections()) {
    for (const child of await sub.listDocuments()) {
      if ((await child.get()).exists) out.push(child);
      out.push(...(await descendants(child)));
    }
  }
  return out;
}

function locate(db: Firestore, collection: string, location: Location, userId: string): Query {
  const ref = db.collection(collection);
  return location.match.by === "id"
    ? ref.where(FieldPath.documentId(), "==", ref.doc(userId))
    : ref.where(location.match.field, location.match.op, userId);
}

/** Finds every document that references the user, with the location that matched it. */
async function findUserData(
  db: Firestore,
  userId: string,
  shards: ShardConfig,
  concurrency: number,
): Promise<{ found: Found[]; counters: DocumentReference[]; collectionsSearched: number }> {
  const all = (await db.listCollections()).map((c) => c.id);
  const targets: [string, Location][] = [];
  for (const family of Object.keys(USER_DATA.sharded) as ShardFamilyName[]) {
    const pattern = shardCollectionPattern(shards[family]);
    for (const id of all.filter((c) => pattern.test(c))) {
      for (const location of USER_DATA.sharded[family]) targets.push([id, location]);
    }
  }
  for (const [collection, locations] of Object.entries(USER_DATA.server)) {
    for (const location of locations) targets.push([collection, location]);
  }
  const found = new Map<string, Found>();
  await pool(targets, concurrency, async ([collection, location]) => {
    const snap = await locate(db, collection, location, userId).get();
    for (const doc of snap.docs) {
      if (!found.has(doc.ref.path))
        found.set(doc.ref.path, { ref: doc.ref, data: doc.data(), location });
    }
  });
  const counters: DocumentReference[] = [];
  for (const kind of COUNTER_KIND_NAMES) {
    const ref = db.collection(counterCollection(kind)).doc(counterDocId(counterId(kind, userId)));
    const [snap, below] = await Promise.all([ref.get(), descendants(ref)]);
    if (snap.exists || below.length > 0) counters.push(ref);
  }
  return {
    found: [...found.values()],
    counters,
    collectionsSearched: new Set(targets.map(([c]) => c)).size + COUNTER_KIND_NAMES.length,
  };
}

/** Firestore data as plain JSON: timestamps become ISO strings, references their paths. */
function toJson(value: unknown): unknown {
  if (value instanceof Timestamp) return value.toDate().toISOString();
  if (value && typeof value === "object" && "path" in value && "firestore" in value) {
    return (value as DocumentReference).path;
  }
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  }
  return value;
}

const MAX_BATCH_WRITES = 500;
const READ_CHUNK = 100;

async function commitInBatches(
  db: Firestore,
  writes: readonly ((batch: WriteBatch) => void)[],
): Promise<void> {
  for (let i = 0; i < writes.length; i += MAX_BATCH_WRITES) {
    const batch = db.batch();
    for (const write of writes.slice(i, i + MAX_BATCH_WRITES)) write(batch);
    await batch.commit();
  }
}

function countsOf(touched: readonly TouchedDocument[]): Record<Treatment, number> {
  const counts: Record<Treatment, number> = {
    deleted: 0,
    pseudonymized: 0,
    redacted: 0,
    exported: 0,
  };
  for (const t of touched) counts[t.action]++;
  return counts;
}

function sorted(touched: TouchedDocument[]): TouchedDocument[] {
  return touched.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Final-step documents: deleted in the audited transaction rather than in a batch. */
const FINAL_COLLECTIONS = new Set<string>([SERVER_COLLECTIONS.wallets, SERVER_COLLECTIONS.roles]);

function isFinal(found: Found, shards: ShardConfig): boolean {
  const collection = found.ref.parent.id;
  return FINAL_COLLECTIONS.has(collection) || shardCollectionPattern(shards.user).test(collection);
}

/**
 * Erases a user: deletes, pseudonymises or redacts every document that references them (see
 * {@link USER_DATA}), then deletes their profile, wallet and role in one transaction with the
 * `data.delete` audit entry. Returns the report of every document touched.
 */
export async function runDeleteUserJob(
  db: Firestore,
  request: GdprRequest,
  options: GdprOptions = {},
): Promise<GdprReport> {
  const concurrency = checkRequest(request, options);
  const shards = options.shards ?? DEFAULT_SHARD_CONFIG;
  const { userId } = request;
  const pseudonym = pseudonymousUser(userId);
  const touched: TouchedDocument[] = [];
  if (options.hotCounters) {
    const { redis, prefixes } = options.hotCounters;
    const ids = COUNTER_KIND_NAMES.filter((k) => COUNTER_KINDS[k].store === "hot").map((k) =>
      counterId(k, userId),
    );
    for (const keys of prefixes.map((p) => new HotCounterKeys(p))) {
      await redis.srem(keys.dirty, ...ids);
      const dropped = ids.flatMap((id) => [keys.pending(id), keys.inflight(id), keys.sequence(id)]);
      const removed = await redis.del(...dropped);
      if (removed > 0) touched.push({ path: `redis:${keys.prefix}`, action: "deleted" });
    }
  }
  const { found, counters, collectionsSearched } = await findUserData(
    db,
    userId,
    shards,
    concurrency,
  );
  const writes: ((batch: WriteBatch) => void)[] = [];
  const del = (ref: DocumentReference) => {
    writes.push((b) => b.delete(ref));
    touched.push({ path: ref.path, action: "deleted" });
  };

  for (const f of found) {
    if (f.location.authored) {
      const { collection, field } = f.location.authored;
      const mine = await f.ref.collection(collection).where(field, "==", userId).get();
      for (const m of mine.docs) {
        for (const d of await descendants(m.ref)) del(d);
        del(m.ref);
      }
    }
    if (isFinal(f, shards)) {
      for (const d of await descendants(f.ref)) del(d);
      continue;
    }
    const field = f.location.field ?? "";
    switch (f.location.onDelete) {
      case "deleted":
        for (const d of await descendants(f.ref)) del(d);
        del(f.ref);
        break;
      case "pseudonymized":
        writes.push((b) => b.update(f.ref, { [field]: pseudonym }));
        touched.push({ path: f.ref.path, action: "pseudonymized" });
        break;
      case "redacted": {
        const list = (f.data[field] as unknown[]).map((p) => (p === userId ? pseudonym : p));
        writes.push((b) => b.update(f.ref, { [field]: list }));
        touched.push({ path: f.ref.path, action: "redacted" });
        break;
      }
    }
  }
  for (const counter of counters) {
    for (const d of await descendants(counter)) del(d);
    if ((await counter.get()).exists) del(counter);
  }
  await commitInBatches(db, writes);

  const finals = found.filter((f) => isFinal(f, shards)).map((f) => f.ref);
  const { audit } = await auditedTransaction(
    db,
    {
      actor: request.actor,
      action: "data.delete",
      target: `user:${userId}`,
      reason: request.reason,
      requestId: request.requestId,
      details: { documents: touched.length + finals.length },
    },
    async (tx) => {
      for (const ref of finals) tx.delete(ref);
    },
    options,
  );
  for (const ref of finals) touched.push({ path: ref.path, action: "deleted" });
  const all = sorted(touched);
  return {
    job: "delete",
    userId,
    requestId: request.requestId,
    touched: all,
    counts: countsOf(all),
    collectionsSearched,
    audit,
  };
}

/**
 * Exports everything held about a user: every document {@link USER_DATA} finds, the messages
 * they sent, their profile's subcollections and their counters. The `data.export` audit entry
 * is committed in a transaction that reads the profile, so a returned export always has its
 * entry.
 */
export async function runExportUserJob(
  db: Firestore,
  request: GdprRequest,
  options: GdprOptions = {},
): Promise<{ report: GdprReport; export: UserExport }> {
  const concurrency = checkRequest(request, options);
  const shards = options.shards ?? DEFAULT_SHARD_CONFIG;
  const { userId } = request;
  const { found, counters, collectionsSearched } = await findUserData(
    db,
    userId,
    shards,
    concurrency,
  );
  const refs: DocumentReference[] = [];
  for (const f of found) {
    refs.push(f.ref);
    if (f.location.authored) {
      const { collection, field } = f.location.authored;
      const mine = await f.ref.collection(collection).where(field, "==", userId).get();
      refs.push(...mine.docs.map((m) => m.ref));
    } else {
      refs.push(...(await descendants(f.ref)));
    }
  }
  for (const counter of counters) refs.push(counter, ...(await descendants(counter)));
  const snaps = [];
  for (let i = 0; i < refs.length; i += READ_CHUNK) {
    snaps.push(...(await db.getAll(...refs.slice(i, i + READ_CHUNK))));
  }
  const profiles = found
    .filter((f) => shardCollectionPattern(shards.user).test(f.ref.parent.id))
    .map((f) => f.ref);
  const documents = snaps
    .filter((s) => s.exists)
    .map((s) => ({ path: s.ref.path, data: toJson(s.data()) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const { audit } = await auditedTransaction(
    db,
    {
      actor: request.actor,
      action: "data.export",
      target: `user:${userId}`,
      reason: request.reason,
      requestId: request.requestId,
      details: { documents: documents.length },
    },
    async (tx) => (profiles.length > 0 ? tx.getAll(...profiles) : []),
    options,
  );
  const touched = sorted(documents.map((d) => ({ path: d.path, action: "exported" as const })));
  return {
    report: {
      job: "export",
      userId,
      requestId: request.requestId,
      touched,
      counts: countsOf(touched),
      collectionsSearched,
      audit,
    },
    export: { userId, documents },
  };
}
