import { z } from "zod";

/** The ranking-engine API, shared by the service and its client. */

const id = z.string().min(1).max(128);

export const candidate = z.object({
  postId: id,
  authorId: id,
  createdAt: z.iso.datetime({ offset: true }),
});
export type Candidate = z.infer<typeof candidate>;

/** POST /v1/rank: one page of a user's ranked feed. Idempotent (a read). */
export const rankRequest = z.object({
  userId: id,
  /** Candidates to rank; the user's stored feed candidates when omitted. */
  candidates: z.array(candidate).max(1000).optional(),
  limit: z.number().int().min(1).max(100).default(20),
  /** `nextCursor` of the previous page. */
  cursor: z.string().min(1).max(2000).optional(),
});
export type RankRequest = z.input<typeof rankRequest>;

export interface RankedItem {
  readonly postId: string;
  readonly authorId: string;
  readonly score: number;
  readonly recency: number;
  readonly affinity: number;
  readonly engagement: number;
}

export interface RankedPage {
  readonly items: readonly RankedItem[];
  /** Absent on the last page. */
  readonly nextCursor?: string;
  /** Whether the ranking came from the Redis cache. */
  readonly cached: boolean;
}

/** POST /v1/interactions: the user interacted with an author (like, reply, view). Not idempotent. */
export const interactionRequest = z.object({
  userId: id,
  authorId: id,
  weight: z.number().int().min(1).max(100).default(1),
});
export type InteractionRequest = z.input<typeof interactionRequest>;

/** POST /v1/candidates: posts to add to users' stored candidates (feed fan-out). Idempotent. */
export const candidatesRequest = z.object({
  userIds: z.array(id).min(1).max(500),
  candidates: z.array(candidate).min(1).max(100),
});
export type CandidatesRequest = z.input<typeof candidatesRequest>;
