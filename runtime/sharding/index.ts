/** Sharding: stable placement of ids on Firestore shards, fan-out queries and hot-shard checks. */
export * from "./config";
export * from "./errors";
export {
  initSharding,
  isShardingReady,
  xxh64,
  jumpHash,
  shardIndex,
  checkedShardIndex,
} from "./hash";
export * from "./hot-shards";
export * from "./query";
export * from "./residency";
export * from "./shards";
