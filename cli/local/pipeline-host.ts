import type { PubSub } from "@google-cloud/pubsub";
import Fastify, { type FastifyInstance } from "fastify";
import type { Firestore } from "firebase-admin/firestore";
import type Redis from "ioredis";
import type { PipelineSpec } from "../../runtime/catalog/pipelines";
import { localDeterministicProvider } from "../../runtime/handlers/ai-generation";
import { NdjsonRowSink } from "../../runtime/handlers/analytics-aggregation";
import { localFraudScorer } from "../../runtime/handlers/fraud-check";
import { createHandlers } from "../../runtime/handlers/index";
import { RecordedMediaProcessor } from "../../runtime/handlers/media-transcode";
import { RecordedPushSink } from "../../runtime/handlers/notification-batch";
import type { PipelineHandler } from "../../runtime/pipelines/consumer";
import { PubSubDeadLetterSink } from "../../runtime/pipelines/deadletter";
import type { EffectResult } from "../../runtime/pipelines/idempotency";
import { silentLogger } from "../../runtime/pipelines/log";
import type { PipelineMetrics } from "../../runtime/pipelines/metrics";
import type { PipelinePublisher } from "../../runtime/pipelines/publisher";
import { registerPushRoute } from "../../runtime/pipelines/push";
import type { RegionId } from "../../runtime/topology";

/**
 * Push endpoints for the pipelines whose consumer bundle does not mount `POST /pubsub/push`
 * yet: one fastify server in the `avalo up` process with `/<pipeline>/pubsub/push` per
 * pipeline, built from the same handlers (`runtime/handlers`), consumer core and push handler a
 * worker bundle uses. It runs in local auth mode (the emulator sends no OIDC token) with the
 * region filter the emulator ignores applied by the consumer core.
 */
export interface PipelineHostArgs {
  readonly pubsub: PubSub;
  readonly db: Firestore;
  readonly redis: Redis;
  readonly publisher: PipelinePublisher;
  readonly region: RegionId;
  readonly metrics: PipelineMetrics;
  /** Directory of the NDJSON rows that stand in for BigQuery. */
  readonly rowsDir: string;
  readonly pipelines: readonly PipelineSpec[];
}

export interface PipelineHost {
  /** Push endpoint of a hosted pipeline. */
  endpoint(pipeline: string): string;
  /** What the handler returned per event id, for the smoke check. */
  results(eventId: string): readonly EffectResult[];
  close(): Promise<void>;
}

/** Starts the host on a free loopback port. */
export async function startPipelineHost(args: PipelineHostArgs): Promise<PipelineHost> {
  const handlers = createHandlers({
    db: args.db,
    redis: args.redis,
    publisher: args.publisher,
    ai: localDeterministicProvider,
    push: new RecordedPushSink(),
    rows: new NdjsonRowSink(args.rowsDir),
    media: new RecordedMediaProcessor(),
    fraud: localFraudScorer(args.redis),
  });
  const seen = new Map<string, EffectResult[]>();
  const app: FastifyInstance = Fastify({ logger: false });
  const deadLetter = new PubSubDeadLetterSink(args.pubsub);
  for (const spec of args.pipelines) {
    const inner = handlers[spec.name];
    const handler: PipelineHandler = {
      pipeline: inner.pipeline,
      async handle(event, context) {
        const result = await inner.handle(event, context);
        seen.set(event.id, [...(seen.get(event.id) ?? []), result]);
        return result;
      },
    };
    registerPushRoute(app, spec, {
      handler,
      deadLetter,
      auth: { mode: "local" },
      regionFilter: args.region,
      metrics: args.metrics,
      logger: silentLogger,
      path: `/${spec.name}/pubsub/push`,
    });
  }
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    endpoint: (pipeline) => `http://127.0.0.1:${port}/${pipeline}/pubsub/push`,
    results: (eventId) => seen.get(eventId) ?? [],
    close: () => app.close(),
  };
}
