import { expect } from "chai";
import { estimatePlan } from "../../../runtime/cost/estimate";
import { formatCostTable } from "../../../runtime/cost/format";
import { parseCpu, parseMemoryGib } from "../../../runtime/cost/rules";
import type { CostLine, PlannedResource } from "../../../runtime/cost/types";

const REDIS = "gcp:redis/instance:Instance";
const RUN = "gcp:cloudrunv2/service:Service";
const KEY = "gcp:kms/cryptoKey:CryptoKey";

function run(
  name: string,
  min: number,
  cpu: string,
  memory: string,
  cpuIdle?: boolean,
): PlannedResource {
  return {
    type: RUN,
    name,
    inputs: {
      location: "us-east1",
      template: {
        scaling: { minInstanceCount: min },
        containers: [
          { resources: { limits: { cpu, memory }, ...(cpuIdle === undefined ? {} : { cpuIdle }) } },
        ],
      },
    },
  };
}

/** The fixed lines one resource produces, in key order. */
function linesOf(resource: PlannedResource, others: readonly PlannedResource[] = []): CostLine[] {
  return estimatePlan([resource, ...others], { geography: "us" }).lines.filter((l) =>
    l.key.startsWith(`fixed:${resource.type}:${resource.name}:`),
  );
}

interface Case {
  readonly title: string;
  readonly resource: PlannedResource;
  readonly others?: readonly PlannedResource[];
  /** Expected [quantity, monthly USD or "unknown"] per line, with the arithmetic in words. */
  readonly expected: ReadonlyArray<readonly [number | null, number | "unknown"]>;
}

const CASES: readonly Case[] = [
  {
    title: "Memorystore BASIC 2 GB in us-central1: 2 GB × 730 h = 1,460 GB-h × $0.049 = $71.54",
    resource: {
      type: REDIS,
      name: "cache-a",
      inputs: { memorySizeGb: 2, tier: "BASIC", region: "us-central1" },
    },
    expected: [[1460, 71.54]],
  },
  {
    title: "Memorystore BASIC 4 GB (still M1): 4 × 730 = 2,920 GB-h × $0.049 = $143.08",
    resource: {
      type: REDIS,
      name: "cache-b",
      inputs: { memorySizeGb: 4, tier: "BASIC", region: "us-central1" },
    },
    expected: [[2920, 143.08]],
  },
  {
    title: "Memorystore STANDARD_HA 5 GB (M2) in us-east1: 3,650 GB-h × $0.054 = $197.10",
    resource: {
      type: REDIS,
      name: "cache-c",
      inputs: { memorySizeGb: 5, tier: "STANDARD_HA", region: "us-east1" },
    },
    expected: [[3650, 197.1]],
  },
  {
    title: "Memorystore STANDARD_HA 5 GB (M2) in europe-west3: 3,650 GB-h × $0.064 = $233.60",
    resource: {
      type: REDIS,
      name: "cache-e",
      inputs: { memorySizeGb: 5, tier: "STANDARD_HA", region: "europe-west3" },
    },
    expected: [[3650, 233.6]],
  },
  {
    title: "Memorystore STANDARD_HA 40 GB (M4) in asia-south1: 29,200 GB-h × $0.043 = $1,255.60",
    resource: {
      type: REDIS,
      name: "cache-f",
      inputs: { memorySizeGb: 40, tier: "STANDARD_HA", region: "asia-south1" },
    },
    expected: [[29_200, 1255.6]],
  },
  {
    title: "Memorystore BASIC 1 GB in europe-west4: no source quotes that region → unknown",
    resource: {
      type: REDIS,
      name: "cache-d",
      inputs: { memorySizeGb: 1, tier: "BASIC", region: "europe-west4" },
    },
    expected: [[730, "unknown"]],
  },
  {
    title: "Cloud Run min instances 0: an explicit $0 line",
    resource: run("svc-zero", 0, "1", "512Mi"),
    expected: [[0, 0]],
  },
  {
    title:
      "Cloud Run 2 idle min instances, 2 vCPU, 4Gi: 2 × 2,628,000 s × 2 = 10,512,000 vCPU-s × $0.0000025 = $26.28; × 4 GiB = 21,024,000 GiB-s × $0.0000025 = $52.56",
    resource: run("svc-warm", 2, "2", "4Gi", true),
    expected: [
      [10_512_000, 26.28],
      [21_024_000, 52.56],
    ],
  },
  {
    title:
      "Cloud Run that sets resources but omits cpuIdle is billed per instance (pulumi-gcp: cpuIdle defaults to true only when resources is unset): 10,512,000 vCPU-s × $0.000018 = $189.22; 21,024,000 GiB-s × $0.000002 = $42.05",
    resource: run("svc-no-idle", 2, "2", "4Gi"),
    expected: [
      [10_512_000, 189.22],
      [21_024_000, 42.05],
    ],
  },
  {
    title:
      "Cloud Run without resources keeps request-based billing: 2,628,000 s × 1 vCPU × $0.0000025 = $6.57; × 0.5 GiB × $0.0000025 = $3.29",
    resource: {
      type: RUN,
      name: "svc-default",
      inputs: {
        location: "us-east1",
        template: { scaling: { minInstanceCount: 1 }, containers: [{ image: "x" }] },
      },
    },
    expected: [
      [2_628_000, 6.57],
      [1_314_000, 3.29],
    ],
  },
  {
    title:
      "Cloud Run 1 min instance, instance-based billing, 1000m CPU, 1Gi: 2,628,000 vCPU-s × $0.000018 = $47.30; 2,628,000 GiB-s × $0.000002 = $5.26",
    resource: run("svc-always", 1, "1000m", "1Gi", false),
    expected: [
      [2_628_000, 47.3],
      [2_628_000, 5.26],
    ],
  },
  {
    title: "KMS key rotated every 90 days: 1 + ⌊365 / 90⌋ = 5 versions × $0.06 = $0.30",
    resource: {
      type: KEY,
      name: "key-a",
      inputs: { rotationPeriod: "7776000s", keyRing: "projects/p/locations/us-east1/keyRings/r" },
    },
    expected: [[5, 0.3]],
  },
  {
    title: "KMS key without rotation: 1 version × $0.06 = $0.06",
    resource: { type: KEY, name: "key-b", inputs: {} },
    expected: [[1, 0.06]],
  },
  {
    title: "secret version of a secret replicated to 2 locations: 2 × $0.06 = $0.12",
    resource: {
      type: "gcp:secretmanager/secretVersion:SecretVersion",
      name: "auth-v1",
      inputs: { secret: "projects/123/secrets/redis-auth" },
    },
    others: [
      {
        type: "gcp:secretmanager/secret:Secret",
        name: "auth",
        inputs: {
          secretId: "redis-auth",
          replication: {
            userManaged: { replicas: [{ location: "us-east1" }, { location: "us-west1" }] },
          },
        },
      },
    ],
    expected: [[2, 0.12]],
  },
  {
    title: "secret: no charge of its own, explicit $0",
    resource: { type: "gcp:secretmanager/secret:Secret", name: "auth", inputs: { secretId: "x" } },
    expected: [[0, 0]],
  },
  {
    title: "alerting policy with 2 conditions: 2 × $1.50 = $3.00",
    resource: {
      type: "gcp:monitoring/alertPolicy:AlertPolicy",
      name: "dlq",
      inputs: { conditions: [{ displayName: "a" }, { displayName: "b" }] },
    },
    expected: [[2, 3]],
  },
  {
    title: "bucket: usage-driven, explicit $0",
    resource: {
      type: "gcp:storage/bucket:Bucket",
      name: "media",
      inputs: { location: "US-EAST1" },
    },
    expected: [[0, 0]],
  },
  {
    title: "Firestore database with PITR: $0 fixed lines; PITR data is usage (firestore:pitr)",
    resource: {
      type: "gcp:firestore/database:Database",
      name: "db",
      inputs: {
        locationId: "nam5",
        pointInTimeRecoveryEnablement: "POINT_IN_TIME_RECOVERY_ENABLED",
      },
    },
    expected: [
      [0, 0],
      [0, 0],
    ],
  },
];

describe("cost pricing rules", () => {
  for (const c of CASES) {
    it(c.title, () => {
      const lines = linesOf(c.resource, c.others);
      expect(
        lines.map((l) => [l.quantity, l.monthlyUsd === null ? "unknown" : l.monthlyUsd]),
      ).to.deep.equal(c.expected);
    });
  }

  it("lists a type without a rule as one 'not priced' line per type, never skipping it", () => {
    const router = (name: string): PlannedResource => ({
      type: "gcp:compute/router:Router",
      name,
      inputs: {},
    });
    const estimate = estimatePlan([router("r-a"), router("r-b")], { geography: "us" });
    expect(estimate.lines).to.have.length(1);
    expect(estimate.lines[0]).to.include({
      status: "not-priced",
      quantity: 2,
      monthlyUsd: null,
      description: "2 × gcp:compute/router:Router",
    });
    expect(estimate.totals).to.deep.equal({
      fixedUsd: 0,
      usageUsd: 0,
      totalUsd: 0,
      excludedLines: 1,
      borrowed: { usd: 0, lines: 0, locations: [] },
    });
    expect(formatCostTable(estimate))
      .to.contain("not priced")
      .and.contain("gcp:compute/router:Router: not priced: no pricing rule for this resource type");
  });

  it("prices free types as explicit $0 lines marked free, not 'not priced'", () => {
    const types = [
      "gcp:projects/iAMMember:IAMMember",
      "gcp:serviceaccount/account:Account",
      "gcp:compute/network:Network",
      "gcp:compute/subnetwork:Subnetwork",
      "gcp:projects/service:Service",
      "gcp:compute/firewall:Firewall",
      "gcp:projects/iAMCustomRole:IAMCustomRole",
      "gcp:recaptcha/enterpriseKey:EnterpriseKey",
      // No exact rule: free by pattern, so new IAM and App Check resources degrade gracefully.
      "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
      "gcp:firebase/appCheckServiceConfig:AppCheckServiceConfig",
    ];
    const estimate = estimatePlan(
      types.map((type, i) => ({ type, name: `r${i}`, inputs: {} })),
      { geography: "us" },
    );
    expect(estimate.lines.map((l) => [l.subject, l.status, l.monthlyUsd])).to.have.deep.members(
      types.map((t) => [t, "free", 0]),
    );
    expect(estimate.totals.excludedLines).to.equal(0);
    expect(formatCostTable(estimate))
      .to.match(/r2: free \(VPC networks have no charge/)
      .and.match(/r7: free \(no charge of its own; reCAPTCHA bills each assessment/);
  });

  it("prices the new plan types: Artifact Registry storage and log buckets as usage, $0 fixed", () => {
    const estimate = estimatePlan(
      [
        {
          type: "gcp:artifactregistry/repository:Repository",
          name: "images",
          inputs: { location: "us-east1", format: "DOCKER" },
        },
        {
          type: "gcp:logging/projectBucketConfig:ProjectBucketConfig",
          name: "audit",
          inputs: { location: "global", retentionDays: 400, bucketId: "audit" },
        },
      ],
      { geography: "us" },
    );
    expect(estimate.lines.map((l) => [l.key, l.status, l.monthlyUsd, l.description])).to.deep.equal(
      [
        [
          "fixed:gcp:artifactregistry/repository:Repository:images:storage",
          "priced",
          0,
          "images: no fixed charge (stored artifacts are billed per GiB-month, SKU artifactregistry.storage)",
        ],
        [
          "fixed:gcp:logging/projectBucketConfig:ProjectBucketConfig:audit:retention",
          "priced",
          0,
          "audit: no fixed charge; retention 400 days: 370 days billed per GiB-month (SKUs logging.ingestion, logging.retention)",
        ],
      ],
    );
  });

  it("prices a Cloud Run service moved from us-east1 to europe-west3 at 1.4× for the same usage", () => {
    const at = (location: string) => {
      const r = run("svc", 3, "2", "4Gi", true);
      return estimatePlan([{ ...r, inputs: { ...r.inputs, location } }], {
        geography: location.startsWith("us") ? "us" : "eu",
      }).totals.totalUsd;
    };
    expect(at("europe-west3") / at("us-east1")).to.be.closeTo(1.4, 0.005);
  });

  it("skips components and prices only cloud resources", () => {
    const estimate = estimatePlan(
      [{ type: "avalo:platform:Cache", name: "cache", inputs: {}, custom: false }],
      { geography: "us" },
    );
    expect(estimate.lines).to.deep.equal([]);
  });

  it("parses Cloud Run CPU and memory limits", () => {
    expect([parseCpu("2"), parseCpu("1000m"), parseCpu("500m")]).to.deep.equal([2, 1, 0.5]);
    expect([parseMemoryGib("512Mi"), parseMemoryGib("4Gi"), parseMemoryGib("8Gi")]).to.deep.equal([
      0.5, 4, 8,
    ]);
  });
});
