import { FieldValue, type Firestore } from "firebase-admin/firestore";
import { validateShardCount } from "../sharding/config";
import { counterDocId } from "./kinds";

/**
 * Firestore distributed counter, as in the Firestore documentation: a counter document with a
 * `shards` subcollection of N documents. An increment adds to one random shard; a read sums
 * them. Each shard sustains about one write per second in production, so N shards take about N.
 */
export interface ShardedCounterArgs {
  /** Collection holding one document per counter. */
  readonly collection: string;
  /** Shard documents per counter (1–10000). @default 10 */
  readonly shards?: number;
  /** Injectable randomness for the shard choice. @default Math.random */
  readonly random?: () => number;
}

export const DEFAULT_COUNTER_SHARDS = 10;

export class ShardedCounter {
  readonly shards: number;
  private readonly random: () => number;

  constructor(
    private readonly db: Firestore,
    private readonly args: ShardedCounterArgs,
  ) {
    this.shards = validateShardCount("shards", args.shards ?? DEFAULT_COUNTER_SHARDS);
    this.random = args.random ?? Math.random;
  }

  private shardsOf(id: string) {
    return this.db.collection(this.args.collection).doc(counterDocId(id)).collection("shards");
  }

  /** Creates the counter's N shard documents at zero (idempotent: existing counts are kept). */
  async create(id: string): Promise<void> {
    const batch = this.db.batch();
    const shards = this.shardsOf(id);
    for (let i = 0; i < this.shards; i++) {
      batch.set(shards.doc(String(i)), { count: FieldValue.increment(0) }, { merge: true });
    }
    await batch.commit();
  }

  /** Adds `delta` to one random shard. */
  async increment(id: string, delta = 1): Promise<void> {
    if (!Number.isSafeInteger(delta)) {
      throw new RangeError(`\`delta\` must be a safe integer, but ${delta} was provided`);
    }
    const shard = Math.floor(this.random() * this.shards);
    await this.shardsOf(id)
      .doc(String(shard))
      .set({ count: FieldValue.increment(delta) }, { merge: true });
  }

  /** The counter's value: the sum of its shards. */
  async value(id: string): Promise<number> {
    const snap = await this.shardsOf(id).get();
    return snap.docs.reduce((sum, d) => sum + ((d.get("count") as number | undefined) ?? 0), 0);
  }
}
