import { FieldValue, type Firestore } from "firebase-admin/firestore";
import { z } from "zod";
import { runReshardJob } from "../../jobs/reshard";
import { MAX_SHARD_COUNT } from "../../sharding/config";

/**
 * The named bulk jobs batch-processor runs. Each job commits its progress with its cursor, so a
 * run that stops (time budget spent, instance gone) resumes where the last commit left off when
 * it is run again under the same job id.
 */
export interface JobProgress {
  readonly done: boolean;
  /** Job-specific progress figures (scanned, moved, shard, cursor ...). */
  readonly [figure: string]: unknown;
}

export interface JobRun {
  /** Stops the job between commits. */
  readonly signal: AbortSignal;
  /** Reports progress after each commit. */
  readonly onProgress: (p: JobProgress) => void;
}

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  readonly description: string;
  readonly params: S;
  run(db: Firestore, jobId: string, params: z.infer<S>, run: JobRun): Promise<JobProgress>;
}

const reshardParams = z.object({
  sourcePattern: z.string().includes("{shard}"),
  targetPattern: z.string().includes("{shard}").optional(),
  shardPrefix: z.string().regex(/^[a-z][a-z0-9_]*$/),
  from: z.number().int().min(1).max(MAX_SHARD_COUNT),
  to: z.number().int().min(1).max(MAX_SHARD_COUNT),
});

const backfillParams = z.object({
  /** Collection whose documents are counted. */
  sourceCollection: z.string().regex(/^[A-Za-z0-9_-]+$/),
  /** Field holding the entity id each document counts towards. */
  entityField: z.string().min(1).max(100),
  /** Counter collection the totals go to (one document per entity, field `value`). */
  targetCollection: z.string().regex(/^[A-Za-z0-9_-]+$/),
  pageSize: z.number().int().min(1).max(400).default(400),
});

/**
 * counter-backfill: recounts `sourceCollection` by `entityField` into `targetCollection`. Each
 * page's increments and the job's cursor commit in one batch, so a resumed job never counts a
 * document twice.
 */
async function runCounterBackfill(
  db: Firestore,
  jobId: string,
  p: z.infer<typeof backfillParams>,
  run: JobRun,
): Promise<JobProgress> {
  const cursorRef = db.collection("backfill_jobs").doc(jobId);
  const state = (await cursorRef.get()).data() as
    { after: string | null; scanned: number; done: boolean } | undefined;
  let after = state?.after ?? null;
  let scanned = state?.scanned ?? 0;
  if (state?.done) return { done: true, scanned, after };
  for (;;) {
    if (run.signal.aborted) return { done: false, scanned, after };
    let q = db.collection(p.sourceCollection).orderBy("__name__").limit(p.pageSize);
    if (after) q = q.startAfter(after);
    const page = await q.get();
    const counts = new Map<string, number>();
    for (const d of page.docs) {
      const entity = d.get(p.entityField);
      if (typeof entity === "string" && entity) counts.set(entity, (counts.get(entity) ?? 0) + 1);
    }
    const batch = db.batch();
    for (const [entity, n] of counts) {
      batch.set(
        db.collection(p.targetCollection).doc(encodeURIComponent(entity)),
        { value: FieldValue.increment(n) },
        { merge: true },
      );
    }
    scanned += page.size;
    after = page.docs.at(-1)?.id ?? after;
    const done = page.size < p.pageSize;
    batch.set(cursorRef, {
      after,
      scanned,
      done,
      params: p,
      updatedAt: FieldValue.serverTimestamp(),
    });
    await batch.commit();
    run.onProgress({ done, scanned, after });
    if (done) return { done, scanned, after };
  }
}

export const JOBS: Readonly<Record<string, JobDefinition>> = {
  reshard: {
    description:
      "Moves a sharded collection family from `from` to `to` shards (runtime/jobs/reshard.ts)",
    params: reshardParams,
    async run(db, jobId, params: z.infer<typeof reshardParams>, run) {
      try {
        const p = await runReshardJob(
          db,
          { jobId, ...params },
          {
            signal: run.signal,
            onBatch: (progress) => run.onProgress({ ...progress }),
          },
        );
        return { ...p };
      } catch (error) {
        if (run.signal.aborted) return { done: false, stoppedBy: "time budget" };
        throw error;
      }
    },
  } satisfies JobDefinition<typeof reshardParams>,
  "counter-backfill": {
    description: "Recounts a collection by an entity field into a counter collection",
    params: backfillParams,
    run: runCounterBackfill,
  } satisfies JobDefinition<typeof backfillParams>,
};

export const JOB_NAMES = Object.keys(JOBS);
