import { z } from "zod";
import { bodyRoute } from "../server/routes";

/** The ranking-engine API, shared by the service and its client. */

const id = z.string().min(1).max(128);

export const candidate = z.strictObject({
  postId: id,
  authorId: id,
  createdAt: z.iso.datetime({ offset: true }),
});
export type Candidate = z.infer<typeof candidate>;

/** POST /v1/rank: one page of a user's ranked feed. Idempotent (a read). */
export const rankRequest = z.strictObject({
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
export const interactionRequest = z.strictObject({
  userId: id,
  authorId: id,
  weight: z.number().int().min(1).max(100).default(1),
});
export type InteractionRequest = z.input<typeof interactionRequest>;

/** POST /v1/candidates: posts to add to users' stored candidates (feed fan-out). Idempotent. */
export const candidatesRequest = z.strictObject({
  userIds: z.array(id).min(1).max(500),
  candidates: z.array(candidate).min(1).max(100),
});
export type CandidatesRequest = z.input<typeof candidatesRequest>;

/** 1000 candidates of about 330 bytes at most, plus a 2000-character cursor. */
export const rankRoute = bodyRoute({
  method: "POST",
  url: "/v1/rank",
  body: rankRequest,
  bodyLimitBytes: 512 * 1024,
});
export const interactionRoute = bodyRoute({
  method: "POST",
  url: "/v1/interactions",
  body: interactionRequest,
  bodyLimitBytes: 4 * 1024,
});
/** 500 user ids and 100 candidates: about 100 KB at most. */
export const candidatesRoute = bodyRoute({
  method: "POST",
  url: "/v1/candidates",
  body: candidatesRequest,
  bodyLimitBytes: 256 * 1024,
});

/** Every body route of ranking-engine. */
export const RANKING_ENGINE_ROUTES = [rankRoute, interactionRoute, candidatesRoute] as const;
