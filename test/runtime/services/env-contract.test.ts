import { expect } from "chai";
import type { z } from "zod";
import { SERVICES } from "../../../runtime/catalog/services";
import type { ServiceName } from "../../../runtime/catalog/names";
import { SERVICE_ENV as aiInference } from "../../../runtime/services/ai-inference/app";
import { SERVICE_ENV as analyticsAggregator } from "../../../runtime/services/analytics-aggregator/app";
import { SERVICE_ENV as batchProcessor } from "../../../runtime/services/batch-processor/app";
import {
  serviceEnvironment,
  serviceSecretVariables,
  type ServiceEnvSources,
} from "../../../runtime/services/container";
import { SERVICE_ENV as fraudAnalyzer } from "../../../runtime/services/fraud-analyzer/app";
import { SERVICE_ENV as mediaProcessor } from "../../../runtime/services/media-processor/app";
import { SERVICE_ENV as notificationWorker } from "../../../runtime/services/notification-worker/app";
import { SERVICE_ENV as pdfGenerator } from "../../../runtime/services/pdf-generator/app";
import { SERVICE_ENV as rankingEngine } from "../../../runtime/services/ranking-engine/app";
import { baseEnv, type EnvShape } from "../../../runtime/services/server/config";
import { workerEnv } from "../../../runtime/services/server/pipeline-worker";
import { CLOUD } from "./env";

/** What each service's config module parses: the other side of the deploy contract. */
const READS: Record<ServiceName, EnvShape> = {
  "media-processor": mediaProcessor,
  "ai-inference": aiInference,
  "pdf-generator": pdfGenerator,
  "fraud-analyzer": fraudAnalyzer,
  "batch-processor": batchProcessor,
  "ranking-engine": rankingEngine,
  "analytics-aggregator": analyticsAggregator,
  "user-worker": workerEnv,
  "match-worker": workerEnv,
  "feed-worker": workerEnv,
  "notification-worker": notificationWorker,
};

const LOCAL: ServiceEnvSources<string> = {
  ...CLOUD,
  geography: "local",
  environment: "dev",
  auth: "local",
  redis: { host: "127.0.0.1", port: "6379", tls: false },
  analytics: { ndjsonDir: "/tmp/rows" },
  media: { dir: "/tmp/media" },
  uploads: { bucket: "local-media", url: "http://127.0.0.1:1/upload", signerKeyFile: "/tmp/key" },
  ai: "local",
  notifications: "recorded",
};

function required(shape: EnvShape): string[] {
  return Object.keys(shape).filter((k) => !(shape[k] as z.ZodType).safeParse(undefined).success);
}

describe("deploy contract against each service's config module", () => {
  for (const spec of SERVICES) {
    const reads = { ...baseEnv, ...READS[spec.name] };

    it(`${spec.name}: sets only variables its config reads, and every one it requires`, () => {
      for (const sources of [CLOUD, LOCAL]) {
        const names = [
          ...Object.keys(serviceEnvironment(spec, sources)),
          ...serviceSecretVariables(spec),
        ];
        const unread = names.filter((n) => !(n in reads));
        expect(
          unread,
          `${spec.name} (${sources.auth}) sets variables it never reads`,
        ).to.deep.equal([]);
        const missing = required(reads).filter((n) => n !== "PORT" && !names.includes(n));
        expect(missing, `${spec.name} (${sources.auth}) lacks required variables`).to.deep.equal(
          [],
        );
      }
    });
  }

  it("gives the cache's variables and secrets to exactly the services whose config reads Redis", () => {
    for (const spec of SERVICES) {
      const readsRedis = "REDIS_HOST" in READS[spec.name];
      expect(spec.uses.includes("redis"), spec.name).to.equal(readsRedis);
      expect(serviceSecretVariables(spec).length > 0, spec.name).to.equal(readsRedis);
    }
  });
});
