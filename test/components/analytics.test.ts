import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { Analytics, type AnalyticsArgs } from "../../components/analytics";
import { Apis } from "../../components/apis";
import { Kms } from "../../components/kms";
import { TABLES } from "../../runtime/schemas/tables";
import { MOCK_PROJECT_NUMBER } from "../../stacks/offline/mocks";
import type { GeographyId } from "../../runtime/topology";
import { named, ofType, platformArgs, runComponent, runFailing } from "./fixtures";

function build(geography: GeographyId, extra: Partial<AnalyticsArgs> = {}) {
  const base = platformArgs(geography);
  const apis = new Apis("apis", { project: base.project });
  const kms = new Kms("kms", { ...base, apis });
  return new Analytics("analytics", { ...base, apis, kms, ...extra });
}

const valueOf = (o: pulumi.Output<string>) => new Promise<string>((resolve) => o.apply(resolve));

describe("Analytics component", () => {
  type Run = Awaited<ReturnType<typeof deploy>>;
  const runs = {} as Record<GeographyId, Run>;

  function deploy(geography: GeographyId) {
    return runComponent(() => {
      const analytics = build(geography);
      analytics.grantWrite(
        `serviceAccount:agg@avalo-${geography}.iam.gserviceaccount.com`,
        "aggregator",
      );
      return { analytics, table: analytics.subscriptionTable("analytics_events_raw") };
    }, geography);
  }

  before(async () => {
    for (const g of ["us", "eu", "asia"] as const) runs[g] = await deploy(g);
  });

  it("puts the dataset in the geography's BigQuery location with CMEK from that location", async () => {
    const cases: [GeographyId, string, string][] = [
      ["us", "US", "projects/avalo-us/locations/us/keyRings/avalo-us-multi/cryptoKeys/bigquery"],
      [
        "eu",
        "EU",
        "projects/avalo-eu/locations/europe/keyRings/avalo-eu-multi/cryptoKeys/bigquery",
      ],
      [
        "asia",
        "asia-east1",
        "projects/avalo-asia/locations/asia-east1/keyRings/avalo-asia-multi/cryptoKeys/bigquery",
      ],
    ];
    for (const [geography, location, key] of cases) {
      const { resources } = runs[geography];
      expect(named(resources, "analytics").inputs, geography).to.deep.include({
        datasetId: `avalo_${geography}`,
        location,
        defaultEncryptionConfiguration: { kmsKeyName: key },
        defaultPartitionExpirationMs: 400 * 86_400_000,
        deleteContentsOnDestroy: false,
      });
      for (const t of ofType(resources, "gcp:bigquery/table:Table")) {
        expect(t.inputs.encryptionConfiguration).to.deep.equal({ kmsKeyName: key });
      }
    }
  });

  it("creates every shared table partitioned by day, clustered and protected", async () => {
    const { resources } = runs.us;
    const tables = ofType(resources, "gcp:bigquery/table:Table");
    expect(tables.map((t) => t.inputs.tableId)).to.deep.equal(TABLES.map((t) => t.tableId));
    const events = named(resources, "analytics-analytics_events");
    expect(events.inputs).to.deep.include({
      datasetId: "avalo_us",
      timePartitioning: { type: "DAY", field: "occurred_at" },
      clusterings: ["event_name", "region"],
      deletionProtection: true,
    });
    const schema = JSON.parse(events.inputs.schema as string) as { name: string; type: string }[];
    expect(schema.map((c) => `${c.name}:${c.type}`)).to.deep.equal([
      "event_id:STRING",
      "event_name:STRING",
      "user_id:STRING",
      "region:STRING",
      "occurred_at:TIMESTAMP",
      "value:FLOAT64",
    ]);
  });

  it("lets the Pub/Sub agent edit data and hands out the subscription table after that grant", async () => {
    const { resources, result } = runs.eu;
    const grant = named(resources, "analytics-pubsub-agent-editor");
    expect(grant.inputs).to.deep.equal({
      project: "avalo-eu",
      datasetId: "avalo_eu",
      role: "roles/bigquery.dataEditor",
      member: `serviceAccount:service-${MOCK_PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com`,
    });
    expect(await valueOf(result.table)).to.equal("avalo-eu.avalo_eu.analytics_events_raw");
  });

  it("grants write as dataEditor on the dataset and rejects an unknown subscription table", async () => {
    const { resources, result } = runs.us;
    expect(named(resources, "analytics-write-aggregator").inputs).to.deep.include({
      datasetId: "avalo_us",
      role: "roles/bigquery.dataEditor",
      member: "serviceAccount:agg@avalo-us.iam.gserviceaccount.com",
    });
    expect(() => result.analytics.subscriptionTable("nope")).to.throw(
      '`tableId` must be one of analytics_events_raw, analytics_events, hourly_aggregates, but "nope" was provided',
    );
  });

  it("rejects a table partitioned on a non-time column before creating anything", async () => {
    const bad = { ...TABLES[1], partitionColumn: "region" };
    const { error, resources } = await runFailing(() => build("us", { tables: [bad] }));
    expect(error.message).to.equal(
      '`tables.analytics_events.partitionColumn` must be one of occurred_at, but "region" was provided',
    );
    expect(resources.filter((r) => r.type.startsWith("gcp:bigquery"))).to.deep.equal([]);
  });
});
