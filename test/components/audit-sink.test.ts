import { expect } from "chai";
import { Apis } from "../../components/apis";
import { AuditSink, type AuditSinkArgs } from "../../components/audit-sink";
import type { GeographyId } from "../../runtime/topology";
import { named, ofType, platformArgs, runComponent, runFailing } from "./fixtures";

const KEY = (g: string) => `projects/avalo-${g}/locations/multi/keyRings/k/cryptoKeys/bigquery`;

function build(geography: GeographyId, extra: Partial<AuditSinkArgs> = {}) {
  const base = platformArgs(geography);
  const apis = new Apis("apis", { project: base.project });
  return new AuditSink("audit", { ...base, apis, kmsKeyName: KEY(geography), ...extra });
}

describe("AuditSink component", () => {
  it("creates the audit dataset in the geography's BigQuery location with CMEK and 400-day retention", async () => {
    const cases: [GeographyId, string][] = [
      ["us", "US"],
      ["eu", "EU"],
      ["asia", "asia-east1"],
    ];
    for (const [geography, location] of cases) {
      const { resources } = await runComponent(() => build(geography), geography);
      expect(named(resources, "audit").inputs, geography).to.deep.equal({
        project: `avalo-${geography}`,
        datasetId: "audit",
        location,
        description: `Avalo audit trail of the ${geography} geography, kept 400 days`,
        defaultPartitionExpirationMs: 400 * 86_400_000,
        defaultEncryptionConfiguration: { kmsKeyName: KEY(geography) },
        deleteContentsOnDestroy: false,
        labels: { app: "avalo", geography, region: "multi", env: "prod", retention_days: "400" },
      });
    }
  });

  it("routes Cloud Audit Logs to a retention-locked log bucket in the home region", async () => {
    const { resources } = await runComponent(() => build("asia", { retentionDays: 730 }), "asia");
    expect(named(resources, "audit-cloud-audit-logs").inputs).to.deep.equal({
      project: "avalo-asia",
      location: "asia-east1",
      bucketId: "avalo-cloud-audit",
      description: "Cloud Audit Logs of the asia geography, locked for 730 days",
      retentionDays: 730,
      locked: true,
    });
    const sink = named(resources, "audit-cloud-audit-sink");
    expect(sink.type).to.equal("gcp:logging/projectSink:ProjectSink");
    expect(sink.inputs).to.deep.equal({
      project: "avalo-asia",
      name: "avalo-cloud-audit-to-locked-bucket",
      description: "Cloud Audit Logs into the retention-locked log bucket of the geography",
      destination:
        "logging.googleapis.com/projects/avalo-asia/locations/asia-east1/buckets/avalo-cloud-audit",
      filter: 'logName:"cloudaudit.googleapis.com"',
    });
    expect(sink.dependencies).to.include(named(resources, "audit-cloud-audit-logs").urn);
  });

  it("routes audit lines with a unique writer identity that may edit only the audit dataset", async () => {
    const { resources } = await runComponent(() => build("eu", { retentionDays: 730 }), "eu");
    const sink = named(resources, "audit-sink");
    expect(sink.type).to.equal("gcp:logging/projectSink:ProjectSink");
    expect(sink.inputs).to.deep.equal({
      project: "avalo-eu",
      name: "avalo-audit-to-bigquery",
      description: "Audit entries of privileged actions (runtime/security/audit.ts)",
      destination: "bigquery.googleapis.com/projects/avalo-eu/datasets/audit",
      filter: 'logName:"run.googleapis.com%2Fstdout" AND labels.avalo_stream="audit"',
      uniqueWriterIdentity: true,
      bigqueryOptions: { usePartitionedTables: true },
    });
    const grant = named(resources, "audit-writer");
    expect(grant.type).to.equal("gcp:bigquery/datasetIamMember:DatasetIamMember");
    expect(grant.inputs).to.include({
      project: "avalo-eu",
      datasetId: "audit",
      role: "roles/bigquery.dataEditor",
    });
    expect(grant.propertyDependencies.member).to.deep.equal([sink.urn]);
    expect(named(resources, "audit").inputs.defaultPartitionExpirationMs).to.equal(
      730 * 86_400_000,
    );
    expect(ofType(resources, "gcp:bigquery/datasetIamMember:DatasetIamMember")).to.have.length(1);
  });

  it("rejects a retention outside 1–3650 days before creating anything", async () => {
    const failed = await runFailing(() => build("us", { retentionDays: 0 }));
    expect(failed.error.message).to.equal(
      "`retentionDays` must be 1–3650 days, but 0 was provided",
    );
    expect(
      failed.resources.filter((r) => r.custom && r.type.startsWith("gcp:bigquery")),
    ).to.deep.equal([]);
  });
});
