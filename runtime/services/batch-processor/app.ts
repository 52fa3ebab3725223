import type { FastifyInstance } from "fastify";
import { getFirestore } from "../../firestore/client";
import { initSharding } from "../../sharding/hash";
import { getService } from "../../catalog/services";
import type { Authenticator } from "../server/auth";
import { createServiceApp } from "../server/app";
import { loadConfig } from "../server/config";
import { HttpError } from "../server/errors";
import { firestoreCheck } from "../server/firestore";
import { mountBodyRoute } from "../server/routes";
import { runJobRoute, type JobStatus } from "./contract";
import { JOB_NAMES, JOBS, type JobProgress } from "./jobs";

export interface BatchProcessorDeps {
  readonly authenticator: Authenticator;
}

const STATUS_COLLECTION = "batch_jobs";
const JOB_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** The variables batch-processor reads, beyond every service's (`baseEnv`). */
export const SERVICE_ENV = {};

/** batch-processor: named bulk jobs with progress, resumable by cursor. */
export async function buildBatchProcessor(
  env: NodeJS.ProcessEnv,
  deps: Partial<BatchProcessorDeps> = {},
): Promise<FastifyInstance> {
  const config = loadConfig(SERVICE_ENV, env);
  await initSharding();
  const db = getFirestore({ projectId: config.GOOGLE_CLOUD_PROJECT });
  const statuses = db.collection(STATUS_COLLECTION);
  const defaultBudget = getService("batch-processor").timeoutSeconds - 30;
  const running = new Map<string, AbortController>();

  const save = async (s: JobStatus) => {
    await statuses.doc(s.jobId).set(s);
    return s;
  };

  return createServiceApp(
    {
      service: "batch-processor",
      config,
      checks: [firestoreCheck(db)],
      authenticator: deps.authenticator,
      onClose: () => {
        for (const c of running.values()) c.abort(new Error("shutting down"));
      },
    },
    (app) => {
      app.get("/v1/jobs", async () =>
        JOB_NAMES.map((name) => ({ name, description: JOBS[name].description })),
      );

      app.get<{ Params: { jobId: string } }>("/v1/jobs/:jobId", async (req) => {
        const snap = await statuses.doc(req.params.jobId).get();
        if (!snap.exists) throw new HttpError(404, `job ${req.params.jobId} has never run`);
        return snap.data();
      });

      mountBodyRoute<typeof runJobRoute.body, { jobId: string }>(
        app,
        runJobRoute,
        async (body, req) => {
          const { jobId } = req.params;
          if (!JOB_ID.test(jobId)) {
            throw new HttpError(
              400,
              `invalid job id ${JSON.stringify(jobId)}: use 1–100 letters, digits, "_" or "-"`,
              { field: "jobId" },
            );
          }
          const definition = JOBS[body.job];
          if (!definition) {
            throw new HttpError(
              400,
              `invalid request body: job: unknown job "${body.job}"; allowed: ${JOB_NAMES.join(", ")}`,
              { field: "job" },
            );
          }
          const params = definition.params.safeParse(body.params);
          if (!params.success) {
            const issue = params.error.issues[0];
            const field = ["params", ...issue.path.map(String)].join(".");
            throw new HttpError(400, `invalid request body: ${field}: ${issue.message}`, { field });
          }
          if (running.has(jobId))
            throw new HttpError(409, `job ${jobId} is already running on this instance`);
          const controller = new AbortController();
          running.set(jobId, controller);
          const timer = setTimeout(
            () => controller.abort(new Error("time budget spent")),
            (body.budgetSeconds ?? defaultBudget) * 1000,
          );
          const now = () => new Date().toISOString();
          let last: JobProgress = { done: false };
          try {
            await save({
              jobId,
              job: body.job,
              status: "running",
              progress: last,
              updatedAt: now(),
            });
            const result = await definition.run(db, jobId, params.data, {
              signal: controller.signal,
              onProgress: (p) => {
                last = p;
              },
            });
            const status = await save({
              jobId,
              job: body.job,
              status: result.done ? "succeeded" : "paused",
              progress: result,
              updatedAt: now(),
            });
            req.log.info({ jobId, job: body.job, status: status.status }, "job run ended");
            return status;
          } catch (error) {
            await save({
              jobId,
              job: body.job,
              status: "failed",
              progress: last,
              error: (error as Error).message,
              updatedAt: now(),
            });
            throw new HttpError(
              500,
              `job ${jobId} (${body.job}) failed: ${(error as Error).message}`,
            );
          } finally {
            clearTimeout(timer);
            running.delete(jobId);
          }
        },
      );
    },
  );
}
