import type {
  DocumentData,
  Firestore,
  OrderByDirection,
  Query,
  QueryDocumentSnapshot,
  WhereFilterOp,
} from "firebase-admin/firestore";
import { ShardQueryError } from "./errors";

/**
 * Fan-out of one ordered Firestore query to every shard collection, merged k-way. Each shard is
 * read page by page, and a shard's next page is fetched only when the merge needs its next
 * document, so a query with `limit` reads at most `limit` plus one page per shard.
 */

export interface ShardQuery {
  readonly where?: readonly (readonly [field: string, op: WhereFilterOp, value: unknown])[];
  /** The field results are ordered by; ties are broken by document id. */
  readonly orderBy: string;
  /** @default "asc" */
  readonly direction?: OrderByDirection;
  /** Documents to return in total. */
  readonly limit: number;
}

export interface QueryAllShardsOptions {
  /** Shard ids substituted for `{shard}` in the collection pattern. */
  readonly shardIds: readonly string[];
  /** Shard queries in flight at once. @default 16 */
  readonly concurrency?: number;
  /** Documents per shard page. @default max(1, ceil(2 × limit / shards)), at most limit */
  readonly pageSize?: number;
}

export interface ShardedDoc<T> {
  readonly shardId: string;
  readonly id: string;
  readonly data: T;
}

export interface QueryAllShardsResult<T> {
  readonly docs: ShardedDoc<T>[];
  /** Documents read from Firestore in total (for cost accounting). */
  readonly docsRead: number;
}

const DEFAULT_CONCURRENCY = 16;
const SHARD_PLACEHOLDER = "{shard}";

/** Runs `tasks` with at most `limit` in flight; results keep their order. */
async function boundedAll<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

type Comparable = { valueOf(): unknown } | string | number | boolean | null | undefined;

function compareValues(a: Comparable, b: Comparable): number {
  const toKey = (v: Comparable): unknown =>
    v !== null && typeof v === "object" && "toMillis" in v && typeof v.toMillis === "function"
      ? v.toMillis()
      : v instanceof Date
        ? v.getTime()
        : v;
  const x = toKey(a) as number | string;
  const y = toKey(b) as number | string;
  return x < y ? -1 : x > y ? 1 : 0;
}

class ShardCursor {
  buffer: QueryDocumentSnapshot[] = [];
  exhausted = false;
  last: QueryDocumentSnapshot | undefined;
  read = 0;

  constructor(
    readonly shardId: string,
    private readonly query: Query,
    private readonly pageSize: number,
  ) {}

  async fill(): Promise<void> {
    const page = await (this.last ? this.query.startAfter(this.last) : this.query)
      .limit(this.pageSize)
      .get();
    this.read += page.size;
    this.buffer = page.docs;
    this.last = page.docs.at(-1);
    this.exhausted = page.size < this.pageSize;
  }
}

/**
 * Runs `query` on every collection `collectionPattern` names (with `{shard}` replaced by each
 * shard id) and merges the ordered results. Throws {@link ShardQueryError} naming every shard
 * that failed rather than returning partial data.
 */
export async function queryAllShards<T = DocumentData>(
  db: Firestore,
  collectionPattern: string,
  query: ShardQuery,
  options: QueryAllShardsOptions,
): Promise<QueryAllShardsResult<T>> {
  if (!collectionPattern.includes(SHARD_PLACEHOLDER)) {
    throw new RangeError(
      `\`collectionPattern\` must contain ${SHARD_PLACEHOLDER}, but ${JSON.stringify(collectionPattern)} was provided`,
    );
  }
  if (!Number.isInteger(query.limit) || query.limit < 1) {
    throw new RangeError(`\`limit\` must be a positive integer, but ${query.limit} was provided`);
  }
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(
      `\`concurrency\` must be a positive integer, but ${concurrency} was provided`,
    );
  }
  const shards = options.shardIds;
  const pageSize =
    options.pageSize ??
    Math.min(query.limit, Math.max(1, Math.ceil((2 * query.limit) / Math.max(1, shards.length))));
  const direction = query.direction ?? "asc";
  const sign = direction === "asc" ? 1 : -1;

  const failures: { shardId: string; cause: unknown }[] = [];
  const guarded = async (shardId: string, step: () => Promise<void>): Promise<void> => {
    try {
      await step();
    } catch (cause) {
      failures.push({ shardId, cause });
    }
  };

  const cursors: ShardCursor[] = [];
  await boundedAll(
    shards.map(
      (shardId) => () =>
        guarded(shardId, async () => {
          let q: Query = db.collection(collectionPattern.split(SHARD_PLACEHOLDER).join(shardId));
          for (const [field, op, value] of query.where ?? []) q = q.where(field, op, value);
          q = q.orderBy(query.orderBy, direction).orderBy("__name__", direction);
          const cursor = new ShardCursor(shardId, q, pageSize);
          await cursor.fill();
          cursors.push(cursor);
        }),
    ),
    concurrency,
  );
  if (failures.length > 0) throw new ShardQueryError(failures, shards.length);

  const compare = (a: ShardCursor, b: ShardCursor): number => {
    const x = a.buffer[0];
    const y = b.buffer[0];
    return (
      sign * compareValues(x.get(query.orderBy), y.get(query.orderBy)) ||
      sign * compareValues(x.id, y.id) ||
      a.shardId.localeCompare(b.shardId)
    );
  };

  const docs: ShardedDoc<T>[] = [];
  const live = cursors.filter((c) => c.buffer.length > 0);
  while (docs.length < query.limit && live.length > 0) {
    let best = 0;
    for (let i = 1; i < live.length; i++) if (compare(live[i], live[best]) < 0) best = i;
    const cursor = live[best];
    const doc = cursor.buffer.shift() as QueryDocumentSnapshot;
    docs.push({ shardId: cursor.shardId, id: doc.id, data: doc.data() as T });
    if (cursor.buffer.length === 0) {
      if (!cursor.exhausted && docs.length < query.limit) {
        await guarded(cursor.shardId, () => cursor.fill());
        if (failures.length > 0) throw new ShardQueryError(failures, shards.length);
      }
      if (cursor.buffer.length === 0) live.splice(best, 1);
    }
  }
  return { docs, docsRead: cursors.reduce((n, c) => n + c.read, 0) };
}
