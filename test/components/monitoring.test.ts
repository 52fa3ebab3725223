import { expect } from "chai";
import { Apis } from "../../components/apis";
import { Monitoring, type MonitoringArgs } from "../../components/monitoring";
import { PIPELINES } from "../../runtime/catalog/pipelines";
import type { RecordedResource } from "../../stacks/offline/mocks";
import { named, ofType, platformArgs, runComponent, runFailing } from "./fixtures";

function build(extra: Partial<MonitoringArgs> = {}) {
  const base = platformArgs("us");
  const apis = new Apis("apis", { project: base.project });
  return new Monitoring("mon", { ...base, apis, notificationEmail: "oncall@avalo.app", ...extra });
}

interface Condition {
  conditionThreshold: {
    filter: string;
    denominatorFilter?: string;
    comparison: string;
    thresholdValue: number;
    duration: string;
    aggregations: { perSeriesAligner: string }[];
  };
}

describe("Monitoring component", () => {
  let resources: readonly RecordedResource[];

  before(async () => {
    ({ resources } = await runComponent(() => build()));
  });

  it("sends every alert to the configured email channel", async () => {
    expect(named(resources, "mon-email").inputs).to.deep.include({
      type: "email",
      labels: { email_address: "oncall@avalo.app" },
    });
    const policies = ofType(resources, "gcp:monitoring/alertPolicy:AlertPolicy");
    expect(policies.map((p) => p.name)).to.have.members([
      "mon-dead-letters",
      "mon-oldest-unacked",
      "mon-server-errors",
      "mon-latency",
      "mon-redis-memory",
    ]);
    for (const p of policies) {
      expect(p.inputs.alertStrategy).to.deep.equal({ autoClose: "1800s" });
      expect(p.inputs.notificationChannels).to.deep.equal([
        "projects/avalo-us/notificationChannels/90",
      ]);
    }
  });

  it("alerts on any dead letter held by the hold subscriptions of every pipeline", async () => {
    const [condition] = named(resources, "mon-dead-letters").inputs.conditions as Condition[];
    const holds = PIPELINES.map((p) => `"${p.topic}-dlq-hold"`).join(", ");
    expect(condition.conditionThreshold).to.deep.include({
      filter:
        'resource.type = "pubsub_subscription" AND metric.type = "pubsub.googleapis.com/subscription/num_undelivered_messages"' +
        ` AND resource.labels.subscription_id = one_of(${holds})`,
      comparison: "COMPARISON_GT",
      thresholdValue: 0,
      duration: "0s",
    });
  });

  it("watches the oldest unacked age on each region's push subscriptions", async () => {
    const [condition] = named(resources, "mon-oldest-unacked").inputs.conditions as Condition[];
    expect(condition.conditionThreshold.filter).to.contain(
      '"avalo-user-created-us-east", "avalo-user-created-us-west", "avalo-match-created-us-east"',
    );
    expect(condition.conditionThreshold.thresholdValue).to.equal(900);
  });

  it("computes the Cloud Run 5xx ratio, p95 latency and Redis memory thresholds", async () => {
    const threshold = (name: string) =>
      (named(resources, name).inputs.conditions as Condition[])[0].conditionThreshold;
    const errors = threshold("mon-server-errors");
    expect(errors.filter).to.equal(
      'resource.type = "cloud_run_revision" AND metric.type = "run.googleapis.com/request_count" AND metric.labels.response_code_class = "5xx"',
    );
    expect(errors.denominatorFilter).to.equal(
      'resource.type = "cloud_run_revision" AND metric.type = "run.googleapis.com/request_count"',
    );
    expect(errors.thresholdValue).to.equal(0.05);
    const latency = threshold("mon-latency");
    expect(latency.aggregations[0].perSeriesAligner).to.equal("ALIGN_PERCENTILE_95");
    expect(latency.thresholdValue).to.equal(2000);
    const redis = threshold("mon-redis-memory");
    expect(redis.filter).to.equal(
      'resource.type = "redis_instance" AND metric.type = "redis.googleapis.com/stats/memory/usage_ratio"',
    );
    expect(redis).to.deep.include({ comparison: "COMPARISON_GT", thresholdValue: 0.8 });
  });

  it("builds a dashboard covering pipelines, dead letters, services, Redis and Firestore", async () => {
    const json = JSON.parse(named(resources, "mon-dashboard").inputs.dashboardJson as string) as {
      displayName: string;
      mosaicLayout: { tiles: { widget: { title: string } }[] };
    };
    expect(json.displayName).to.equal("Avalo us");
    expect(json.mosaicLayout.tiles.map((t) => t.widget.title)).to.deep.equal([
      "Pipeline backlog (undelivered messages)",
      "Dead letters held",
      "Oldest unacked message age (s)",
      "Service p95 latency (ms)",
      "Service 5xx per second",
      "Redis memory usage ratio",
      "Redis connected clients",
      "Firestore reads and writes per second",
    ]);
  });

  it("enables Data Access audit logs for Firestore, Pub/Sub, BigQuery and Secret Manager", async () => {
    const audits = ofType(resources, "gcp:projects/iAMAuditConfig:IAMAuditConfig");
    expect(audits.map((a) => a.inputs.service)).to.have.members([
      "firestore.googleapis.com",
      "pubsub.googleapis.com",
      "bigquery.googleapis.com",
      "secretmanager.googleapis.com",
    ]);
    for (const a of audits) {
      expect(a.inputs.auditLogConfigs).to.deep.equal([
        { logType: "ADMIN_READ" },
        { logType: "DATA_READ" },
        { logType: "DATA_WRITE" },
      ]);
    }
  });

  it("rejects a malformed notification email before creating anything", async () => {
    const failed = await runFailing(() => build({ notificationEmail: "oncall" }));
    expect(failed.error.message).to.equal(
      '`notificationEmail` must be an email address such as oncall@example.com, but "oncall" was provided',
    );
    expect(failed.resources.filter((r) => r.type.startsWith("gcp:monitoring"))).to.deep.equal([]);
  });
});
