import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { getPipeline, PIPELINES } from "../../../runtime/catalog/pipelines";
import { SERVICES } from "../../../runtime/catalog/services";

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

/**
 * What each service's own routes publish (outside its pipeline handler), read from the
 * sources under runtime/services/<service>/: every `.publish("…"`.
 */
function routePublishes(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const service of readdirSync(join(ROOT, "services"), { withFileTypes: true })) {
    if (!service.isDirectory() || service.name === "server") continue;
    const dir = join(ROOT, "services", service.name);
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const source = readFileSync(join(dir, file), "utf8");
      for (const m of source.matchAll(/\.publish\(\s*"([a-z-]+)"/g)) {
        (out[service.name] ??= []).push(m[1]);
      }
    }
  }
  return out;
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

  it("lists for each service exactly what its pipeline's handler and its own routes publish", () => {
    const fromHandlers: Record<string, string[]> = Object.fromEntries(
      SERVICES.map((s) => [s.name, [] as string[]]),
    );
    for (const file of handlerFiles) {
      const { pipeline, publishes } = handlerPublishes(file);
      fromHandlers[getPipeline(pipeline).consumer].push(...publishes);
    }
    for (const [service, publishes] of Object.entries(routePublishes())) {
      fromHandlers[service].push(...publishes);
    }
    const declared = Object.fromEntries(SERVICES.map((s) => [s.name, [...s.publishes].sort()]));
    expect(declared).to.deep.equal(
      Object.fromEntries(Object.entries(fromHandlers).map(([k, v]) => [k, [...new Set(v)].sort()])),
    );
    expect(declared).to.deep.include({
      "user-worker": ["analytics-aggregation"],
      "match-worker": ["notification-batch"],
      "feed-worker": ["feed-fanout"],
      "ai-inference": ["notification-batch"],
      "fraud-analyzer": ["analytics-aggregation", "notification-batch"],
      "notification-worker": [],
      "analytics-aggregator": [],
      "media-processor": ["media-transcode"],
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

  it("has no publisher outside the handlers, the shared pipeline server and literal route publishes", () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (
          /\.ts$/.test(entry.name) &&
          /\.publish\((?!\s*"[a-z-]+")|\bnew PipelinePublisher\b/.test(
            readFileSync(join(ROOT, path), "utf8"),
          )
        )
          offenders.push(path);
      }
    };
    walk("services");
    expect(offenders.filter((p) => !p.startsWith("services/server/"))).to.deep.equal([]);
  });
});
