import type { PipelineName } from "../catalog/names";
import { Timestamp } from "firebase-admin/firestore";
import type { PipelineHandler } from "../pipelines/consumer";
import { TransientError } from "../pipelines/errors";
import { applyOnceFirestore, isApplied } from "../pipelines/idempotency";
import { pipelineSpec } from "../pipelines/spec";
import { aiGenerationEvent } from "../schemas/events";
import { derivedId, type HandlerDeps } from "./deps";

/**
 * ai-generation: asks the AI provider for the companion's reply, stores it in
 * `ai_generations/{requestId}` and notifies the user. The provider sits behind `AiProvider`;
 * ai-inference plugs Vertex AI, or its labelled local stand-in (services/ai-inference/provider.ts).
 */

const spec = pipelineSpec("ai-generation", aiGenerationEvent);

/** The pipelines this handler publishes derived events to; its service's `publishes` lists them. */
export const PUBLISHES = ["notification-batch"] as const satisfies readonly PipelineName[];

export interface AiRequest {
  readonly requestId: string;
  readonly userId: string;
  readonly companionId: string;
  readonly prompt: string;
}

export interface AiResult {
  readonly text: string;
  /** Model or provider label stored with the result. */
  readonly model: string;
}

/** The AI provider interface; production plugs a real model client. */
export interface AiProvider {
  readonly name: string;
  generate(request: AiRequest): Promise<AiResult>;
}

export function createAiGenerationHandler(
  deps: HandlerDeps<typeof PUBLISHES> & { readonly provider: AiProvider },
): PipelineHandler<typeof spec> {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  return {
    pipeline: spec,
    async handle(event) {
      const request = event.data;
      const marker = { pipeline: spec.name, eventId: event.id };
      let result: "applied" | "duplicate" = "duplicate";
      // Skip the (expensive) provider call when a previous delivery already stored the result.
      if (!(await isApplied(db, marker))) {
        let reply: AiResult;
        try {
          reply = await deps.provider.generate(request);
        } catch (err) {
          throw new TransientError(
            `AI provider "${deps.provider.name}" failed: ${(err as Error).message}`,
            { cause: err },
          );
        }
        result = await applyOnceFirestore(db, marker, (batch) =>
          batch.set(db.collection("ai_generations").doc(request.requestId), {
            userId: request.userId,
            companionId: request.companionId,
            text: reply.text,
            model: reply.model,
            provider: deps.provider.name,
            createdAt: Timestamp.fromDate(now()),
          }),
        );
      }
      await deps.publisher.publish(
        "notification-batch",
        {
          notificationId: derivedId(event.id, "ai"),
          userId: request.userId,
          kind: "ai",
          title: "New message",
          body: "Your companion replied.",
        },
        { id: derivedId(event.id, "notify"), region: event.region },
      );
      return result;
    },
  };
}
