import { getPipeline } from "../catalog/pipelines";
import type { PipelinePublisher } from "../pipelines/publisher";
import { EventValidationError } from "../pipelines/errors";
import type { IdTokenSource } from "../services/clients/id-token";
import { LoadOperationError } from "./errors";
import { LoadHttpClient } from "./http-client";
import type { Operation } from "./mix";
import { OPERATION_ROUTES, type OperationContext } from "./operations";

/**
 * Where operations go. `httpTarget` sends every operation over HTTP (a staging stack, a stub, a
 * Cloud Run Job's target); `platformTarget` sends the event-driven ones (likes, chat) through the
 * pipeline publisher and the rest over HTTP (the local platform). See operations.ts for the map.
 */
export interface LoadTarget {
  /** `http` or `platform`, for the result. */
  readonly kind: "http" | "platform";
  /** Sends one operation; throws LoadOperationError with the error type on failure. */
  execute(op: Operation, ctx: OperationContext): Promise<void>;
  /** The entry point an operation reaches on this target, one line. */
  entryPoint(op: Operation): string;
  close(): Promise<void>;
}

export interface HttpTargetArgs {
  /** Base URL of a service (one base for all, or one per service). */
  readonly urlFor: (service: string) => string;
  readonly tokens: IdTokenSource;
  readonly maxSockets: number;
  readonly timeoutMillis?: number;
}

/** Every operation over HTTP. */
export function httpTarget(args: HttpTargetArgs): LoadTarget {
  const client = new LoadHttpClient(args);
  return {
    kind: "http",
    execute: (op, ctx) => client.send(OPERATION_ROUTES[op].httpCall(ctx)),
    entryPoint: (op) => OPERATION_ROUTES[op].http,
    async close() {
      client.close();
    },
  };
}

export interface PlatformTargetArgs extends HttpTargetArgs {
  readonly publisher: Pick<PipelinePublisher, "publish">;
}

/** Event-driven operations through the pipeline publisher, the others over HTTP. */
export function platformTarget(args: PlatformTargetArgs): LoadTarget {
  const client = new LoadHttpClient(args);
  return {
    kind: "platform",
    async execute(op, ctx) {
      const route = OPERATION_ROUTES[op];
      if (!route.publishCall) return client.send(route.httpCall(ctx));
      const call = route.publishCall(ctx);
      try {
        await args.publisher.publish(getPipeline(call.pipeline), call.event as never, {
          id: call.id,
        });
      } catch (error) {
        const type = error instanceof EventValidationError ? "invalid-event" : "publish-failed";
        throw new LoadOperationError(type, (error as Error).message, { cause: error });
      }
    },
    entryPoint: (op) => OPERATION_ROUTES[op].publish ?? OPERATION_ROUTES[op].http,
    async close() {
      client.close();
    },
  };
}
