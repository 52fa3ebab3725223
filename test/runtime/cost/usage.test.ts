import { expect } from "chai";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import {
  loadUsageModel,
  naiveVariant,
  parseUsageModel,
  UsageModelError,
} from "../../../runtime/cost/usage";
import { SMALL_MODEL_DOCUMENT } from "./small-model";

type Doc = Record<string, unknown>;

function withChange(change: (doc: Doc) => void): string {
  const doc = structuredClone(SMALL_MODEL_DOCUMENT) as unknown as Doc;
  change(doc);
  return stringify(doc);
}

const BAD: ReadonlyArray<readonly [string, (doc: Doc) => void, string]> = [
  [
    "an unknown operation in the mix",
    (d) => ((d.operationMix as Doc).fed = 0),
    "bad.yaml: operationMix.fed: unknown key; allowed: feed, profile, likes, chat, ai, payments",
  ],
  [
    "a negative user count",
    (d) => (d.dailyActiveUsers = -5),
    "bad.yaml: dailyActiveUsers: -5 is not allowed (Too small: expected number to be >0)",
  ],
  [
    "a missing section",
    (d) => delete d.cache,
    "bad.yaml: cache: is missing (expected object, received undefined)",
  ],
  [
    "a pipeline that does not exist",
    (d) => ((d.events as Doc)["avalo-likes"] = { bytes: 10, perOperation: {} }),
    "bad.yaml: events.avalo-likes: unknown key; allowed: user-created, match-created, feed-fanout, ai-generation, notification-batch, analytics-aggregation, media-transcode, fraud-check",
  ],
  [
    "a mix that does not add up to 1",
    (d) => ((d.operationMix as Doc).feed = 0.9),
    "bad.yaml: operationMix: shares add up to 0.9, not 1",
  ],
  [
    "more cacheable reads than reads",
    (d) => (((d.operations as Doc).feed as Doc).cacheableReads = 11),
    "bad.yaml: operations.feed.cacheableReads: 11 is more than firestoreReads (10)",
  ],
  [
    "events for a consumer with no CPU figure",
    (d) => ((d.events as Doc)["fraud-check"] = { bytes: 900, perOperation: { payments: 1 } }),
    "bad.yaml: services.fraud-analyzer: is missing: events.fraud-check are delivered to fraud-analyzer, which needs cpuMsPerRequest",
  ],
  [
    "a misspelt key inside an operation",
    (d) => (((d.operations as Doc).feed as Doc).apiCpuMillis = 3),
    "bad.yaml: operations.feed.apiCpuMillis: unknown key; allowed: firestoreReads, cacheableReads, firestoreWrites, counterIncrements, apiCpuMs, mediaWrites, mediaReads, crossRegionKib",
  ],
  [
    "a Redis tier that does not exist",
    (d) => ((d.redis as Doc).tier = "PREMIUM"),
    'bad.yaml: redis.tier: "PREMIUM" is not allowed',
  ],
  [
    "no serving time per instance start",
    (d) => (d.secrets = { servingMinutesPerInstanceStart: 0, kmsDecryptsPerAccess: 1 }),
    "bad.yaml: secrets.servingMinutesPerInstanceStart: 0 is not allowed",
  ],
];

describe("cost usage model", () => {
  for (const [what, change, message] of BAD) {
    it(`rejects ${what}, naming the key`, () => {
      const yaml = withChange(change);
      expect(() => parseUsageModel(yaml, "bad.yaml"))
        .to.throw(UsageModelError)
        .with.property("message")
        .that.satisfies((m: string) => m.startsWith(message));
    });
  }

  it("rejects text that is not YAML", () => {
    expect(() => parseUsageModel("a: [1,", "bad.yaml")).to.throw(
      /^bad\.yaml: \(root\): not valid YAML/,
    );
  });

  it("loads every shipped usage file", () => {
    const dir = join(__dirname, "..", "..", "..", "usage");
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".yaml"))
      .sort();
    expect(files).to.deep.equal(["10k.yaml", "1m.yaml", "20m.yaml"]);
    const users = files.map((f) => loadUsageModel(join(dir, f)).dailyActiveUsers);
    expect(users).to.deep.equal([10_000, 1_000_000, 20_000_000]);
  });

  it("builds the naive variant: no cache, single-document counters, min instances 1", () => {
    const model = parseUsageModel(stringify(SMALL_MODEL_DOCUMENT), "small");
    const naive = naiveVariant(model);
    expect([
      naive.cache.hitRatio,
      naive.counters.sharded,
      naive.cloudRun.minInstances,
    ]).to.deep.equal([0, false, 1]);
    expect(naive.operations).to.deep.equal(model.operations);
  });
});
