import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import {
  PIPELINE_NAMES,
  SERVICE_NAMES,
  type PipelineName,
  type ServiceName,
} from "../../../runtime/catalog/names";
import { PIPELINES } from "../../../runtime/catalog/pipelines";
import { SERVICES } from "../../../runtime/catalog/services";
import { HANDLER_PUBLISHES } from "../../../runtime/handlers";
import { UPLOAD_ROUTES_PUBLISHES } from "../../../runtime/services/media-processor/upload-routes";

const SERVICES_DIR = join(__dirname, "../../../runtime/services");

/**
 * What each service's own routes publish (outside its pipeline handler), as the route modules
 * declare it. The last test below finds every route module that publishes.
 */
const ROUTE_PUBLISHES: Partial<Record<ServiceName, readonly PipelineName[]>> = {
  "media-processor": UPLOAD_ROUTES_PUBLISHES,
};

const sorted = (names: Iterable<string>) => [...new Set(names)].sort();

describe("catalog: services and pipelines", () => {
  it("holds one service per name and one pipeline per name, in the order of names.ts", () => {
    expect(SERVICES.map((s) => s.name)).to.deep.equal([...SERVICE_NAMES]);
    expect(PIPELINES.map((p) => p.name)).to.deep.equal([...PIPELINE_NAMES]);
  });

  it("gives every pipeline a consumer of the service table, each service at most one pipeline", () => {
    const consumers = PIPELINES.map((p) => p.consumer);
    expect(consumers.filter((c) => !SERVICE_NAMES.includes(c))).to.deep.equal([]);
    expect(new Set(consumers).size).to.equal(consumers.length);
  });

  it("lists for each service exactly what its pipeline's handler and its own routes declare they publish", () => {
    const expected = Object.fromEntries(
      SERVICES.map((s) => [
        s.name,
        sorted([
          ...PIPELINES.filter((p) => p.consumer === s.name).flatMap(
            (p) => HANDLER_PUBLISHES[p.name],
          ),
          ...(ROUTE_PUBLISHES[s.name] ?? []),
        ]),
      ]),
    );
    const declared = Object.fromEntries(SERVICES.map((s) => [s.name, sorted(s.publishes)]));
    expect(declared).to.deep.equal(expected);
    expect(declared).to.deep.equal({
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

  it("publishes from no service module but the shared pipeline server and the declared route modules", () => {
    const publishing: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(join(SERVICES_DIR, dir), { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (
          entry.name.endsWith(".ts") &&
          /\.publish\(|\bnew PipelinePublisher\b/.test(
            readFileSync(join(SERVICES_DIR, path), "utf8"),
          )
        ) {
          publishing.push(path);
        }
      }
    };
    walk(".");
    expect(publishing.filter((p) => !p.startsWith("server/"))).to.deep.equal([
      "media-processor/upload-routes.ts",
    ]);
  });
});
