import type { FastifyInstance } from "fastify";
import { createMatchCreatedHandler } from "../../handlers/match-created";
import { buildPipelineWorker } from "../server/pipeline-worker";

/** match-worker: consumes avalo-match-created at POST /pubsub/push. */
export function buildMatchWorker(env: NodeJS.ProcessEnv): Promise<FastifyInstance> {
  return buildPipelineWorker("match-worker", "match-created", env, createMatchCreatedHandler);
}
