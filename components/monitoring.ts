import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { PIPELINES, type PipelineSpec } from "../runtime/catalog/pipelines";
import type { Apis } from "./apis";
import type { PlatformArgs } from "./context";
import { canonicalDashboard, type JsonObject } from "./dashboard-canonical";
import { ALERTS, DATA_ACCESS_AUDITED_SERVICES } from "./defaults";
import { platformLabels } from "./labels";
import { holdSubscriptionId, pushSubscriptionId } from "./pipeline";
import { checkPattern, checkPlatformArgs } from "./validation";

/** Arguments of {@link Monitoring}. */
export interface MonitoringArgs extends PlatformArgs {
  /** Enabled APIs; every child depends on them. */
  readonly apis: Apis;
  /** Address that receives every alert (from stack config). */
  readonly notificationEmail: string;
  /**
   * Pipelines whose subscriptions are watched.
   * @default PIPELINES from runtime/catalog/pipelines.ts
   */
  readonly pipelines?: readonly PipelineSpec[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SUBSCRIPTION = 'resource.type = "pubsub_subscription"';
const CLOUD_RUN = 'resource.type = "cloud_run_revision"';
const REDIS = 'resource.type = "redis_instance"';
const FIRESTORE = 'resource.type = "firestore_instance"';

const oneOf = (values: readonly string[]) => `one_of(${values.map((v) => `"${v}"`).join(", ")})`;
const metric = (type: string) => `metric.type = "${type}"`;
const and = (...clauses: string[]) => clauses.join(" AND ");
const seconds = (value: number) => `${value}s`;

/** One threshold condition: a filter, how to align and reduce it, and the bound. */
interface Threshold {
  readonly filter: string;
  readonly aligner: string;
  readonly reducer: string;
  readonly groupBy: readonly string[];
  readonly value: number;
  readonly durationSeconds: number;
  readonly denominatorFilter?: string;
}

/**
 * Alerting, dashboards and audit logs of one geography: alert policies for dead letters, old
 * unacked messages, Cloud Run 5xx ratio and p95 latency, and Redis memory, all sent to one email
 * channel; a dashboard of pipelines, services, Redis and Firestore; and Data Access audit logs
 * for Firestore, Pub/Sub, BigQuery and Secret Manager.
 */
export class Monitoring extends pulumi.ComponentResource {
  readonly channel: gcp.monitoring.NotificationChannel;
  /** Alert policies by purpose. */
  readonly alerts: Readonly<Record<string, gcp.monitoring.AlertPolicy>>;
  readonly dashboard: gcp.monitoring.Dashboard;

  constructor(name: string, args: MonitoringArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("avalo:monitoring:Monitoring", name, {}, opts);
    checkPlatformArgs(this, args);
    checkPattern(
      this,
      "notificationEmail",
      args.notificationEmail,
      EMAIL,
      "an email address such as oncall@example.com",
    );
    const childOpts = { parent: this, dependsOn: args.apis.services };
    const pipelines = args.pipelines ?? PIPELINES;
    const labels = platformLabels(args);
    const geo = args.geography.id;
    const holds = pipelines.map((p) => holdSubscriptionId(p));
    const pushes = pipelines.flatMap((p) => args.regions.map((r) => pushSubscriptionId(p, r.id)));

    this.channel = new gcp.monitoring.NotificationChannel(
      `${name}-email`,
      {
        project: args.project,
        displayName: `Avalo ${geo} on-call`,
        type: "email",
        labels: { email_address: args.notificationEmail },
        userLabels: labels,
      },
      childOpts,
    );

    const thresholds: Record<string, [string, string, Threshold]> = {
      "dead-letters": [
        "Dead-letter backlog above 0",
        "A pipeline forwarded messages to its dead-letter topic. Inspect the `-dlq-hold` subscription, fix the cause, then replay.",
        {
          filter: and(
            SUBSCRIPTION,
            metric("pubsub.googleapis.com/subscription/num_undelivered_messages"),
            `resource.labels.subscription_id = ${oneOf(holds)}`,
          ),
          aligner: "ALIGN_MAX",
          reducer: "REDUCE_MAX",
          groupBy: ["resource.labels.subscription_id"],
          value: 0,
          durationSeconds: 0,
        },
      ],
      "oldest-unacked": [
        `Oldest unacked message older than ${ALERTS.oldestUnackedAgeSeconds} s`,
        "A consumer is not keeping up or keeps failing. Check the consumer's errors and max instances.",
        {
          filter: and(
            SUBSCRIPTION,
            metric("pubsub.googleapis.com/subscription/oldest_unacked_message_age"),
            `resource.labels.subscription_id = ${oneOf(pushes)}`,
          ),
          aligner: "ALIGN_MAX",
          reducer: "REDUCE_MAX",
          groupBy: ["resource.labels.subscription_id"],
          value: ALERTS.oldestUnackedAgeSeconds,
          durationSeconds: ALERTS.durationSeconds,
        },
      ],
      "server-errors": [
        `Cloud Run 5xx ratio above ${ALERTS.serverErrorRatio * 100}%`,
        "A service answers too many requests with 5xx. Check its logs and latest revision.",
        {
          filter: and(
            CLOUD_RUN,
            metric("run.googleapis.com/request_count"),
            'metric.labels.response_code_class = "5xx"',
          ),
          denominatorFilter: and(CLOUD_RUN, metric("run.googleapis.com/request_count")),
          aligner: "ALIGN_RATE",
          reducer: "REDUCE_SUM",
          groupBy: ["resource.labels.service_name", "resource.labels.location"],
          value: ALERTS.serverErrorRatio,
          durationSeconds: ALERTS.durationSeconds,
        },
      ],
      latency: [
        `Cloud Run p95 latency above ${ALERTS.latencyP95Millis} ms`,
        "A service is slow at the 95th percentile. Check its dependencies (Redis, Firestore) and instance limits.",
        {
          filter: and(CLOUD_RUN, metric("run.googleapis.com/request_latencies")),
          aligner: "ALIGN_PERCENTILE_95",
          reducer: "REDUCE_MAX",
          groupBy: ["resource.labels.service_name", "resource.labels.location"],
          value: ALERTS.latencyP95Millis,
          durationSeconds: ALERTS.durationSeconds,
        },
      ],
      "redis-memory": [
        `Redis memory usage above ${ALERTS.redisMemoryRatio * 100}%`,
        "A Memorystore instance is close to its memory limit. Raise `avalo:redisMemorySizeGb` or review TTLs.",
        {
          filter: and(REDIS, metric("redis.googleapis.com/stats/memory/usage_ratio")),
          aligner: "ALIGN_MEAN",
          reducer: "REDUCE_MAX",
          groupBy: ["resource.labels.instance_id", "resource.labels.region"],
          value: ALERTS.redisMemoryRatio,
          durationSeconds: ALERTS.durationSeconds,
        },
      ],
    };
    const alerts: Record<string, gcp.monitoring.AlertPolicy> = {};
    for (const [key, [title, runbook, t]] of Object.entries(thresholds)) {
      const aggregation = {
        alignmentPeriod: seconds(ALERTS.alignmentPeriodSeconds),
        perSeriesAligner: t.aligner,
        crossSeriesReducer: t.reducer,
        groupByFields: [...t.groupBy],
      };
      alerts[key] = new gcp.monitoring.AlertPolicy(
        `${name}-${key}`,
        {
          project: args.project,
          displayName: `Avalo ${geo}: ${title}`,
          combiner: "OR",
          severity: key === "dead-letters" || key === "server-errors" ? "CRITICAL" : "WARNING",
          conditions: [
            {
              displayName: title,
              conditionThreshold: {
                filter: t.filter,
                aggregations: [aggregation],
                ...(t.denominatorFilter
                  ? {
                      denominatorFilter: t.denominatorFilter,
                      denominatorAggregations: [aggregation],
                    }
                  : {}),
                comparison: "COMPARISON_GT",
                thresholdValue: t.value,
                duration: seconds(t.durationSeconds),
                trigger: { count: 1 },
              },
            },
          ],
          notificationChannels: [this.channel.name],
          alertStrategy: { autoClose: seconds(ALERTS.autoCloseSeconds) },
          documentation: { content: runbook, mimeType: "text/markdown" },
          userLabels: labels,
        },
        childOpts,
      );
    }
    this.alerts = alerts;

    this.dashboard = new gcp.monitoring.Dashboard(
      `${name}-dashboard`,
      { project: args.project, dashboardJson: dashboardJson(geo, holds, pushes) },
      childOpts,
    );

    for (const service of DATA_ACCESS_AUDITED_SERVICES) {
      new gcp.projects.IAMAuditConfig(
        `${name}-audit-${service.split(".")[0]}`,
        {
          project: args.project,
          service,
          auditLogConfigs: [
            { logType: "ADMIN_READ" },
            { logType: "DATA_READ" },
            { logType: "DATA_WRITE" },
          ],
        },
        childOpts,
      );
    }
    this.registerOutputs({ channel: this.channel.name });
  }
}

/** One data set of a chart: a filter, aligned per series and reduced by `groupBy`. */
interface ChartDataSet {
  readonly filter: string;
  readonly aligner: string;
  readonly reducer: string;
  readonly groupBy: readonly string[];
}

/**
 * One line chart, written in the API's canonical form (see {@link canonicalDashboard}): every
 * data set carries the `targetAxis` the API would add, and `groupByFields` only when it is not
 * empty.
 */
function chart(title: string, dataSets: readonly ChartDataSet[]): JsonObject {
  return {
    title,
    xyChart: {
      chartOptions: { mode: "COLOR" },
      dataSets: dataSets.map((d) => ({
        plotType: "LINE",
        targetAxis: "Y1",
        timeSeriesQuery: {
          timeSeriesFilter: {
            aggregation: {
              alignmentPeriod: seconds(ALERTS.alignmentPeriodSeconds),
              crossSeriesReducer: d.reducer,
              ...(d.groupBy.length > 0 ? { groupByFields: [...d.groupBy] } : {}),
              perSeriesAligner: d.aligner,
            },
            filter: d.filter,
          },
        },
      })),
    },
  };
}

/**
 * The geography's dashboard: pipeline backlog and dead letters, service latency and errors, Redis
 * memory and clients, Firestore operations. Written directly in the form the Monitoring API
 * returns (no empty arrays, no zero tile positions, server defaults spelled out), so that
 * {@link canonicalDashboard} leaves it unchanged. Deterministic for a given geography and catalog.
 * @internal
 */
export function dashboard(
  geography: string,
  holds: readonly string[],
  pushes: readonly string[],
): JsonObject {
  const sub = (ids: readonly string[], m: string) =>
    and(
      SUBSCRIPTION,
      metric(`pubsub.googleapis.com/subscription/${m}`),
      `resource.labels.subscription_id = ${oneOf(ids)}`,
    );
  const bySubscription = ["resource.labels.subscription_id"];
  const byService = ["resource.labels.service_name"];
  const widgets = [
    chart("Pipeline backlog (undelivered messages)", [
      {
        filter: sub(pushes, "num_undelivered_messages"),
        aligner: "ALIGN_MAX",
        reducer: "REDUCE_SUM",
        groupBy: bySubscription,
      },
    ]),
    chart("Dead letters held", [
      {
        filter: sub(holds, "num_undelivered_messages"),
        aligner: "ALIGN_MAX",
        reducer: "REDUCE_SUM",
        groupBy: bySubscription,
      },
    ]),
    chart("Oldest unacked message age (s)", [
      {
        filter: sub(pushes, "oldest_unacked_message_age"),
        aligner: "ALIGN_MAX",
        reducer: "REDUCE_MAX",
        groupBy: bySubscription,
      },
    ]),
    chart("Service p95 latency (ms)", [
      {
        filter: and(CLOUD_RUN, metric("run.googleapis.com/request_latencies")),
        aligner: "ALIGN_PERCENTILE_95",
        reducer: "REDUCE_MAX",
        groupBy: byService,
      },
    ]),
    chart("Service 5xx per second", [
      {
        filter: and(
          CLOUD_RUN,
          metric("run.googleapis.com/request_count"),
          'metric.labels.response_code_class = "5xx"',
        ),
        aligner: "ALIGN_RATE",
        reducer: "REDUCE_SUM",
        groupBy: byService,
      },
    ]),
    chart("Redis memory usage ratio", [
      {
        filter: and(REDIS, metric("redis.googleapis.com/stats/memory/usage_ratio")),
        aligner: "ALIGN_MEAN",
        reducer: "REDUCE_MAX",
        groupBy: ["resource.labels.instance_id"],
      },
    ]),
    chart("Redis connected clients", [
      {
        filter: and(REDIS, metric("redis.googleapis.com/clients/connected")),
        aligner: "ALIGN_MEAN",
        reducer: "REDUCE_SUM",
        groupBy: ["resource.labels.instance_id"],
      },
    ]),
    chart("Firestore reads and writes per second", [
      {
        filter: and(FIRESTORE, metric("firestore.googleapis.com/document/read_ops_count")),
        aligner: "ALIGN_RATE",
        reducer: "REDUCE_SUM",
        groupBy: [],
      },
      {
        filter: and(FIRESTORE, metric("firestore.googleapis.com/document/write_ops_count")),
        aligner: "ALIGN_RATE",
        reducer: "REDUCE_SUM",
        groupBy: [],
      },
    ]),
  ];
  const width = 24;
  const height = 16;
  return {
    displayName: `Avalo ${geography}`,
    mosaicLayout: {
      columns: 48,
      tiles: widgets.map((widget, i) => {
        const xPos = (i % 2) * width;
        const yPos = Math.floor(i / 2) * height;
        // The API stores a position of 0 as absent; sending 0 would diff on every preview.
        return {
          height,
          widget,
          width,
          ...(xPos > 0 ? { xPos } : {}),
          ...(yPos > 0 ? { yPos } : {}),
        };
      }),
    },
  };
}

/**
 * The geography's dashboard as the `dashboardJson` the provider compares with what the API
 * returns: {@link dashboard} in canonical form, keys in the API's order, so a second preview
 * shows no diff.
 */
export function dashboardJson(
  geography: string,
  holds: readonly string[],
  pushes: readonly string[],
): string {
  return JSON.stringify(canonicalDashboard(dashboard(geography, holds, pushes)));
}
