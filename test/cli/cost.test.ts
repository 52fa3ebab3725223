import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { runCostCommand } from "../../cli/cost";
import { costDocs } from "../../cli/cost-docs";
import { COST_REPORT_SCHEMA, costReportSchema } from "../../runtime/cost/report";
import { SMALL_MODEL_DOCUMENT } from "../runtime/cost/small-model";
import { resource as planResource } from "./plan-builder";

const REPO = join(__dirname, "..", "..");

async function cost(
  argv: string[],
  cwd = REPO,
): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCostCommand(argv, { out: (t) => (out += t), err: (t) => (err += t) }, cwd);
  return { code, out, err };
}

describe("avalo cost", () => {
  let dir: string;
  let plans: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "avalo-cost-"));
    plans = join(dir, "plan");
    mkdirSync(plans);
    const resources = [
      {
        urn: "urn:pulumi:us-east::avalo::gcp:redis/instance:Instance::cache-a",
        type: "gcp:redis/instance:Instance",
        name: "cache-a",
        custom: true,
        parent: "",
        dependencies: [],
        propertyDependencies: {},
        inputs: { memorySizeGb: 2, tier: "BASIC", region: "us-central1" },
      },
    ];
    writeFileSync(
      join(plans, "us-east.json"),
      JSON.stringify({
        version: 1,
        project: "avalo",
        stack: "us-east",
        geography: "us",
        resources,
      }),
    );
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("prints a cost summary per stack from the plan files", async () => {
    const { code, out } = await cost(["--plan-dir", plans]);
    expect(code).to.equal(0);
    expect(out).to.contain("Cost estimate: us-east");
    expect(out).to.match(/redis +\$71\.54 +\$0\.00 +\$71\.54/);
  });

  it("prints every line with --lines", async () => {
    const { out } = await cost(["--plan-dir", plans, "--lines"]);
    expect(out).to.contain("cache-a: 2 GB BASIC (M1) × 730 h");
    expect(out).to.contain("fixed $71.54 + usage-driven $0.00 = $71.54/month");
  });

  it("prints the 20M projection beside the report, the naive variant and growth", async function () {
    this.timeout(30_000);
    const { code, out } = await cost([
      "--usage",
      "usage/20m.yaml",
      "--plan-dir",
      join(dir, "none"),
    ]);
    expect(code).to.equal(0);
    expect(out).to.contain("Monthly projection: 20M DAU (20,000,000 daily active users)");
    expect(out).to.match(/total +\$60,000\.00 /);
    expect(out).to.match(/^10K DAU +10,000 /m);
    expect(out).to.match(/^1M DAU +1,000,000 /m);
    expect(out).to.match(/^20M DAU +20,000,000 /m);
    expect(out).to.contain("What each choice saves at 20M DAU");
  });

  it("fails with exit 1 naming the key of a bad usage file", async () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(
      bad,
      stringify({
        ...SMALL_MODEL_DOCUMENT,
        operationMix: { ...SMALL_MODEL_DOCUMENT.operationMix, fed: 0 },
      }),
    );
    const { code, err } = await cost(["--usage", bad, "--plan-dir", plans]);
    expect(code).to.equal(1);
    expect(err).to.contain(
      `${bad}: operationMix.fed: unknown key; allowed: feed, profile, likes, chat, ai, payments`,
    );
  });

  it("fails with exit 1 when there is nothing to price", async () => {
    const { code, err } = await cost(["--plan-dir", join(dir, "none")]);
    expect(code).to.equal(1);
    expect(err).to.contain(
      `no plan files in ${join(dir, "none")}; run \`npm run preview\` first, or pass --usage FILE`,
    );
  });

  it("fails with exit 1 on an unknown stack", async () => {
    const { code, err } = await cost(["--plan-dir", plans, "--stack", "mars"]);
    expect(code).to.equal(1);
    expect(err).to.contain('--stack: "mars" is not a stack; allowed: us-east, eu-west, asia-east');
  });

  it("prints the price table with the source and date of every figure", async () => {
    const { code, out } = await cost(["--prices"]);
    expect(code).to.equal(0);
    expect(out).to.match(
      /^firestore\.reads +nam5 +\$0\.06 per 100,000 document reads +https:\/\/cloud\.google\.com\/firestore\/pricing \(2026-11-25\)$/m,
    );
    expect(out).to.match(/^memorystore\.standard\.m1 +any +unknown /m);
    expect(out).to.match(
      /^memorystore\.standard\.m2 +europe-west3 +\$0\.064 per GB-hour +https:\/\/cloud\.google\.com\/memorystore\/docs\/redis\/pricing \(2026-12-03, page 2026-06-02\)$/m,
    );
  });

  describe("with an eu-west plan", () => {
    beforeEach(() => {
      const resource = (type: string, name: string, inputs: Record<string, unknown>) =>
        planResource(type, name, inputs, { urn: `urn:pulumi:eu-west::avalo::${type}::${name}` });
      const resources = [
        resource("gcp:redis/instance:Instance", "eu-west-cache", {
          memorySizeGb: 5,
          tier: "STANDARD_HA",
          region: "europe-west1",
        }),
        resource("gcp:redis/instance:Instance", "eu-central-cache", {
          memorySizeGb: 5,
          tier: "STANDARD_HA",
          region: "europe-west3",
        }),
        resource("gcp:firestore/database:Database", "(default)", { locationId: "eur3" }),
        resource("gcp:serviceaccount/account:Account", "worker-sa", {}),
      ];
      writeFileSync(
        join(plans, "eu-west.json"),
        JSON.stringify({
          version: 1,
          project: "avalo",
          stack: "eu-west",
          geography: "eu",
          resources,
        }),
      );
    });

    it("prints JSON that validates against the versioned report schema, lines attributed", async function () {
      this.timeout(30_000);
      const usage = join(REPO, "usage", "1m.yaml");
      const { code, out } = await cost([
        "--plan-dir",
        plans,
        "--stack",
        "eu-west",
        "--usage",
        usage,
        "--format",
        "json",
      ]);
      expect(code).to.equal(0);
      const report = costReportSchema.parse(JSON.parse(out));
      expect(report.schema).to.equal(COST_REPORT_SCHEMA);
      expect(report.stacks.map((s) => [s.stack, s.geography, s.usageModel])).to.deep.equal([
        ["eu-west", "eu", "1M DAU"],
      ]);
      const lines = report.stacks[0].estimate.lines;
      const byKey = new Map(lines.map((l) => [l.key, l]));
      // Firestore eur3 is priced at eu (multi-region) prices, each Redis cache at its region's.
      expect(byKey.get("usage:eur3:firestore:writes")).to.include({
        status: "priced",
        location: "eur3",
      });
      const redis = lines.filter((l) => l.category === "redis");
      expect(redis.map((l) => [l.location, l.status, l.monthlyUsd]).sort()).to.deep.equal([
        ["europe-west1", "priced", 222.65],
        ["europe-west3", "priced", 233.6],
      ]);
      expect(byKey.get("usage:eur3:firestore:writes")?.attribution).to.deep.equal({
        kind: "database",
        name: "(default)",
      });
      expect(byKey.get("usage:europe-west3:analytics-aggregator:cpu")?.attribution).to.deep.equal({
        kind: "service",
        name: "analytics-aggregator",
      });
      expect(
        byKey.get("usage:europe-west1:pubsub:analytics-aggregation:throughput")?.attribution,
      ).to.deep.equal({ kind: "topic", name: "analytics-aggregation" });
      expect(byKey.get("usage:europe-west1:egress:media")?.attribution).to.deep.equal({
        kind: "bucket",
        name: "media",
      });
      expect(byKey.get("fixed:gcp:serviceaccount/account:Account:worker-sa:free")).to.include({
        status: "free",
        monthlyUsd: 0,
      });
      // No borrowed figure inside the total: it is the sum of the priced lines only.
      const total = report.stacks[0].estimate.totals;
      const priced = lines.reduce((t, l) => t + (l.monthlyUsd ?? 0), 0);
      expect(total.totalUsd).to.be.closeTo(priced, 0.01);
      expect(total.borrowed.lines).to.be.greaterThan(0);
      expect(report.projection?.model).to.equal("1M DAU");
      expect(report.freeTier).to.equal(false);
    });

    it("prices both Redis caches and the Firestore database at eu prices, with no borrowed figure in the total", async () => {
      const { code, out } = await cost(["--plan-dir", plans, "--stack", "eu-west", "--lines"]);
      expect(code).to.equal(0);
      // 5 GB STANDARD_HA (M2) × 730 h = 3,650 GB-h × $0.061 (europe-west1), × $0.064 (europe-west3).
      expect(out).to.match(
        /eu-west-cache: 5 GB STANDARD_HA \(M2\) × 730 h +3,650 GB-hour +\$0\.061 +\$222\.65/,
      );
      expect(out).to.match(
        /eu-central-cache: 5 GB STANDARD_HA \(M2\) × 730 h +3,650 GB-hour +\$0\.064 +\$233\.60/,
      );
      expect(out).to.not.contain("borrowed, not in the total");
      expect(out).to.contain("fixed $456.25 + usage-driven $0.00 = $456.25/month");

      // With usage, the database's operations and storage are priced at eur3's figures too; what
      // is still borrowed (BigQuery EU queries, Firestore eur3 PITR and backups) is named beside the
      // total, never in it.
      const usage = join(REPO, "usage", "1m.yaml");
      const withUsage = await cost([
        "--plan-dir",
        plans,
        "--stack",
        "eu-west",
        "--lines",
        "--usage",
        usage,
      ]);
      expect(withUsage.out).to.match(
        /Firestore document reads +[\d,]+ document reads +\$0\.0000006 +\$[\d,.]+/,
      );
      // Firestore PITR and backup data are quoted for us-central1 only: unknown in eur3, so
      // their us-central1 figure is shown beside the total, like BigQuery EU's US figure.
      expect(withUsage.out).to.match(
        /Firestore point-in-time recovery data \(taken as the stored data\) +[\d,]+ GiB-hour +unknown/,
      );
      expect(withUsage.out).to.match(
        /borrowed, not in the total: \d+ unknown-priced lines would add \$[\d,.]+ at the list prices quoted for us, us-central1\n/,
      );
      // Cloud Storage operations in both eu regions at the single-region figure: Class A $0.005
      // and Class B $0.0004 per 1,000, inside the total.
      for (const region of ["europe-west1", "europe-west3"]) {
        for (const [what, unit] of [
          ["writes", "0.000005"],
          ["reads", "0.0000004"],
        ]) {
          const line = new RegExp(
            `${region} +Cloud Storage object ${what} +([\\d,]+) operations +\\$${unit.replace(".", "\\.")} +\\$([\\d,.]+)`,
          ).exec(withUsage.out);
          expect(line, `${region} ${what}`).to.not.equal(null);
          const [ops, usd] = [line![1], line![2]].map((v) => Number(v.replace(/,/g, "")));
          expect(usd, `${region} ${what}`).to.be.closeTo(ops * Number(unit), 0.005);
        }
      }
      expect(withUsage.out).to.not.match(/Cloud Storage .* unknown/);
      expect(withUsage.out).to.match(
        /eu +BigQuery active storage \(3 months of rows\) +([\d,.]+) GiB-month +\$0\.02 +\$[\d,.]+/,
      );
      expect(withUsage.out).to.match(/eu +BigQuery on-demand queries +[\d.]+ TiB scanned +unknown/);
    });

    it("deducts free tiers only with --free-tier, once per billing account", async function () {
      this.timeout(30_000);
      const usage = join(REPO, "usage", "10k.yaml");
      const run = async (extra: string[]) =>
        costReportSchema.parse(
          JSON.parse(
            (await cost(["--plan-dir", plans, "--usage", usage, "--format", "json", ...extra])).out,
          ),
        );
      const list = await run([]);
      const free = await run(["--free-tier"]);
      expect(list.stacks.every((s) => s.estimate.totals.freeTierUsd === undefined)).to.equal(true);
      expect(free.freeTier).to.equal(true);
      const deducted = free.stacks.reduce((t, s) => t + (s.estimate.totals.freeTierUsd ?? 0), 0);
      expect(deducted).to.be.greaterThan(0);
      for (let i = 0; i < list.stacks.length; i++) {
        expect(free.stacks[i].estimate.totals.totalUsd).to.be.closeTo(
          list.stacks[i].estimate.totals.totalUsd -
            (free.stacks[i].estimate.totals.freeTierUsd ?? 0),
          0.011,
        );
      }
      // Cloud Run's 2 million free requests are one billing account's: used up by the first stack.
      const requests = (r: typeof list) =>
        r.stacks.flatMap((s) => s.estimate.lines).filter((l) => l.sku === "run.requests");
      const freed = requests(free).filter((l) => l.note?.includes("free tier (billing-account)"));
      const units = freed.reduce(
        (t, l) =>
          t + Number(/: ([\d,]+) requests deducted/.exec(l.note ?? "")?.[1].replace(/,/g, "") ?? 0),
        0,
      );
      expect(units).to.be.at.most(2_000_000);
      expect(units).to.be.greaterThan(0);
    });
  });

  it("has logging and egress lines with their assumptions in the 20M projection", async function () {
    this.timeout(30_000);
    const { out } = await cost(["--usage", "usage/20m.yaml", "--plan-dir", join(dir, "none")]);
    expect(out).to.match(
      /Of which Cloud Logging: audit ingestion \$[\d,.]+, audit retention \$[\d,.]+, request logs \$[\d,.]+;/,
    );
    expect(out).to.match(
      /internet egress: media \$[\d,.]+ \(CDN \$0\.00\), API responses \$[\d,.]+;/,
    );
    expect(out).to.contain(
      "Assumptions (20M DAU): 3 Data Access audit entries per operation + 1 per publish request, 1500 B each, kept 400 days",
    );
    const json = costReportSchema.parse(
      JSON.parse(
        (
          await cost([
            "--usage",
            "usage/20m.yaml",
            "--plan-dir",
            join(dir, "none"),
            "--format",
            "json",
          ])
        ).out,
      ),
    );
    const lines = json.projection!.optimized.lines;
    for (const component of [
      "logging:audit-ingestion",
      "logging:audit-retention",
      "logging:request-ingestion",
      "egress:media",
      "egress:api",
    ]) {
      const of = lines.filter((l) => l.key.endsWith(`:${component}`));
      expect(of, component).to.have.length(6);
      expect(
        of.every((l) => l.status === "priced" && (l.monthlyUsd ?? 0) > 0),
        component,
      ).to.equal(true);
    }
    // Every total holds quoted prices only.
    const priced = lines.reduce((t, l) => t + (l.monthlyUsd ?? 0), 0);
    expect(json.projection!.optimized.totals.totalUsd).to.be.closeTo(priced, 0.05);
  });

  it("keeps docs/cost.md's projection tables and the report's JSON Schema as the command prints them", async function () {
    this.timeout(60_000);
    for (const doc of await costDocs()) {
      expect(doc.actual, `${doc.file} drifted; run npm run cost:docs`).to.equal(doc.expected);
    }
  });

  it("rejects an unknown --format, naming the allowed values", async () => {
    const { code, err } = await cost(["--plan-dir", plans, "--format", "yaml"]);
    expect(code).to.equal(1);
    expect(err).to.contain('--format: "yaml" is not allowed; allowed: text, json');
  });
});
