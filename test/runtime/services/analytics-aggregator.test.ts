import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { buildAnalyticsAggregator } from "../../../runtime/services/analytics-aggregator/app";
import { rowProblems, tableSchema } from "../../../runtime/services/analytics-aggregator/rows";
import { ConfigError } from "../../../runtime/services/server/config";
import { useFirestore } from "../../support/services";
import { localEnv, productionEnv, uniqueId } from "./env";

describe("analytics-aggregator", () => {
  describe("rowProblems", () => {
    const table = tableSchema("hourly_aggregates");
    const good = {
      hour: "2026-11-25T10:00:00.000Z",
      event_name: "like",
      region: "eu-west",
      shard: "s",
      count: 3,
      sum: 4.5,
    };
    it("accepts a row that matches the schema", () => {
      expect(rowProblems(table, good)).to.deep.equal([]);
    });
    it("names every missing, mistyped and unknown column", () => {
      const { region: _r, ...missing } = good;
      expect(
        rowProblems(table, { ...missing, count: 1.5, hour: "yesterday", extra: true }),
      ).to.deep.equal([
        'hour: expected TIMESTAMP, got "yesterday"',
        "region: required STRING is missing",
        "count: expected INT64, got 1.5",
        "extra: not a column of hourly_aggregates",
      ]);
    });
    it("names the known tables for an unknown one", () => {
      expect(() => tableSchema("nope")).to.throw(
        'unknown table "nope"; known: analytics_events_raw, analytics_events, hourly_aggregates',
      );
    });
  });

  describe("service on the Firestore emulator, NDJSON warehouse", () => {
    let app: FastifyInstance;
    let dir: string;
    // A year nobody else uses, so the shared emulator's other data never lands in this hour.
    const hour = `2031-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}T0${Math.floor(Math.random() * 9)}:00:00.000Z`;
    before(async () => {
      await useFirestore();
      dir = mkdtempSync(join(tmpdir(), "avalo-ndjson-"));
      app = await buildAnalyticsAggregator(
        localEnv({ ANALYTICS_NDJSON_DIR: dir, AVALO_REGION: "eu-west" }),
      );
    });
    after(async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const at = (minutes: number) => new Date(Date.parse(hour) + minutes * 60_000).toISOString();

    it("rolls events into the hour's shards and flushes rows that match the schema", async () => {
      const events = [
        ...Array.from({ length: 30 }, (_, i) => ({
          eventName: "like",
          userId: `u${i}`,
          at: at(i),
          value: 1,
        })),
        ...Array.from({ length: 5 }, (_, i) => ({
          eventName: "purchase",
          userId: `u${i}`,
          at: at(i),
          value: 2.5,
        })),
        { eventName: "like", userId: "late", at: at(61), value: 1 },
      ];
      const rec = await app.inject({ method: "POST", url: "/v1/events", payload: { events } });
      expect(rec.statusCode).to.equal(200);
      const flush = await app.inject({ method: "POST", url: "/v1/flush", payload: { hour } });
      expect(flush.json()).to.deep.include({ table: "hourly_aggregates", location: dir });
      const file = join(dir, "hourly_aggregates", `${hour}-eu-west.ndjson`.replace(/:/g, "_"));
      const rows = readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(rows).to.have.length(flush.json().rows);
      const total = (name: string, f: "count" | "sum") =>
        rows.filter((r) => r.event_name === name).reduce((s, r) => s + r[f], 0);
      expect([
        total("like", "count"),
        total("purchase", "count"),
        total("purchase", "sum"),
      ]).to.deep.equal([30, 5, 12.5]);
      expect(new Set(rows.map((r) => r.shard)).size).to.be.greaterThan(10);
      for (const r of rows)
        expect(rowProblems(tableSchema("hourly_aggregates"), r)).to.deep.equal([]);
      expect(rows[0]).to.include({ hour, region: "eu-west" });
    });

    it("answers 400 naming the field on every endpoint", async () => {
      const flush = await app.inject({
        method: "POST",
        url: "/v1/flush",
        payload: { hour: "2026-11-25T10:30:00Z" },
      });
      expect([flush.statusCode, flush.json().error]).to.deep.equal([
        400,
        "invalid request body: hour: must be the start of an hour",
      ]);
      const events = await app.inject({
        method: "POST",
        url: "/v1/events",
        payload: { events: [{ eventName: "Bad Name", at: hour }] },
      });
      expect([events.statusCode, events.json().field]).to.deep.equal([400, "events.0.eventName"]);
    });

    it("answers 401 without a token in production mode", async () => {
      const prod = await buildAnalyticsAggregator(
        productionEnv({
          ANALYTICS_NDJSON_DIR: dir,
          AVALO_PUSH_INVOKER_EMAIL: "invoker@avalo-us.iam.gserviceaccount.com",
        }),
      );
      try {
        for (const url of ["/v1/events", "/v1/flush"]) {
          expect((await prod.inject({ method: "POST", url, payload: {} })).statusCode).to.equal(
            401,
          );
        }
      } finally {
        await prod.close();
      }
    });

    it("answers 503 from /healthz when the warehouse directory is gone", async () => {
      const gone = join(tmpdir(), uniqueId("gone"));
      const down = await buildAnalyticsAggregator(localEnv({ ANALYTICS_NDJSON_DIR: gone }));
      try {
        const res = await down.inject({ method: "GET", url: "/healthz" });
        expect([res.statusCode, res.json().checks.firestore]).to.deep.equal([503, "ok"]);
        expect(res.json().checks.warehouse).to.match(/^down: ENOENT/);
      } finally {
        await down.close();
      }
    });

    it("requires exactly one warehouse", async () => {
      const err = await buildAnalyticsAggregator(localEnv()).catch((e: unknown) => e);
      expect((err as ConfigError).variables).to.deep.equal([
        "ANALYTICS_DATASET",
        "ANALYTICS_NDJSON_DIR",
      ]);
    });
  });
});
