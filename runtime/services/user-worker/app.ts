import type { FastifyInstance } from "fastify";
import { createUserCreatedHandler } from "../../handlers/user-created";
import { buildPipelineWorker } from "../server/pipeline-worker";

/** user-worker: consumes avalo-user-created at POST /pubsub/push. */
export function buildUserWorker(env: NodeJS.ProcessEnv): Promise<FastifyInstance> {
  return buildPipelineWorker("user-worker", "user-created", env, createUserCreatedHandler);
}
