import { createHash } from "node:crypto";
import type Redis from "ioredis";
import type { RequestRateLimiter } from "../../cache/rate-limit";
import { HttpError } from "../server/errors";
import type { GenerateResponse } from "./contract";
import type { Generation, GenerationInput, GenerationProvider } from "./provider";

/**
 * One generation: answered from the cache when the same provider, model, companion and prompt
 * were seen within the TTL; otherwise the user's rate budget is spent and the provider is
 * called under a timeout.
 */
export interface GenerateDeps {
  readonly provider: GenerationProvider;
  readonly redis: Redis;
  readonly limiter: RequestRateLimiter;
  readonly timeoutMillis: number;
  readonly cacheTtlSeconds: number;
}

/** The cache key: a hash of everything that determines the answer. */
export function promptHash(provider: GenerationProvider, input: GenerationInput): string {
  return createHash("sha256")
    .update([provider.name, provider.model, input.companionId, input.prompt].join("\u001f"))
    .digest("hex");
}

export async function generate(
  input: GenerationInput,
  deps: GenerateDeps,
): Promise<GenerateResponse> {
  const key = `ai:cache:${promptHash(deps.provider, input)}`;
  const hit = await deps.redis.get(key);
  if (hit) return { ...(JSON.parse(hit) as Generation), cached: true };

  const decision = await deps.limiter.consume(input.userId, "generate");
  if (!decision.allowed) {
    throw new HttpError(
      429,
      `rate limit: user ${input.userId} has no generations left; retry in ${Math.ceil(decision.retryAfterMillis / 1000)} s`,
      {
        retryAfterSeconds: Math.ceil(decision.retryAfterMillis / 1000),
      },
    );
  }
  let generation: Generation;
  try {
    generation = await deps.provider.generate(input, AbortSignal.timeout(deps.timeoutMillis));
  } catch (error) {
    const name = (error as Error).name;
    if (name === "TimeoutError" || name === "AbortError") {
      throw new HttpError(
        504,
        `${deps.provider.name} provider did not answer within ${deps.timeoutMillis} ms`,
      );
    }
    throw new HttpError(502, `${deps.provider.name} provider failed: ${(error as Error).message}`);
  }
  await deps.redis.set(key, JSON.stringify(generation), "EX", deps.cacheTtlSeconds);
  return { ...generation, cached: false };
}
