import type { FastifyInstance } from "fastify";
import type Redis from "ioredis";
import { z } from "zod";
import { RequestRateLimiter } from "../../cache/rate-limit";
import { createAiGenerationHandler, type AiProvider } from "../../handlers/ai-generation";
import type { Authenticator } from "../server/auth";
import { createServiceApp } from "../server/app";
import { ConfigError, loadConfig, redisEnv } from "../server/config";
import { HttpError } from "../server/errors";
import { mountPipelinePush, pushAuthFor, pushEnv } from "../server/pipeline-worker";
import { connectRedis, redisCheck } from "../server/redis";
import { mountBodyRoute } from "../server/routes";
import { generateRoute } from "./contract";
import { generate } from "./generate";
import { LOCAL_LABEL, localProvider, vertexProvider, type GenerationProvider } from "./provider";

const aiEnv = {
  /** `local` (deterministic, labelled; the default) or `vertex`. */
  AI_PROVIDER: z.enum(["local", "vertex"]).default("local"),
  AI_VERTEX_LOCATION: z.string().min(1).optional(),
  AI_VERTEX_MODEL: z.string().min(1).default("gemini-2.5-flash"),
  AI_TIMEOUT_MILLIS: z.coerce.number().int().min(100).max(110_000).default(60_000),
  AI_GENERATIONS_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  AI_GENERATIONS_PER_DAY: z.coerce.number().int().min(1).default(500),
  AI_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).default(86_400),
};

export interface AiInferenceDeps {
  readonly redis: Redis;
  readonly provider: GenerationProvider;
  readonly authenticator: Authenticator;
}

/**
 * The ai-generation handler's provider: this service's own provider, bounded by its timeout.
 * Pipeline requests come from the platform, not a user, so they skip the per-user limits.
 */
function pipelineProvider(provider: GenerationProvider, timeoutMillis: number): AiProvider {
  return {
    name: provider.name,
    async generate(request) {
      const generation = await provider.generate(
        { userId: request.userId, companionId: request.companionId, prompt: request.prompt },
        AbortSignal.timeout(timeoutMillis),
      );
      return { text: generation.text, model: generation.model };
    },
  };
}

/** The variables ai-inference reads, beyond every service's (`baseEnv`). */
export const SERVICE_ENV = { ...redisEnv, ...aiEnv, ...pushEnv };

/**
 * ai-inference: companion replies behind a provider interface, rate-limited and cached over
 * HTTP; also the consumer of the ai-generation pipeline (`POST /pubsub/push`).
 */
export async function buildAiInference(
  env: NodeJS.ProcessEnv,
  deps: Partial<AiInferenceDeps> = {},
): Promise<FastifyInstance> {
  const config = loadConfig(SERVICE_ENV, env);
  if (config.AI_PROVIDER === "vertex" && !config.AI_VERTEX_LOCATION && !deps.provider) {
    throw new ConfigError(
      "invalid configuration:\n  AI_VERTEX_LOCATION: required when AI_PROVIDER=vertex; it is not set",
      ["AI_VERTEX_LOCATION"],
    );
  }
  const auth = pushAuthFor(config);
  const provider =
    deps.provider ??
    (config.AI_PROVIDER === "vertex"
      ? vertexProvider({
          projectId: config.GOOGLE_CLOUD_PROJECT,
          location: config.AI_VERTEX_LOCATION!,
          model: config.AI_VERTEX_MODEL,
        })
      : localProvider);
  const redis = deps.redis ?? connectRedis(config);
  const limiter = new RequestRateLimiter({
    redis,
    region: config.AVALO_REGION,
    perUser: { points: config.AI_GENERATIONS_PER_DAY, durationSeconds: 86_400 },
    defaultRoute: { points: config.AI_GENERATIONS_PER_MINUTE, durationSeconds: 60 },
  });
  return createServiceApp(
    {
      service: "ai-inference",
      config,
      checks: [redisCheck(redis)],
      authenticator: deps.authenticator,
      onClose: async () => {
        if (!deps.redis) await redis.quit().catch(() => redis.disconnect());
      },
    },
    (app) => {
      if (provider.name === "local") {
        app.log.warn(
          { provider: "local" },
          `AI provider: LOCAL deterministic stand-in; answers start with ${LOCAL_LABEL}`,
        );
      } else {
        app.log.info({ provider: provider.name, model: provider.model }, "AI provider");
      }
      mountPipelinePush(app, {
        service: "ai-inference",
        pipelineName: "ai-generation",
        config,
        auth,
        redis,
        makeHandler: (handlerDeps) =>
          createAiGenerationHandler({
            ...handlerDeps,
            provider: pipelineProvider(provider, config.AI_TIMEOUT_MILLIS),
          }),
      });
      mountBodyRoute(app, generateRoute, async (body, _req, reply) => {
        try {
          return await generate(body, {
            provider,
            redis,
            limiter,
            timeoutMillis: config.AI_TIMEOUT_MILLIS,
            cacheTtlSeconds: config.AI_CACHE_TTL_SECONDS,
          });
        } catch (error) {
          if (error instanceof HttpError && error.statusCode === 429) {
            reply.header("retry-after", String(error.details.retryAfterSeconds));
          }
          throw error;
        }
      });
    },
  );
}
