import { z } from "zod";

/**
 * POST /v1/jobs/:jobId/run: runs (or resumes) a named job for at most `budgetSeconds`, then
 * answers with its progress. Run it again until `done`. Resuming is the point, so it is
 * idempotent per job id.
 */
export const runJobRequest = z.object({
  job: z.string().min(1),
  params: z.record(z.string(), z.unknown()),
  /** Time this request may run the job. @default the service timeout minus 30 s */
  budgetSeconds: z.number().int().min(1).max(570).optional(),
});
export type RunJobRequest = z.input<typeof runJobRequest>;

export interface JobStatus {
  readonly jobId: string;
  readonly job: string;
  readonly status: "running" | "paused" | "succeeded" | "failed";
  readonly progress: Readonly<Record<string, unknown>>;
  readonly error?: string;
  readonly updatedAt: string;
}
