import { createHash } from "node:crypto";
import type { Candidate, RankedItem } from "./contract";

/**
 * Feed scoring: a weighted sum of three signals, each in [0, 1]:
 *  - recency: exponential decay with a half-life, measured at the ranking's `asOf` time, so every
 *    page of one ranking sees the same scores;
 *  - affinity: the user's past interactions with the author, saturating (1 − e^(−n/k));
 *  - engagement: likes and views of the post, log-scaled.
 * Ties break on post id, so the order is total and a cursor can seek into it.
 */
export interface RankingWeights {
  readonly recency: number;
  readonly affinity: number;
  readonly engagement: number;
  /** Age at which recency halves, in hours. */
  readonly halfLifeHours: number;
  /** Interactions at which affinity reaches 1 − 1/e. */
  readonly affinityScale: number;
  /** log10 of the engagement at which the signal saturates at 1. */
  readonly engagementLog10Cap: number;
}

export const DEFAULT_WEIGHTS: RankingWeights = {
  recency: 0.5,
  affinity: 0.3,
  engagement: 0.2,
  halfLifeHours: 12,
  affinityScale: 5,
  engagementLog10Cap: 4,
};

export interface Engagement {
  readonly likes: number;
  readonly views: number;
}

export interface Signals {
  /** Interactions of the user with each author. */
  readonly affinity: ReadonlyMap<string, number>;
  readonly engagement: ReadonlyMap<string, Engagement>;
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** Scores one candidate at `asOfMillis`. */
export function scoreCandidate(
  c: Candidate,
  signals: Signals,
  asOfMillis: number,
  w: RankingWeights = DEFAULT_WEIGHTS,
): RankedItem {
  const ageHours = Math.max(0, asOfMillis - Date.parse(c.createdAt)) / 3_600_000;
  const recency = Math.pow(0.5, ageHours / w.halfLifeHours);
  const interactions = signals.affinity.get(c.authorId) ?? 0;
  const affinity = 1 - Math.exp(-interactions / w.affinityScale);
  const e = signals.engagement.get(c.postId) ?? { likes: 0, views: 0 };
  // A like says more than a view.
  const engagement = Math.min(1, Math.log10(1 + 5 * e.likes + e.views) / w.engagementLog10Cap);
  return {
    postId: c.postId,
    authorId: c.authorId,
    score: round(w.recency * recency + w.affinity * affinity + w.engagement * engagement),
    recency: round(recency),
    affinity: round(affinity),
    engagement: round(engagement),
  };
}

/** Total order: score descending, then post id ascending. */
export function compareRanked(a: RankedItem, b: RankedItem): number {
  return b.score - a.score || (a.postId < b.postId ? -1 : a.postId > b.postId ? 1 : 0);
}

/** Ranks candidates (duplicates by post id removed) at `asOfMillis`. */
export function rankCandidates(
  candidates: readonly Candidate[],
  signals: Signals,
  asOfMillis: number,
  w: RankingWeights = DEFAULT_WEIGHTS,
): RankedItem[] {
  const unique = [...new Map(candidates.map((c) => [c.postId, c])).values()];
  return unique.map((c) => scoreCandidate(c, signals, asOfMillis, w)).sort(compareRanked);
}

/** A short hash of the candidate set, so a cursor is only used with the ranking it came from. */
export function candidateSetHash(candidates: readonly Candidate[]): string {
  const ids = [...new Set(candidates.map((c) => c.postId))].sort();
  return createHash("sha256").update(ids.join("\n")).digest("base64url").slice(0, 16);
}

/** Where the next page starts: the ranking's time and set, and the last item returned. */
export interface Cursor {
  readonly asOf: number;
  readonly set: string;
  readonly score: number;
  readonly postId: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.asOf, c.set, c.score, c.postId])).toString("base64url");
}

/** Decodes a cursor; undefined when it is not one of ours. */
export function decodeCursor(text: string): Cursor | undefined {
  try {
    const [asOf, set, score, postId] = JSON.parse(
      Buffer.from(text, "base64url").toString(),
    ) as unknown[];
    if (
      typeof asOf !== "number" ||
      typeof set !== "string" ||
      typeof score !== "number" ||
      typeof postId !== "string"
    ) {
      return undefined;
    }
    return { asOf, set, score, postId };
  } catch {
    return undefined;
  }
}

/** The page after `cursor` (or the first page), and the cursor of the page after it. */
export function pageAfter(
  ranked: readonly RankedItem[],
  limit: number,
  cursor: Pick<Cursor, "score" | "postId"> | undefined,
): { items: RankedItem[]; last?: RankedItem; more: boolean } {
  const start = cursor
    ? ranked.findIndex(
        (r) => compareRanked(r, { ...r, score: cursor.score, postId: cursor.postId }) > 0,
      )
    : 0;
  const from = start < 0 ? ranked.length : start;
  const items = ranked.slice(from, from + limit);
  return { items, last: items.at(-1), more: from + limit < ranked.length };
}
