import type { FastifyInstance } from "fastify";
import { createServiceApp } from "../server/app";
import { loadConfig } from "../server/config";
import { getFirestore } from "../../firestore/client";
import { firestoreCheck } from "../server/firestore";

/** batch-processor: skeleton with /healthz; its routes follow. */
export async function buildBatchProcessor(env: NodeJS.ProcessEnv): Promise<FastifyInstance> {
  const config = loadConfig({}, env);
  const db = getFirestore({ projectId: config.GOOGLE_CLOUD_PROJECT });
  return createServiceApp(
    { service: "batch-processor", config, checks: [firestoreCheck(db)] },
    () => undefined,
  );
}
