import { BigQuery } from "@google-cloud/bigquery";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { getFirestore } from "../../firestore/client";
import {
  createAnalyticsAggregationHandler,
  type RowSink,
} from "../../handlers/analytics-aggregation";
import { initSharding } from "../../sharding/hash";
import type { Authenticator } from "../server/auth";
import { createServiceApp } from "../server/app";
import { ConfigError, loadConfig } from "../server/config";
import { mountBodyRoute } from "../server/routes";
import { firestoreCheck } from "../server/firestore";
import { mountPipelinePush, pushAuthFor, pushEnv } from "../server/pipeline-worker";
import { hourlyRows, recordEvents } from "./aggregates";
import { eventsRoute, flushRoute, type FlushResponse } from "./contract";
import { bigQueryWarehouse, ndjsonWarehouse, type Warehouse } from "./warehouse";

const analyticsEnv = {
  /** BigQuery dataset of the geography (production). */
  ANALYTICS_DATASET: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,1024}$/)
    .optional(),
  /** Directory of NDJSON files standing in for BigQuery (local). */
  ANALYTICS_NDJSON_DIR: z.string().min(1).optional(),
};

export interface AnalyticsAggregatorDeps {
  readonly warehouse: Warehouse;
  readonly authenticator: Authenticator;
}

const TABLE = "hourly_aggregates";

/**
 * The analytics-aggregation handler's row sink: this service's warehouse, one batch per write
 * named after its rows' insert ids, so a redelivered event rewrites the same batch.
 */
function warehouseRows(warehouse: Warehouse): RowSink {
  return {
    write: (tableId, rows) =>
      warehouse.write(
        tableId,
        rows.map((r) => r.insertId).join("+"),
        rows.map((r) => ({ ...r.row, insertId: r.insertId })),
      ),
  };
}

/** The variables analytics-aggregator reads, beyond every service's (`baseEnv`). */
export const SERVICE_ENV = { ...analyticsEnv, ...pushEnv };

/**
 * analytics-aggregator: hourly roll-ups in the analytics shards, synced to the warehouse; also
 * the consumer of the analytics-aggregation pipeline (`POST /pubsub/push`).
 */
export async function buildAnalyticsAggregator(
  env: NodeJS.ProcessEnv,
  deps: Partial<AnalyticsAggregatorDeps> = {},
): Promise<FastifyInstance> {
  const config = loadConfig(SERVICE_ENV, env);
  const auth = pushAuthFor(config);
  if (!deps.warehouse && !config.ANALYTICS_DATASET === !config.ANALYTICS_NDJSON_DIR) {
    throw new ConfigError(
      "invalid configuration:\n  ANALYTICS_DATASET / ANALYTICS_NDJSON_DIR: set exactly one (the BigQuery dataset in production, a directory locally)",
      ["ANALYTICS_DATASET", "ANALYTICS_NDJSON_DIR"],
    );
  }
  await initSharding();
  const db = getFirestore({ projectId: config.GOOGLE_CLOUD_PROJECT });
  const warehouse =
    deps.warehouse ??
    (config.ANALYTICS_DATASET
      ? bigQueryWarehouse(
          new BigQuery({ projectId: config.GOOGLE_CLOUD_PROJECT }),
          config.ANALYTICS_DATASET,
        )
      : ndjsonWarehouse(config.ANALYTICS_NDJSON_DIR!));
  return createServiceApp(
    {
      service: "analytics-aggregator",
      config,
      checks: [firestoreCheck(db), warehouse.check],
      authenticator: deps.authenticator,
    },
    (app) => {
      mountPipelinePush(app, {
        service: "analytics-aggregator",
        pipelineName: "analytics-aggregation",
        config,
        auth,
        db,
        makeHandler: (handlerDeps) =>
          createAnalyticsAggregationHandler({ ...handlerDeps, rows: warehouseRows(warehouse) }),
      });
      mountBodyRoute(app, eventsRoute, async (body) => {
        const aggregates = await recordEvents(db, body.events);
        return { events: body.events.length, aggregates };
      });
      mountBodyRoute(app, flushRoute, async (body, req): Promise<FlushResponse> => {
        const hour = new Date(body.hour).toISOString();
        const rows = await hourlyRows(db, hour, config.AVALO_REGION);
        await warehouse.write(TABLE, `${hour}-${config.AVALO_REGION}`, rows);
        req.log.info({ hour, rows: rows.length, location: warehouse.location }, "hour flushed");
        return { table: TABLE, rows: rows.length, location: warehouse.location };
      });
    },
  );
}
