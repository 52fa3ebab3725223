import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { getPipeline, PIPELINES } from "../../../runtime/catalog/pipelines";
import { SERVICES } from "../../../runtime/services/catalog";

const ROOT = join(__dirname, "../../../runtime");

/**
 * What a handler module publishes, read from its source: the pipeline named in
 * `pipelineSpec("…")` and every `publisher.publish("…"` (or `publish(spec` for its own pipeline).
 */
function handlerPublishes(file: string): { pipeline: string; publishes: string[] } {
  const source = readFileSync(join(ROOT, "handlers", file), "utf8");
  const pipeline = /pipelineSpec\("([a-z-]+)"/.exec(source)?.[1];
  if (!pipeline) throw new Error(`${file}: no pipelineSpec("…") found`);
  const calls = [...source.matchAll(/publisher\.publish\(\s*("([a-z-]+)"|[A-Za-z_.]+)/g)];
  const publishes = calls.map((m) => {
    if (m[2]) return m[2];
    if (m[1] === "spec") return pipeline;
    throw new Error(`${file}: publish target ${m[1]} is not a literal or the handler's spec`);
  });
  return { pipeline, publishes: [...new Set(publishes)].sort() };
}

describe("service table: publishes", () => {
  const handlerFiles = readdirSync(join(ROOT, "handlers")).filter((f) =>
    /pipelineSpec\(/.test(readFileSync(join(ROOT, "handlers", f), "utf8")),
  );

  it("finds a handler module for each of the eight pipelines", () => {
    expect(handlerFiles.map((f) => handlerPublishes(f).pipeline).sort()).to.deep.equal(
      PIPELINES.map((p) => p.name).sort(),
    );
  });

  it("lists for each service exactly what the handler of the pipeline it consumes publishes", () => {
    const fromHandlers: Record<string, string[]> = Object.fromEntries(
      SERVICES.map((s) => [s.name, [] as string[]]),
    );
    for (const file of handlerFiles) {
      const { pipeline, publishes } = handlerPublishes(file);
      fromHandlers[getPipeline(pipeline).consumer].push(...publishes);
    }
    const declared = Object.fromEntries(SERVICES.map((s) => [s.name, [...s.publishes].sort()]));
    expect(declared).to.deep.equal(
      Object.fromEntries(Object.entries(fromHandlers).map(([k, v]) => [k, v.sort()])),
    );
    expect(declared).to.deep.include({
      "user-worker": ["analytics-aggregation"],
      "match-worker": ["notification-batch"],
      "feed-worker": ["feed-fanout"],
      "ai-inference": ["notification-batch"],
      "fraud-analyzer": ["analytics-aggregation", "notification-batch"],
      "notification-worker": [],
      "analytics-aggregator": [],
      "media-processor": [],
      "batch-processor": [],
      "pdf-generator": [],
      "ranking-engine": [],
    });
  });

  it("names only pipelines of the catalog", () => {
    for (const s of SERVICES) {
      for (const p of s.publishes) expect(() => getPipeline(p), `${s.name}: ${p}`).not.to.throw();
    }
  });

  it("has no publisher outside the handlers and the shared pipeline server", () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (
          /\.ts$/.test(entry.name) &&
          /\.publish\(|\bPipelinePublisher\b/.test(readFileSync(join(ROOT, path), "utf8"))
        )
          offenders.push(path);
      }
    };
    walk("services");
    expect(offenders.filter((p) => !p.startsWith("services/server/"))).to.deep.equal([]);
  });
});
