import { z } from "zod";
import { bodyRoute } from "../server/routes";

/** POST /v1/generate: a companion's reply. Not idempotent: it spends the user's rate budget. */
export const generateRequest = z.strictObject({
  userId: z.string().min(1).max(128),
  companionId: z.string().min(1).max(128),
  prompt: z.string().min(1).max(4000),
});
export type GenerateRequest = z.input<typeof generateRequest>;

/** A 4000-character prompt is at most 12 KB of UTF-8 (24 KB if every character is escaped). */
export const generateRoute = bodyRoute({
  method: "POST",
  url: "/v1/generate",
  body: generateRequest,
  bodyLimitBytes: 32 * 1024,
});

/** Every body route of ai-inference. */
export const AI_INFERENCE_ROUTES = [generateRoute] as const;

export interface GenerateResponse {
  readonly text: string;
  readonly provider: string;
  readonly model: string;
  /** Whether the answer came from the prompt-hash cache. */
  readonly cached: boolean;
}
