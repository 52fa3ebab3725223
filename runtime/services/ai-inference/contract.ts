import { z } from "zod";

/** POST /v1/generate: a companion's reply. Not idempotent: it spends the user's rate budget. */
export const generateRequest = z.object({
  userId: z.string().min(1).max(128),
  companionId: z.string().min(1).max(128),
  prompt: z.string().min(1).max(4000),
});
export type GenerateRequest = z.input<typeof generateRequest>;

export interface GenerateResponse {
  readonly text: string;
  readonly provider: string;
  readonly model: string;
  /** Whether the answer came from the prompt-hash cache. */
  readonly cached: boolean;
}
