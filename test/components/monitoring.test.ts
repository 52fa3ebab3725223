import { expect } from "chai";
import { Apis } from "../../components/apis";
import {
  canonicalDashboard,
  type Json,
  type JsonObject,
} from "../../components/dashboard-canonical";
import { dashboard, Monitoring, type MonitoringArgs } from "../../components/monitoring";
import { PIPELINES } from "../../runtime/catalog/pipelines";
import type { PlanResource } from "../../plan/record";
import { named, ofType, platformArgs, runComponent, runFailing } from "./fixtures";

function build(extra: Partial<MonitoringArgs> = {}) {
  const base = platformArgs("us");
  const apis = new Apis("apis", { project: base.project });
  return new Monitoring("mon", { ...base, apis, notificationEmail: "oncall@avalo.app", ...extra });
}

/**
 * What the provider's `dashboardJson` diff does (terraform-provider-google
 * `monitoringDashboardDiffSuppress`): forget every key of the stored state that the config lacks,
 * then require the rest to be equal. Keys the API adds are forgiven; keys it drops are not.
 */
function providerSeesNoDiff(state: Json, config: Json): boolean {
  const forget = (s: Json, c: Json): Json => {
    if (Array.isArray(s) && Array.isArray(c)) {
      return (s as Json[]).map((item, i) => (i < c.length ? forget(item, (c as Json[])[i]) : item));
    }
    if (s === null || c === null || typeof s !== "object" || typeof c !== "object") return s;
    const kept = Object.keys(s).filter((k) => k in c);
    return Object.fromEntries(
      kept.map((k) => [k, forget((s as JsonObject)[k], (c as JsonObject)[k])]),
    );
  };
  return JSON.stringify(sortKeys(forget(state, config))) === JSON.stringify(sortKeys(config));
}

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return (value as Json[]).map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const object = value as JsonObject;
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((k) => [k, sortKeys(object[k])]),
  );
}

/** Paths of object members holding a value the API never returns (proto3 default). */
function defaultValuedMembers(value: Json, path = "$"): string[] {
  if (Array.isArray(value)) {
    return (value as Json[]).flatMap((v, i) => defaultValuedMembers(v, `${path}[${i}]`));
  }
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value as JsonObject).flatMap(([k, v]) => {
    const empty =
      v === null ||
      v === "" ||
      v === 0 ||
      v === false ||
      (typeof v === "string" && /(^|_)UNSPECIFIED$|^(REDUCE|ALIGN)_NONE$/.test(v)) ||
      (typeof v === "object" && v !== null && Object.keys(v).length === 0);
    return [...(empty ? [`${path}.${k}`] : []), ...defaultValuedMembers(v, `${path}.${k}`)];
  });
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
  let resources: readonly PlanResource[];

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

  describe("dashboard JSON in the form the Monitoring API returns", () => {
    let shipped: string;
    let tiles: JsonObject[];

    before(() => {
      shipped = named(resources, "mon-dashboard").inputs.dashboardJson as string;
      tiles = (JSON.parse(shipped) as { mosaicLayout: { tiles: JsonObject[] } }).mosaicLayout.tiles;
    });

    it("writes a chart exactly as the API stores it: targetAxis Y1, no empty groupByFields, sorted keys", () => {
      const firestore = (op: string) => ({
        plotType: "LINE",
        targetAxis: "Y1",
        timeSeriesQuery: {
          timeSeriesFilter: {
            aggregation: {
              alignmentPeriod: "60s",
              crossSeriesReducer: "REDUCE_SUM",
              perSeriesAligner: "ALIGN_RATE",
            },
            filter: `resource.type = "firestore_instance" AND metric.type = "firestore.googleapis.com/document/${op}_ops_count"`,
          },
        },
      });
      const expected = {
        height: 16,
        widget: {
          title: "Firestore reads and writes per second",
          xyChart: {
            chartOptions: { mode: "COLOR" },
            dataSets: [firestore("read"), firestore("write")],
          },
        },
        width: 24,
        xPos: 24,
        yPos: 48,
      };
      expect(JSON.stringify(tiles[7])).to.equal(JSON.stringify(expected));
    });

    it("leaves out the zero positions of the first tile and the zero x of the left column", () => {
      expect(Object.keys(tiles[0])).to.deep.equal(["height", "widget", "width"]);
      expect(Object.keys(tiles[1])).to.deep.equal(["height", "widget", "width", "xPos"]);
      expect(Object.keys(tiles[2])).to.deep.equal(["height", "widget", "width", "yPos"]);
      const pushes = PIPELINES.flatMap((p) =>
        ["us-east", "us-west"].map((r) => `"${p.topic}-${r}"`),
      );
      expect(tiles[0].widget).to.deep.equal({
        title: "Pipeline backlog (undelivered messages)",
        xyChart: {
          chartOptions: { mode: "COLOR" },
          dataSets: [
            {
              plotType: "LINE",
              targetAxis: "Y1",
              timeSeriesQuery: {
                timeSeriesFilter: {
                  aggregation: {
                    alignmentPeriod: "60s",
                    crossSeriesReducer: "REDUCE_SUM",
                    groupByFields: ["resource.labels.subscription_id"],
                    perSeriesAligner: "ALIGN_MAX",
                  },
                  filter:
                    'resource.type = "pubsub_subscription" AND metric.type = "pubsub.googleapis.com/subscription/num_undelivered_messages"' +
                    ` AND resource.labels.subscription_id = one_of(${pushes.join(", ")})`,
                },
              },
            },
          ],
        },
      });
    });

    it("sends no empty array, empty object, zero, false, empty string or enum zero value anywhere", () => {
      expect(defaultValuedMembers(JSON.parse(shipped) as Json)).to.deep.equal([]);
    });

    it("is a fixed point of the API's normalisation, as built and as sent", () => {
      expect(JSON.stringify(canonicalDashboard(JSON.parse(shipped) as JsonObject))).to.equal(
        shipped,
      );
      const built = dashboard("us", ["h"], ["p-us-east"]);
      expect(canonicalDashboard(built)).to.deep.equal(built);
    });

    it("shows no diff against what the API stores, where the previous form did", () => {
      const stored = {
        ...canonicalDashboard(JSON.parse(shipped) as JsonObject),
        etag: "abcdef0123A=",
        name: "projects/123/dashboards/456",
      };
      expect(providerSeesNoDiff(stored, JSON.parse(shipped) as Json)).to.equal(true);
      const previous = JSON.parse(shipped) as { mosaicLayout: { tiles: Record<string, Json>[] } };
      previous.mosaicLayout.tiles[0] = { ...previous.mosaicLayout.tiles[0], xPos: 0, yPos: 0 };
      expect(providerSeesNoDiff(stored, previous as unknown as Json)).to.equal(false);
      const emptyGroupBy = JSON.parse(
        shipped.replace(
          '"crossSeriesReducer":"REDUCE_SUM","perSeriesAligner":"ALIGN_RATE"',
          '"crossSeriesReducer":"REDUCE_SUM","groupByFields":[],"perSeriesAligner":"ALIGN_RATE"',
        ),
      ) as Json;
      expect(JSON.stringify(emptyGroupBy)).to.contain('"groupByFields":[]');
      expect(providerSeesNoDiff(stored, emptyGroupBy)).to.equal(false);
    });
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
