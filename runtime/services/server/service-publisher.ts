import { PubSub } from "@google-cloud/pubsub";
import type { FastifyInstance } from "fastify";
import { PipelinePublisher } from "../../pipelines/publisher";
import type { BaseConfig } from "./config";

/**
 * A pipeline publisher for a service's own routes (not its pipeline handler), on its own Pub/Sub
 * client; both are flushed and closed with the app. What a route publishes must be in the
 * service's `publishes` (runtime/catalog/services.ts), which grants it.
 */
export function routePublisher(app: FastifyInstance, config: BaseConfig): PipelinePublisher {
  const pubsub = new PubSub({ projectId: config.GOOGLE_CLOUD_PROJECT });
  const publisher = new PipelinePublisher({ pubsub, region: config.AVALO_REGION });
  app.addHook("onClose", async () => {
    await publisher.flush().catch(() => undefined);
    await pubsub.close();
  });
  return publisher;
}
