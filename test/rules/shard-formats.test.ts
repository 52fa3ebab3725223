import { expect } from "chai";
import { allShardIds, DEFAULT_SHARD_CONFIG, type ShardFamilyName } from "../../runtime/sharding";
import { readFirestoreRulesSource } from "../../runtime/security/rules";

/** The regular expression a rules function `name(c)` applies with `c.matches('...')`. */
function rulesPattern(source: string, fn: string): RegExp {
  const match = new RegExp(`function ${fn}\\(c\\) \\{\\s*return c\\.matches\\('([^']+)'\\);`).exec(
    source,
  );
  if (!match) throw new Error(`firestore.rules has no shard function ${fn}`);
  // Rules' matches() is a full-string match.
  return new RegExp(`^(?:${match[1]})$`);
}

const FUNCTIONS: Record<ShardFamilyName, string> = {
  user: "isUserShard",
  chat: "isChatShard",
  feed: "isFeedShard",
  transaction: "isTransactionShard",
  analytics: "isAnalyticsShard",
};

const MOMENTS = [
  new Date(Date.UTC(2026, 0, 1, 0, 0)),
  new Date(Date.UTC(2026, 10, 25, 14, 30)),
  new Date(Date.UTC(2027, 11, 31, 23, 59)),
];

describe("shard-name patterns in firestore.rules", () => {
  const source = readFirestoreRulesSource();

  for (const family of Object.keys(FUNCTIONS) as ShardFamilyName[]) {
    it(`${FUNCTIONS[family]} admits every ${family} shard id runtime/sharding produces`, () => {
      const pattern = rulesPattern(source, FUNCTIONS[family]);
      const ids = MOMENTS.flatMap((at) => allShardIds(DEFAULT_SHARD_CONFIG[family], at));
      expect(ids.filter((id) => !pattern.test(id))).to.deep.equal([]);
    });
  }

  it("rejects malformed and foreign shard ids of every family", () => {
    const rejected: Record<ShardFamilyName, string[]> = {
      user: [
        "user_shard_100",
        "user_shard_42",
        "user_shard_0042",
        "user_shard_",
        "users_shard_001",
        "user_shard_001x",
        "xuser_shard_001",
      ],
      chat: [
        "chat_shard_2026_11_1000",
        "chat_shard_2026_13_0001",
        "chat_shard_2026_00_0001",
        "chat_shard_2026_11_042",
        "chat_shard_26_11_0042",
        "chat_shard_2026_11_25_0042",
      ],
      feed: [
        "feed_shard_2026_11_25_500",
        "feed_shard_2026_11_32_001",
        "feed_shard_2026_11_00_001",
        "feed_shard_2026_11_001",
        "feed_shard_2026_11_25_0001",
      ],
      transaction: [
        "transaction_shard_2026_11_200",
        "txn_shard_2026_11_045",
        "transaction_shard_2026_11_25_045",
        "transaction_shard_2026_1_045",
      ],
      analytics: [
        "analytics_shard_2026_11_25_24_001",
        "analytics_shard_2026_11_25_14_100",
        "analytics_shard_2026_11_25_001",
        "analytics_shard_2026_11_25_14_0001",
      ],
    };
    for (const family of Object.keys(FUNCTIONS) as ShardFamilyName[]) {
      const pattern = rulesPattern(source, FUNCTIONS[family]);
      expect(
        rejected[family].filter((id) => pattern.test(id)),
        family,
      ).to.deep.equal([]);
    }
  });
});
