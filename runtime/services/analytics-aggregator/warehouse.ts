import { constants } from "node:fs";
import { access, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { BigQuery } from "@google-cloud/bigquery";
import type { DependencyCheck } from "../server/health";
import { checkRows, tableSchema, type Row } from "./rows";

/**
 * Where rows go: BigQuery in production, NDJSON files locally. Both check every row against
 * the table schema first, and both are idempotent per batch id: BigQuery through insert ids
 * (best-effort de-duplication), files by overwriting the batch's file.
 */
export interface Warehouse {
  readonly location: string;
  /** Writes `rows` to `tableId` as batch `batchId`; each row's insert id is `batchId/<index key>`. */
  write(
    tableId: string,
    batchId: string,
    rows: readonly (Row & { readonly insertId: string })[],
  ): Promise<void>;
  readonly check: DependencyCheck;
}

function stripIds(rows: readonly (Row & { insertId: string })[]): Row[] {
  return rows.map(({ insertId: _id, ...row }) => row);
}

export function bigQueryWarehouse(bigquery: BigQuery, datasetId: string): Warehouse {
  const dataset = bigquery.dataset(datasetId);
  return {
    location: `bigquery:${datasetId}`,
    async write(tableId, _batchId, rows) {
      checkRows(tableSchema(tableId), stripIds(rows));
      if (rows.length === 0) return;
      await dataset.table(tableId).insert(
        rows.map(({ insertId, ...json }) => ({ insertId, json })),
        { raw: true },
      );
    },
    check: {
      name: "warehouse",
      check: async () => {
        const [exists] = await dataset.exists();
        if (!exists) throw new Error(`dataset ${datasetId} does not exist`);
      },
    },
  };
}

/** `<dir>/<tableId>/<batchId>.ndjson`, one JSON row per line. */
export function ndjsonWarehouse(dir: string): Warehouse {
  return {
    location: dir,
    async write(tableId, batchId, rows) {
      const plain = stripIds(rows);
      checkRows(tableSchema(tableId), plain);
      const tableDir = join(dir, tableId);
      await mkdir(tableDir, { recursive: true });
      const file = join(tableDir, `${batchId.replace(/[^A-Za-z0-9_.-]/g, "_")}.ndjson`);
      await writeFile(
        file,
        plain.map((r) => JSON.stringify(r)).join("\n") + (plain.length ? "\n" : ""),
      );
    },
    check: { name: "warehouse", check: () => access(dir, constants.W_OK) },
  };
}
