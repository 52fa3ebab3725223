import { expect } from "chai";
import { deriveDemand } from "../../../runtime/cost/demand";
import { diffEstimates, formatCostDiffMarkdown } from "../../../runtime/cost/diff";
import { estimatePlan, estimateStack, estimateUsage } from "../../../runtime/cost/estimate";
import { formatCostSummary, formatCostTable } from "../../../runtime/cost/format";
import type { CostLine, PlannedResource } from "../../../runtime/cost/types";
import { naiveVariant, scaleUsers, validateUsageModel } from "../../../runtime/cost/usage";
import { SMALL_MODEL_DOCUMENT, smallModel } from "./small-model";

const redis = (name: string, gb: number): PlannedResource => ({
  type: "gcp:redis/instance:Instance",
  name,
  inputs: { memorySizeGb: gb, tier: "BASIC", region: "us-central1" },
});

/** A small synthetic plan: two caches, a warm service, a key, a network. */
function plan(cacheAGb = 2): PlannedResource[] {
  return [
    redis("cache-a", cacheAGb),
    redis("cache-b", 3),
    {
      type: "gcp:cloudrunv2/service:Service",
      name: "api",
      inputs: {
        location: "us-east1",
        template: {
          scaling: { minInstanceCount: 1 },
          containers: [{ resources: { limits: { cpu: "1", memory: "512Mi" } } }],
        },
      },
    },
    { type: "gcp:kms/cryptoKey:CryptoKey", name: "key", inputs: { rotationPeriod: "7776000s" } },
    { type: "gcp:compute/network:Network", name: "vpc", inputs: {} },
  ];
}

const byKey = (lines: readonly CostLine[]) => new Map(lines.map((l) => [l.key, l]));

describe("cost estimate", () => {
  it("derives monthly demand from the usage model (worked by hand)", () => {
    const [d, ...others] = deriveDemand(smallModel(), "us");
    expect(others.map((o) => o.totalOperations)).to.deep.equal([0]);
    // 1,000 users × 10 operations × 30 days.
    expect(d.totalOperations).to.equal(300_000);
    // 300,000 × (10 reads − 8 cacheable × 0.5 hit ratio) = 1,800,000; 1,200,000 served by Redis.
    expect(d.firestoreReads).to.equal(1_800_000);
    expect(d.cacheReads).to.equal(1_200_000);
    // 300,000 × 1 write + 300,000 sharded counter increments.
    expect(d.firestoreWrites).to.equal(600_000);
    // API: 300,000 × 30 ms = 9,000 CPU-s; / (1 vCPU × 0.6) = 15,000 instance-s; × 0.5 GiB.
    expect([d.api.instanceSeconds, d.api.vcpuSeconds, d.api.gibSeconds]).to.deep.equal([
      15_000, 15_000, 7_500,
    ]);
    // One 500-byte analytics event per operation, published unbatched: the publish request pays
    // the 1,000-byte minimum, the push to us-east1 pays it too, and us-west1's subscription drops
    // the message by its region filter but is still billed its 500 bytes: 2,500 B × 300,000.
    expect([d.pubsubMessages, d.pubsubBilledBytes, d.bigqueryRows]).to.deep.equal([
      300_000, 750_000_000, 300_000,
    ]);
    expect(d.topics["analytics-aggregation"]).to.deep.equal({
      messages: 300_000,
      publishRequests: 300_000,
      publishBilledBytes: 300_000_000,
      deliveryBilledBytes: 300_000_000,
      filteredBilledBytes: 150_000_000,
    });
    // analytics-aggregator (1 vCPU, 4 GiB): 300,000 × 6 ms = 1,800 CPU-s → 3,000 instance-s.
    const agg = d.services["analytics-aggregator"];
    expect([agg.requests, agg.instanceSeconds, agg.gibSeconds]).to.deep.equal([
      300_000, 3_000, 12_000,
    ]);
  });

  it("bills an unbatched publish at the 1,000-byte minimum per request, a batched one at its bytes", () => {
    const model = smallModel();
    const [unbatched] = deriveDemand(model, "us");
    const [batched] = deriveDemand({ ...model, pubsub: { messagesPerPublishRequest: 10 } }, "us");
    // Unbatched: 300,000 requests × max(500 B, 1,000 B).
    expect(unbatched.topics["analytics-aggregation"].publishBilledBytes).to.equal(300_000_000);
    // 10 per request: 30,000 requests × max(10 × 500 B, 1,000 B) = 150,000,000 B.
    expect(batched.topics["analytics-aggregation"].publishRequests).to.equal(30_000);
    expect(batched.topics["analytics-aggregation"].publishBilledBytes).to.equal(150_000_000);
    // Push deliveries are one message per request either way.
    expect(batched.topics["analytics-aggregation"].deliveryBilledBytes).to.equal(300_000_000);
  });

  it("derives logging and egress lines from the model's assumptions (worked by hand)", () => {
    const base = smallModel();
    const model = {
      ...base,
      operations: { ...base.operations, feed: { ...base.operations.feed, mediaReads: 1 } },
      logging: {
        auditEntriesPerOperation: 2,
        bytesPerAuditEntry: 1024,
        requestLogBytes: 512,
        auditRetentionDays: 90,
      },
      egress: { bytesPerMediaRead: 2 ** 20, cdnShare: 0.5, apiResponseBytes: 1024 },
    };
    const estimate = estimatePlan([], { geography: "us", usage: model });
    const line = (component: string) => byKey(estimate.lines).get(`usage:us-east1:${component}`);
    // Audit: (300,000 operations × 2 + 300,000 publish requests) × 1 KiB = 900,000 KiB.
    const auditGib = (900_000 * 1024) / 2 ** 30;
    expect(line("logging:audit-ingestion")?.quantity).to.be.closeTo(auditGib, 1e-9);
    expect(line("logging:audit-ingestion")?.monthlyUsd).to.equal(
      Math.round(auditGib * 0.5 * 100) / 100,
    );
    // Kept 90 days: 60 days beyond the included 30, i.e. 2 months of GiB held in a steady month.
    expect(line("logging:audit-retention")?.quantity).to.be.closeTo(auditGib * 2, 1e-9);
    // Request logs: 300,000 API requests + 300,000 pushes to analytics-aggregator, 512 B each.
    expect(line("logging:request-ingestion")?.quantity).to.be.closeTo(
      (600_000 * 512) / 2 ** 30,
      1e-9,
    );
    // Media: 300,000 reads × 1 MiB; half from the bucket at $0.12/GiB, half from a CDN at $0.08.
    const half = 300_000 / 2 / 1024;
    expect(line("egress:media")).to.include({
      quantity: half,
      monthlyUsd: Math.round(half * 12) / 100,
    });
    expect(line("egress:media")?.attribution).to.deep.equal({ kind: "bucket", name: "media" });
    expect(line("egress:media-cdn")).to.include({
      quantity: half,
      monthlyUsd: Math.round(half * 8) / 100,
    });
    expect(line("egress:media-cdn-lookups")).to.include({ quantity: 150_000, monthlyUsd: 0.11 });
    // API responses: 300,000 × 1 KiB.
    expect(line("egress:api")?.quantity).to.be.closeTo((300_000 * 1024) / 2 ** 30, 1e-9);
  });

  it("derives Secret Manager accesses per instance start and a KMS decrypt per access, attributed (worked by hand)", () => {
    const small = smallModel();
    const model = {
      ...small,
      events: {
        ...small.events,
        "notification-batch": { bytes: 500, perOperation: { feed: 1 } },
      },
      services: {
        ...small.services,
        "notification-worker": { cpuMsPerRequest: 6, requestsPerOperation: {} },
      },
      secrets: { servingMinutesPerInstanceStart: 5, kmsDecryptsPerAccess: 1 },
    };
    const estimate = estimatePlan([], { geography: "us", usage: model });
    const line = (component: string) => byKey(estimate.lines).get(`usage:us-east1:${component}`);
    // notification-worker (uses Redis): 300,000 pushes × 6 ms = 1,800 CPU-s ÷ (1 vCPU × 0.6) =
    // 3,000 instance-s; one start per 5 serving minutes (300 s) = 10 starts × 2 secrets = 20.
    expect(line("notification-worker:secret-accesses")).to.include({
      quantity: 20,
      sku: "secretmanager.access",
      monthlyUsd: 0, // 20 × $0.03 / 10,000 = $0.00006
    });
    expect(line("notification-worker:secret-accesses")?.attribution).to.deep.equal({
      kind: "service",
      name: "notification-worker",
    });
    // analytics-aggregator runs as long but reads no secret: it does not use Redis.
    expect(line("analytics-aggregator:secret-accesses")).to.equal(undefined);
    // The API handlers are no deployed service: no secret line of their own.
    expect(line("api:secret-accesses")).to.equal(undefined);
    // Every access decrypts the CMEK-protected version once, on the region's `secrets` key.
    expect(line("kms:secret-decrypts")).to.include({ quantity: 20, sku: "kms.operations" });
    expect(line("kms:secret-decrypts")?.attribution).to.deep.equal({
      kind: "resource",
      name: "secrets",
    });
    // Scaled to 1,000,000 users: 200,000 accesses × $0.03 / 10,000 = $0.60, and $0.60 of KMS.
    const large = byKey(
      estimatePlan([], { geography: "us", usage: scaleUsers(model, 10_000) }).lines,
    );
    expect(large.get("usage:us-east1:notification-worker:secret-accesses")?.monthlyUsd).to.equal(
      0.6,
    );
    expect(large.get("usage:us-east1:kms:secret-decrypts")?.monthlyUsd).to.equal(0.6);
    // Without the section, no secret or KMS usage line.
    const none = estimatePlan([], { geography: "us", usage: smallModel() }).lines;
    expect(
      none.filter((l) => l.sku === "secretmanager.access" || l.sku === "kms.operations"),
    ).to.deep.equal([]);
  });

  it("adds PITR and backup data as usage when the model keeps them: priced in nam5, borrowed from us-central1 in eur3", () => {
    const base = smallModel();
    const firestore = { storedGibPerUser: 0.001, pitr: true, backupsRetained: 7 };
    const lines = byKey(estimatePlan([], { geography: "us", usage: { ...base, firestore } }).lines);
    // 1 GiB stored: PITR 1 GiB × 730 h; 7 backups 7 × 730 GiB-hours; nam5 quotes both per
    // GiB-month: $0.18 × 1 GiB-month, $0.03 × 7 GiB-months.
    expect(lines.get("usage:nam5:firestore:pitr")).to.include({
      quantity: 730,
      status: "priced",
      monthlyUsd: 0.18,
      note: "quoted per GiB-month, taken as 730 GiB-hours",
    });
    expect(lines.get("usage:nam5:firestore:backup")).to.include({
      quantity: 5110,
      monthlyUsd: 0.21,
    });
    // eur3 has no quote for either: unknown, with the us-central1 figure beside.
    const inEu = {
      ...structuredClone(SMALL_MODEL_DOCUMENT),
      geographies: { us: 0, eu: 1, asia: 0 },
    };
    const eu = byKey(
      estimatePlan([], {
        geography: "eu",
        usage: { ...validateUsageModel(inEu, "small-eu"), firestore },
      }).lines,
    );
    expect(eu.get("usage:eur3:firestore:pitr")).to.include({
      quantity: 730,
      status: "unknown-price",
    });
    expect(eu.get("usage:eur3:firestore:pitr")?.reference).to.deep.equal({
      monthlyUsd: 0.15, // 730 × $0.0002
      location: "us-central1",
    });
    expect(eu.get("usage:eur3:firestore:backup")?.reference?.monthlyUsd).to.equal(0.2); // 5,110 × $0.00004
  });

  it("prices the same Cloud Run usage in europe-west3 (Tier 2) at 1.4× europe-west1 (Tier 1)", () => {
    const model = {
      ...scaleUsers(smallModel(), 1000),
      geographies: { us: 0, eu: 1, asia: 0 },
      homeRegionShare: 0.5,
    };
    const estimate = estimateUsage(model, { geography: "eu" });
    const usd = (region: string) =>
      estimate.lines
        .filter(
          (l) =>
            l.key.startsWith(`usage:${region}:analytics-aggregator:`) &&
            !l.key.endsWith(":requests"),
        )
        .reduce((t, l) => t + (l.monthlyUsd as number), 0);
    expect(usd("europe-west3") / usd("europe-west1")).to.be.closeTo(1.4, 0.001);
  });

  it("counts transaction reads and retries for single-document counters and drops the cache when naive", () => {
    const [d] = deriveDemand(naiveVariant(smallModel()), "us");
    // 300,000 × 10 uncached reads + 300,000 increments × (1 + 3 retries).
    expect(d.firestoreReads).to.equal(4_200_000);
    expect(d.firestoreWrites).to.equal(600_000);
  });

  it("prices the usage-driven lines of a stack (worked by hand)", () => {
    const estimate = estimatePlan([], { geography: "us", usage: smallModel() });
    const usd = (key: string) => byKey(estimate.lines).get(key)?.monthlyUsd;
    expect(usd("usage:nam5:firestore:reads")).to.equal(1.08); // 1,800,000 × $0.06 / 100,000
    expect(usd("usage:nam5:firestore:writes")).to.equal(1.08); // 600,000 × $0.18 / 100,000
    expect(usd("usage:nam5:firestore:storage")).to.equal(0.18); // 1 GiB × $0.18
    expect(usd("usage:us-east1:api:cpu")).to.equal(0.36); // 15,000 vCPU-s × $0.000024
    expect(usd("usage:us-east1:api:requests")).to.equal(0.12); // 300,000 × $0.40 / 1M
    expect(usd("usage:us-east1:storage:standard")).to.equal(10); // 500 GiB × $0.020
    expect(usd("usage:us-east1:monitoring:metrics")).to.equal(0.26); // 1 MiB × $0.258
    expect(usd("usage:us-east1:analytics-aggregator:memory")).to.equal(0.03); // 12,000 GiB-s × $0.0000025
    expect(usd("usage:us-east1:pubsub:analytics-aggregation:throughput")).to.equal(0.03); // 750e6 B / 2^40 × $40
    expect(estimate.totals.fixedUsd).to.equal(0);
  });

  it("is deterministic: the same plan and model give the same lines and text", () => {
    const a = estimatePlan(plan(), { geography: "us", usage: smallModel() });
    const b = estimatePlan(plan(), { geography: "us", usage: smallModel() });
    expect(a).to.deep.equal(b);
    expect(formatCostTable(a)).to.equal(formatCostTable(b));
    expect(a.lines.map((l) => l.key)).to.deep.equal([...a.lines.map((l) => l.key)].sort());
  });

  it("doubling daily users doubles every usage-driven line and leaves fixed lines unchanged", () => {
    const model = smallModel();
    const base = estimatePlan(plan(), { geography: "us", usage: model });
    const doubled = estimatePlan(plan(), { geography: "us", usage: scaleUsers(model, 2) });
    const head = byKey(doubled.lines);
    expect(doubled.lines.map((l) => l.key)).to.deep.equal(base.lines.map((l) => l.key));
    const usage = base.lines.filter((l) => l.basis === "usage" && (l.quantity ?? 0) > 0);
    expect(usage.length).to.equal(15);
    for (const l of usage) {
      const h = head.get(l.key) as CostLine;
      expect(h.quantity, l.key).to.be.closeTo(
        2 * (l.quantity as number),
        1e-6 * (l.quantity as number),
      );
      if (l.monthlyUsd !== null)
        expect(h.monthlyUsd, l.key).to.be.closeTo(2 * l.monthlyUsd, 0.0100001);
    }
    for (const l of base.lines.filter((x) => x.basis === "fixed"))
      expect(head.get(l.key)).to.deep.equal(l);
  });

  it("raising one Memorystore instance's size changes exactly that line", () => {
    const base = estimatePlan(plan(2), { geography: "us" });
    const head = estimatePlan(plan(4), { geography: "us" });
    const diff = diffEstimates(base, head);
    expect(diff.changes.map((c) => [c.key, c.deltaUsd])).to.deep.equal([
      ["fixed:gcp:redis/instance:Instance:cache-a:capacity", 71.54], // 2 GB × 730 h × $0.049 more
    ]);
    expect([diff.baseTotalUsd, diff.headTotalUsd, diff.deltaUsd]).to.deep.equal([
      base.totals.totalUsd,
      base.totals.totalUsd + 71.54,
      71.54,
    ]);
  });

  it("renders the monthly delta per stack and the top changed lines as markdown", () => {
    const base = { ...estimatePlan(plan(2), { geography: "us" }), label: "us-east" };
    const head = { ...estimatePlan(plan(4), { geography: "us" }), label: "us-east" };
    const markdown = formatCostDiffMarkdown(diffEstimates(base, head));
    expect(markdown).to.contain(
      `| us-east | $${base.totals.totalUsd} | $${head.totals.totalUsd} | +$71.54 |`,
    );
    expect(markdown).to.contain(
      "| cache-a: 4 GB BASIC (M1) × 730 h | $71.54 (1,460 GB-hour) | $143.08 (2,920 GB-hour) | +$71.54 |",
    );
  });

  it("shows a change of an unknown-priced line with its quantities, an unknown delta and the delta at the quoted location's list price", () => {
    // europe-west4 is allowed in the eu geography, but no source quotes Memorystore there.
    const standard = (gb: number): PlannedResource => ({
      type: "gcp:redis/instance:Instance",
      name: "cache",
      inputs: { memorySizeGb: gb, tier: "STANDARD_HA", region: "europe-west4" },
    });
    const diff = diffEstimates(
      estimatePlan([standard(5)], { geography: "eu", label: "eu-west" }),
      estimatePlan([standard(10)], { geography: "eu", label: "eu-west" }),
    );
    expect(diff.deltaUsd).to.equal(0);
    // 3,650 GB-h more × $0.054 (Standard M2, us-central1) = $197.10, outside the totals.
    expect(diff.changes[0]?.reference).to.deep.equal({ deltaUsd: 197.1, location: "us-central1" });
    expect(formatCostDiffMarkdown(diff)).to.contain(
      "| eu-west | $0.00 | $0.00 | $0.00 (+1 line with unknown price changed; +$197.10 of it at list prices quoted for us-central1, not in the totals) |",
    );
    expect(formatCostDiffMarkdown(diff)).to.contain(
      "| cache: 10 GB STANDARD_HA (M2) × 730 h | unknown (3,650 GB-hour) | unknown (7,300 GB-hour) | unknown (+$197.10 at the us-central1 list price) |",
    );
  });

  it("prices a Memorystore resize in a stack region at that region's figure, inside the totals", () => {
    const standard = (gb: number): PlannedResource => ({
      type: "gcp:redis/instance:Instance",
      name: "cache",
      inputs: { memorySizeGb: gb, tier: "STANDARD_HA", region: "europe-west3" },
    });
    const diff = diffEstimates(
      estimatePlan([standard(5)], { geography: "eu", label: "eu-west" }),
      estimatePlan([standard(10)], { geography: "eu", label: "eu-west" }),
    );
    // 3,650 GB-h × $0.064 (Standard M2, europe-west3) = $233.60 → 7,300 GB-h = $467.20.
    expect([diff.baseTotalUsd, diff.headTotalUsd, diff.deltaUsd]).to.deep.equal([
      233.6, 467.2, 233.6,
    ]);
    expect(diff.changes[0]?.reference).to.equal(undefined);
    expect(formatCostDiffMarkdown(diff)).to.contain("| eu-west | $233.60 | $467.20 | +$233.60 |");
  });

  it("prices a usage model alone, keeping a borrowed price beside the total, never inside it", () => {
    const inAsia = {
      ...structuredClone(SMALL_MODEL_DOCUMENT),
      geographies: { us: 0, eu: 0, asia: 1 },
    };
    const estimate = estimateUsage(validateUsageModel(inAsia, "small-asia"), { geography: "asia" });
    const byLine = byKey(estimate.lines);
    // Each region's Redis (BASIC 1 GB) at its own figure: 730 h × $0.064 (asia-east1), × $0.063 (asia-south1).
    expect(byLine.get("usage:asia-east1:redis:capacity")?.monthlyUsd).to.equal(46.72);
    expect(byLine.get("usage:asia-south1:redis:capacity")?.monthlyUsd).to.equal(45.99);
    // Firestore in asia-east1 has no quote: unknown, with the nam5 figure ($0.06 per 100,000) beside.
    const reads = byLine.get("usage:asia-east1:firestore:reads");
    expect(reads?.monthlyUsd).to.equal(null);
    expect(reads?.status).to.equal("unknown-price");
    expect(reads?.reference?.location).to.equal("nam5");
    // 300,000 operations × (10 − 8 × 0.5) reads = 1,800,000 × $0.06 / 100,000 = $1.08.
    expect(reads?.reference).to.deep.equal({ monthlyUsd: 1.08, location: "nam5" });
    const priced = estimate.lines.reduce((t, l) => t + (l.monthlyUsd ?? 0), 0);
    expect(estimate.totals.totalUsd).to.be.closeTo(priced, 0.005);
    const borrowed = estimate.lines.reduce((t, l) => t + (l.reference?.monthlyUsd ?? 0), 0);
    expect(estimate.totals.borrowed.usd).to.be.closeTo(borrowed, 0.005);
    expect(estimate.totals.borrowed.usd).to.be.greaterThan(0);
    expect(formatCostSummary(estimate)).to.contain(
      `borrowed, not in the total: ${estimate.totals.borrowed.lines} unknown-priced lines would add`,
    );
  });

  it("prices a plan file by its geography and rejects an unknown one", () => {
    const estimate = estimateStack({ stack: "us-east", geography: "us", resources: plan() });
    expect(estimate.label).to.equal("us-east");
    expect(estimate.totals).to.deep.equal(estimatePlan(plan(), { geography: "us" }).totals);
    expect(() => estimateStack({ stack: "x", geography: "mars", resources: [] })).to.throw(
      'plan of x: geography "mars" is not one of us, eu, asia',
    );
  });
});
