import type { PipelineName } from "../catalog/names";
import { appendFileSync } from "node:fs";
import { FieldValue, Timestamp } from "firebase-admin/firestore";
import type { PipelineHandler } from "../pipelines/consumer";
import { applyOnceFirestore } from "../pipelines/idempotency";
import { pipelineSpec } from "../pipelines/spec";
import { analyticsAggregationEvent } from "../schemas/events";
import { TABLES, type TableSchema } from "../schemas/tables";
import { getAnalyticsShardId, initSharding } from "../sharding";
import type { HandlerDeps } from "./deps";

/**
 * analytics-aggregation: rolls each event into its hourly analytics shard
 * (`/{analytics_shard_YYYY_MM_DD_HH_NNN}/{eventName}_{region}`: count and sum, exactly once per
 * event id) and emits an `analytics_events` row checked against the BigQuery table schema.
 * `hourlyRows` turns an hour's shards into `hourly_aggregates` rows. Rows go to a `RowSink`:
 * BigQuery's streaming insert (insertId = event id) in production, NDJSON files locally.
 */

const spec = pipelineSpec("analytics-aggregation", analyticsAggregationEvent);

/** The pipelines this handler publishes derived events to; its service's `publishes` lists them. */
export const PUBLISHES = [] as const satisfies readonly PipelineName[];

export type Row = Record<string, string | number | boolean | null>;

/** Where rows go; `insertId` lets the warehouse drop redelivered rows. */
export interface RowSink {
  write(table: string, rows: ReadonlyArray<{ insertId: string; row: Row }>): Promise<void>;
}

function table(tableId: string): TableSchema {
  const found = TABLES.find((t) => t.tableId === tableId);
  if (!found)
    throw new Error(
      `unknown table "${tableId}"; allowed: ${TABLES.map((t) => t.tableId).join(", ")}`,
    );
  return found;
}

const TYPE_CHECKS: Record<string, (v: unknown) => boolean> = {
  STRING: (v) => typeof v === "string",
  INT64: (v) => Number.isInteger(v),
  FLOAT64: (v) => typeof v === "number" && Number.isFinite(v),
  BOOL: (v) => typeof v === "boolean",
  TIMESTAMP: (v) => typeof v === "string" && !Number.isNaN(Date.parse(v)),
  DATE: (v) => typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v),
  JSON: (v) => typeof v === "string",
};

/** Throws naming the column unless `row` matches the table's columns, modes and types. */
export function checkRow(tableId: string, row: Row): Row {
  const schema = table(tableId);
  const names = new Set(schema.columns.map((c) => c.name));
  for (const key of Object.keys(row)) {
    if (!names.has(key))
      throw new Error(`table ${tableId} has no column "${key}"; columns: ${[...names].join(", ")}`);
  }
  for (const c of schema.columns) {
    const v = row[c.name];
    if (v === undefined || v === null) {
      if (c.mode === "REQUIRED")
        throw new Error(`table ${tableId} column "${c.name}" is REQUIRED but missing`);
      continue;
    }
    if (!TYPE_CHECKS[c.type](v)) {
      throw new Error(
        `table ${tableId} column "${c.name}" must be ${c.type}, but ${JSON.stringify(v)} was provided`,
      );
    }
  }
  return row;
}

/** LOCAL: appends rows to `<dir>/<table>.ndjson`, skipping insertIds it has already written. */
export class NdjsonRowSink implements RowSink {
  private readonly written = new Set<string>();
  constructor(private readonly dir: string) {}

  async write(tableId: string, rows: ReadonlyArray<{ insertId: string; row: Row }>): Promise<void> {
    const fresh = rows.filter((r) => !this.written.has(`${tableId}/${r.insertId}`));
    if (fresh.length === 0) return;
    appendFileSync(
      `${this.dir}/${tableId}.ndjson`,
      fresh.map((r) => JSON.stringify(checkRow(tableId, r.row)) + "\n").join(""),
    );
    for (const r of fresh) this.written.add(`${tableId}/${r.insertId}`);
  }
}

/** The document of one event name and region within an analytics shard. */
function aggregateDocId(eventName: string, region: string): string {
  return `${eventName}_${region}`;
}

export function createAnalyticsAggregationHandler(
  deps: HandlerDeps<typeof PUBLISHES> & { readonly rows: RowSink },
): PipelineHandler<typeof spec> {
  const { db } = deps;
  return {
    pipeline: spec,
    async handle(event) {
      await initSharding();
      const e = event.data;
      const at = new Date(e.at);
      const shardId = getAnalyticsShardId(e.userId ?? event.id, at);
      const hour = new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);
      const result = await applyOnceFirestore(
        db,
        { pipeline: spec.name, eventId: event.id },
        (batch) =>
          batch.set(
            db.collection(shardId).doc(aggregateDocId(e.eventName, event.region)),
            {
              eventName: e.eventName,
              region: event.region,
              hour: Timestamp.fromDate(hour),
              count: FieldValue.increment(1),
              sum: FieldValue.increment(e.value),
            },
            { merge: true },
          ),
      );
      const row = checkRow("analytics_events", {
        event_id: event.id,
        event_name: e.eventName,
        user_id: e.userId ?? null,
        region: event.region,
        occurred_at: at.toISOString(),
        value: e.value,
      });
      await deps.rows.write("analytics_events", [{ insertId: event.id, row }]);
      return result;
    },
  };
}

/** `hourly_aggregates` rows of one hour, read from its analytics shards. */
export async function hourlyRows(
  deps: Pick<HandlerDeps, "db">,
  hour: Date,
  shardIds: readonly string[],
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const shard of shardIds) {
    const snap = await deps.db.collection(shard).get();
    for (const doc of snap.docs) {
      rows.push(
        checkRow("hourly_aggregates", {
          hour: hour.toISOString(),
          event_name: doc.get("eventName") as string,
          region: doc.get("region") as string,
          shard,
          count: doc.get("count") as number,
          sum: doc.get("sum") as number,
        }),
      );
    }
  }
  return rows;
}
