import type { JobStatus, RunJobRequest } from "../batch-processor/contract";
import type { ServiceClient } from "./service-client";

/** Typed client of batch-processor. */
export class BatchProcessorClient {
  constructor(private readonly core: ServiceClient) {}

  /** Runs or resumes a job for one time budget; resuming is idempotent, so retried. */
  run(jobId: string, req: RunJobRequest): Promise<JobStatus> {
    return this.core.call({
      call: "run",
      method: "POST",
      path: `/v1/jobs/${encodeURIComponent(jobId)}/run`,
      body: req,
      idempotent: true,
    });
  }

  /** Runs a job until it is done, one budget per call. */
  async runToCompletion(jobId: string, req: RunJobRequest): Promise<JobStatus> {
    for (;;) {
      const status = await this.run(jobId, req);
      if (status.status !== "paused") return status;
    }
  }

  status(jobId: string): Promise<JobStatus> {
    return this.core.call({
      call: "status",
      method: "GET",
      path: `/v1/jobs/${encodeURIComponent(jobId)}`,
      idempotent: true,
    });
  }
}
