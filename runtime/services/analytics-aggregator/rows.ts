import { TABLES, type ColumnType, type TableSchema } from "../../schemas/tables";

/**
 * Checks rows against the BigQuery table schemas in runtime/schemas/tables.ts, the same ones
 * the Analytics component creates the tables from: required columns present, types right, no
 * unknown columns. Local NDJSON files pass the same check as BigQuery inserts.
 */
export type Row = Readonly<Record<string, unknown>>;

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const TYPE_CHECKS: Readonly<Record<ColumnType, (v: unknown) => boolean>> = {
  STRING: (v) => typeof v === "string",
  INT64: (v) => Number.isSafeInteger(v),
  FLOAT64: (v) => typeof v === "number" && Number.isFinite(v),
  BOOL: (v) => typeof v === "boolean",
  TIMESTAMP: (v) => typeof v === "string" && TIMESTAMP.test(v),
  DATE: (v) => typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v),
  JSON: (v) => v !== undefined,
};

/** The schema of `tableId`; throws naming the known tables. */
export function tableSchema(tableId: string): TableSchema {
  const table = TABLES.find((t) => t.tableId === tableId);
  if (!table)
    throw new Error(
      `unknown table "${tableId}"; known: ${TABLES.map((t) => t.tableId).join(", ")}`,
    );
  return table;
}

/** Problems of one row, e.g. `count: expected INT64, got 1.5`; empty when it matches. */
export function rowProblems(table: TableSchema, row: Row): string[] {
  const problems: string[] = [];
  for (const column of table.columns) {
    const value = row[column.name];
    if (value === undefined || value === null) {
      if (column.mode === "REQUIRED")
        problems.push(`${column.name}: required ${column.type} is missing`);
    } else if (!TYPE_CHECKS[column.type](value)) {
      problems.push(`${column.name}: expected ${column.type}, got ${JSON.stringify(value)}`);
    }
  }
  const known = new Set(table.columns.map((c) => c.name));
  for (const name of Object.keys(row))
    if (!known.has(name)) problems.push(`${name}: not a column of ${table.tableId}`);
  return problems;
}

/** Throws on the first row that does not match, naming the table, the row index and the problems. */
export function checkRows(table: TableSchema, rows: readonly Row[]): void {
  rows.forEach((row, i) => {
    const problems = rowProblems(table, row);
    if (problems.length)
      throw new Error(`row ${i} does not match ${table.tableId}: ${problems.join("; ")}`);
  });
}
