/**
 * BigQuery table schemas, shared by the Analytics component (which creates the tables) and the
 * runtime (which writes rows, or NDJSON files locally, checked against the same schema).
 */

export type ColumnType = "STRING" | "INT64" | "FLOAT64" | "BOOL" | "TIMESTAMP" | "DATE" | "JSON";

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  readonly mode: "REQUIRED" | "NULLABLE";
  readonly description: string;
}

export interface TableSchema {
  readonly tableId: string;
  readonly description: string;
  readonly columns: readonly Column[];
  /** Column of type TIMESTAMP or DATE the table is partitioned on by day. */
  readonly partitionColumn: string;
  /** Up to four clustering columns. */
  readonly clusterBy: readonly string[];
}

export const TABLES: readonly TableSchema[] = [
  {
    tableId: "analytics_events_raw",
    description:
      "Analytics envelopes as delivered by the analytics pipeline's BigQuery subscription (writeMetadata layout)",
    columns: [
      { name: "subscription_name", type: "STRING", mode: "NULLABLE", description: "Subscription" },
      { name: "message_id", type: "STRING", mode: "NULLABLE", description: "Pub/Sub message id" },
      { name: "publish_time", type: "TIMESTAMP", mode: "NULLABLE", description: "Publish time" },
      { name: "data", type: "STRING", mode: "NULLABLE", description: "Envelope JSON" },
      { name: "attributes", type: "STRING", mode: "NULLABLE", description: "Attributes JSON" },
    ],
    partitionColumn: "publish_time",
    clusterBy: ["subscription_name"],
  },
  {
    tableId: "analytics_events",
    description: "Raw analytics events delivered by the analytics pipeline's BigQuery subscription",
    columns: [
      { name: "event_id", type: "STRING", mode: "REQUIRED", description: "Envelope id" },
      { name: "event_name", type: "STRING", mode: "REQUIRED", description: "Event name" },
      { name: "user_id", type: "STRING", mode: "NULLABLE", description: "Acting user" },
      { name: "region", type: "STRING", mode: "REQUIRED", description: "Avalo region" },
      { name: "occurred_at", type: "TIMESTAMP", mode: "REQUIRED", description: "Event time" },
      { name: "value", type: "FLOAT64", mode: "REQUIRED", description: "Event value" },
    ],
    partitionColumn: "occurred_at",
    clusterBy: ["event_name", "region"],
  },
  {
    tableId: "hourly_aggregates",
    description: "Hourly roll-ups written by analytics-aggregator",
    columns: [
      { name: "hour", type: "TIMESTAMP", mode: "REQUIRED", description: "Start of the hour" },
      { name: "event_name", type: "STRING", mode: "REQUIRED", description: "Event name" },
      { name: "region", type: "STRING", mode: "REQUIRED", description: "Avalo region" },
      { name: "shard", type: "STRING", mode: "REQUIRED", description: "Analytics shard id" },
      { name: "count", type: "INT64", mode: "REQUIRED", description: "Events in the hour" },
      { name: "sum", type: "FLOAT64", mode: "REQUIRED", description: "Sum of event values" },
    ],
    partitionColumn: "hour",
    clusterBy: ["event_name", "region"],
  },
];
