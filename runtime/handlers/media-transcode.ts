import type { PipelineName } from "../catalog/names";
import { FieldValue, Timestamp, type DocumentReference } from "firebase-admin/firestore";
import type { PipelineHandler } from "../pipelines/consumer";
import { PoisonMessageError, TransientError } from "../pipelines/errors";
import { applyOnceFirestore } from "../pipelines/idempotency";
import { pipelineSpec } from "../pipelines/spec";
import { mediaTranscodeEvent } from "../schemas/events";
import type { HandlerDeps } from "./deps";

/**
 * media-transcode: records the job in `media_jobs/{mediaId}` (status `queued`, once per event),
 * submits it to the media-processor service through `MediaProcessor` (idempotent per job id; the
 * service client plugs in here), and tracks the outcome on the job: `submitted`/`done`, or
 * `retrying` with the error before the message is nacked. Content types the processor cannot
 * handle are rejected as poison.
 */

const spec = pipelineSpec("media-transcode", mediaTranscodeEvent);

/** The pipelines this handler publishes derived events to; its service's `publishes` lists them. */
export const PUBLISHES = [] as const satisfies readonly PipelineName[];

export interface MediaJob {
  readonly jobId: string;
  readonly mediaId: string;
  readonly ownerId: string;
  readonly contentType: string;
  readonly sourceUri: string;
}

/** The media-processor service, as the handler sees it. */
export interface MediaProcessor {
  /** Submits a job; idempotent per `jobId`. */
  submit(
    job: MediaJob,
  ): Promise<{ readonly status: "accepted" | "done"; readonly outputs?: readonly string[] }>;
}

/** Content types the media-processor takes. */
export const SUPPORTED_MEDIA =
  /^(image\/(jpeg|png|webp|gif|avif|heic)|video\/(mp4|quicktime|webm))$/;

/** LOCAL ONLY: records submitted jobs and reports them done. */
export class RecordedMediaProcessor implements MediaProcessor {
  readonly jobs: MediaJob[] = [];
  async submit(job: MediaJob) {
    if (!this.jobs.some((j) => j.jobId === job.jobId)) this.jobs.push(job);
    return { status: "done" as const, outputs: [`${job.sourceUri}#thumb`] };
  }
}

/** How long a submission claim holds before another delivery may take the job over. */
const CLAIM_LEASE_MILLIS = spec.ackDeadlineSeconds * 1000;

/**
 * Claims the job for submission in a transaction, so concurrent deliveries submit it once:
 * a job is claimable when queued or retrying, or when an earlier claim's lease ran out.
 */
async function claim(ref: DocumentReference, at: Date, leaseMillis: number): Promise<boolean> {
  return ref.firestore.runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    const status = snap.get("status") as string | undefined;
    const claimedAt = snap.get("claimedAt") as Timestamp | undefined;
    const leaseOver = claimedAt !== undefined && at.getTime() - claimedAt.toMillis() > leaseMillis;
    if (!(status === "queued" || status === "retrying" || (status === "submitting" && leaseOver)))
      return false;
    tx.update(ref, { status: "submitting", claimedAt: Timestamp.fromDate(at) });
    return true;
  });
}

export function createMediaTranscodeHandler(
  deps: HandlerDeps<typeof PUBLISHES> & {
    readonly processor: MediaProcessor;
    readonly leaseMillis?: number;
  },
): PipelineHandler<typeof spec> {
  const { db } = deps;
  const leaseMillis = deps.leaseMillis ?? CLAIM_LEASE_MILLIS;
  const now = deps.now ?? (() => new Date());
  return {
    pipeline: spec,
    async handle(event) {
      const m = event.data;
      if (!SUPPORTED_MEDIA.test(m.contentType)) {
        throw new PoisonMessageError(
          "rejected",
          `media ${m.mediaId}: content type "${m.contentType}" is not supported; allowed: ${SUPPORTED_MEDIA.source}`,
        );
      }
      const ref = db.collection("media_jobs").doc(m.mediaId);
      const job: MediaJob = { jobId: m.mediaId, ...m };
      const result = await applyOnceFirestore(
        db,
        { pipeline: spec.name, eventId: event.id },
        (batch) =>
          batch.set(
            ref,
            {
              ...m,
              eventId: event.id,
              status: "queued",
              attempts: 0,
              createdAt: Timestamp.fromDate(now()),
            },
            { merge: true },
          ),
      );
      if (!(await claim(ref, now(), leaseMillis))) return result;
      try {
        const outcome = await deps.processor.submit(job);
        await ref.update({
          status: outcome.status === "done" ? "done" : "submitted",
          outputs: [...(outcome.outputs ?? [])],
          attempts: FieldValue.increment(1),
          updatedAt: Timestamp.fromDate(now()),
        });
      } catch (err) {
        await ref.update({
          status: "retrying",
          lastError: (err as Error).message,
          attempts: FieldValue.increment(1),
        });
        throw new TransientError(
          `media-processor did not take job ${m.mediaId}: ${(err as Error).message}`,
          { cause: err },
        );
      }
      return result;
    },
  };
}
