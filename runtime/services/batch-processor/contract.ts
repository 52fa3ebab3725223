import { z } from "zod";
import { bodyRoute } from "../server/routes";

/**
 * POST /v1/jobs/:jobId/run: runs (or resumes) a named job for at most `budgetSeconds`, then
 * answers with its progress. Run it again until `done`. Resuming is the point, so it is
 * idempotent per job id.
 */
export const runJobRequest = z.strictObject({
  job: z.string().min(1).max(64),
  /** The job's own parameters, checked against its schema in jobs.ts. */
  params: z.record(z.string().max(64), z.unknown()),
  /** Time this request may run the job. @default the service timeout minus 30 s */
  budgetSeconds: z.number().int().min(1).max(570).optional(),
});
export type RunJobRequest = z.input<typeof runJobRequest>;

/** Job parameters are a handful of ids, dates and counts. */
export const runJobRoute = bodyRoute({
  method: "POST",
  url: "/v1/jobs/:jobId/run",
  body: runJobRequest,
  bodyLimitBytes: 4 * 1024,
});

/** Every body route of batch-processor. */
export const BATCH_PROCESSOR_ROUTES = [runJobRoute] as const;

export interface JobStatus {
  readonly jobId: string;
  readonly job: string;
  readonly status: "running" | "paused" | "succeeded" | "failed";
  readonly progress: Readonly<Record<string, unknown>>;
  readonly error?: string;
  readonly updatedAt: string;
}
