import { MARKER_COLLECTION } from "../../runtime/pipelines/defaults";
import { SERVICES } from "../../runtime/catalog/services";
import type { Platform } from "./platform";
import type { Latencies } from "./smoke";
import { probeHealth } from "./services";

/**
 * The status table: one row per service with its port, `/healthz` answer, messages processed
 * and dead-lettered by the pipelines it consumes, and the client-side p95 latency of the
 * requests made to it.
 */
export interface StatusRow {
  readonly service: string;
  readonly port: number;
  readonly health: string;
  readonly processed: number | undefined;
  readonly deadLettered: number | undefined;
  readonly p95Ms: number | undefined;
}

function p95(samples: readonly number[] | undefined): number | undefined {
  if (!samples || samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))];
}

/**
 * Events a worker bundle applied, counted by their exactly-once markers in Firestore (the
 * bundles expose no metrics endpoint). A fan-out writes one marker per batch of followers.
 */
async function processedByMarkers(platform: Platform, pipeline: string): Promise<number> {
  const count = await platform.db
    .collection(MARKER_COLLECTION)
    .where("pipeline", "==", pipeline)
    .count()
    .get()
    .catch(() => undefined);
  return count?.data().count ?? 0;
}

/** Probes every service and counts what its pipelines processed and dead-lettered. */
export async function collectStatus(
  platform: Platform,
  latencies: Latencies,
): Promise<StatusRow[]> {
  return Promise.all(
    SERVICES.map(async (spec) => {
      const service = platform.services.find((s) => s.service === spec.name);
      const health = service ? await probeHealth(service.url) : { ok: false, status: "down" };
      const routes = platform.routes.filter((r) => r.consumer === spec.name);
      const processed = await Promise.all(
        routes.map((r) => processedByMarkers(platform, r.spec.name)),
      );
      return {
        service: spec.name,
        port: service?.port ?? 0,
        health: health.ok ? "ok" : String(health.status),
        processed: routes.length ? processed.reduce((a, b) => a + b, 0) : undefined,
        deadLettered: routes.length
          ? routes.reduce((n, r) => n + (platform.deadLettered.get(r.spec.name) ?? 0), 0)
          : undefined,
        p95Ms: p95(latencies.get(spec.name)),
      };
    }),
  );
}

/** Renders rows as a fixed-width text table. */
export function renderStatus(rows: readonly StatusRow[]): string {
  const header = ["service", "port", "health", "processed", "dead-lettered", "p95 ms"];
  const cells = rows.map((r) => [
    r.service,
    String(r.port),
    r.health,
    r.processed === undefined ? "-" : String(r.processed),
    r.deadLettered === undefined ? "-" : String(r.deadLettered),
    r.p95Ms === undefined ? "-" : r.p95Ms.toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: readonly string[]) =>
    c.map((v, i) => (i === 0 || i === 2 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}
