import type { FastifyInstance } from "fastify";
import { createFeedFanoutHandler } from "../../handlers/feed-fanout";
import { buildPipelineWorker } from "../server/pipeline-worker";

/** feed-worker: consumes avalo-feed-fanout at POST /pubsub/push. */
export function buildFeedWorker(env: NodeJS.ProcessEnv): Promise<FastifyInstance> {
  return buildPipelineWorker("feed-worker", "feed-fanout", env, (deps) =>
    createFeedFanoutHandler(deps),
  );
}
