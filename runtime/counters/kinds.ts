/**
 * Every counter Avalo keeps, named once. A kind says where its counts live: `hot` counters take
 * bursts in Redis and are written behind to Firestore; `sharded` counters write straight to a
 * Firestore distributed counter of `shards` documents.
 */
export const COUNTER_KINDS = {
  /** Likes on a post: bursty, read often. */
  likes: { store: "hot" },
  /** Profile and post views: the hottest writes. */
  views: { store: "hot" },
  /** Followers of a user: durable, moderate rate. */
  followers: { store: "sharded", shards: 10 },
  /** Matches of a user: durable, moderate rate. */
  matches: { store: "sharded", shards: 10 },
} as const satisfies Record<
  string,
  { readonly store: "hot" } | { readonly store: "sharded"; readonly shards: number }
>;

export type CounterKind = keyof typeof COUNTER_KINDS;

export const COUNTER_KIND_NAMES = Object.keys(COUNTER_KINDS) as CounterKind[];

/** The id of one counter: `<kind>:<entity id>`. */
export function counterId(kind: CounterKind, entityId: string): string {
  if (!(kind in COUNTER_KINDS)) {
    throw new RangeError(
      `counter kind ${JSON.stringify(kind)} is unknown; known kinds: ${COUNTER_KIND_NAMES.join(", ")}`,
    );
  }
  if (typeof entityId !== "string" || entityId.length === 0) {
    throw new TypeError(
      `\`entityId\` must be a non-empty string, but ${JSON.stringify(entityId)} was provided`,
    );
  }
  return `${kind}:${entityId}`;
}

/** A Firestore document id for a counter id (entity ids may contain `/`). */
export function counterDocId(id: string): string {
  return encodeURIComponent(id);
}

/** Prefix of the counters' Firestore collections (firestore.rules allows `counters_[a-z]+`). */
export const COUNTER_COLLECTION_PREFIX = "counters";

/** The collection every hot kind's write-behind totals share: `<prefix>_hot`. */
export function hotCounterCollection(prefix: string = COUNTER_COLLECTION_PREFIX): string {
  return `${prefix}_hot`;
}

/** The Firestore collection of a counter kind: the hot collection, or `<prefix>_<kind>`. */
export function counterCollection(
  kind: CounterKind,
  prefix: string = COUNTER_COLLECTION_PREFIX,
): string {
  return COUNTER_KINDS[kind].store === "hot" ? hotCounterCollection(prefix) : `${prefix}_${kind}`;
}

/** Prefix of a region's hot-counter Redis keys, e.g. `avalo:eu-west:ctr`. */
export function hotCounterPrefix(region: string): string {
  return `avalo:${region}:ctr`;
}
