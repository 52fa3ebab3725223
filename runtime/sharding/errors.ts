/** A fan-out query in which some shards failed; no partial result is returned. */
export class ShardQueryError extends Error {
  override readonly name = "ShardQueryError";

  constructor(
    /** The shards whose query failed, with each failure. */
    readonly failures: readonly { readonly shardId: string; readonly cause: unknown }[],
    /** How many shards were queried in total. */
    readonly shardCount: number,
  ) {
    super(
      `${failures.length} of ${shardCount} shards failed: ${failures
        .map(
          (f) => `${f.shardId} (${f.cause instanceof Error ? f.cause.message : String(f.cause)})`,
        )
        .join("; ")}`,
    );
  }

  /** Ids of the failed shards. */
  get shardIds(): string[] {
    return this.failures.map((f) => f.shardId);
  }
}
