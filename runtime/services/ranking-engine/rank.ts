import { HttpError } from "../server/errors";
import type { Candidate, RankedPage } from "./contract";
import {
  candidateSetHash,
  decodeCursor,
  encodeCursor,
  rankCandidates,
  pageAfter,
  type RankingWeights,
} from "./scoring";
import type { EngagementSource, RankingStore } from "./store";

export interface RankArgs {
  readonly userId: string;
  readonly candidates?: readonly Candidate[];
  readonly limit: number;
  readonly cursor?: string;
}

/**
 * One page of a user's ranking. The first page reuses the latest cached ranking or ranks at
 * `now`, and stores the full ranking as a snapshot. Later pages read that snapshot, so they
 * neither repeat nor skip items while signals change. Once the snapshot has expired they
 * re-rank at the cursor's `asOf` and seek past its (score, post id): still no repeats, but an
 * item whose signals changed may move across the cursor.
 */
export async function rankPage(
  args: RankArgs,
  deps: {
    store: RankingStore;
    engagement: EngagementSource;
    weights: RankingWeights;
    now: () => number;
  },
): Promise<RankedPage> {
  const candidates = args.candidates ?? (await deps.store.storedCandidates(args.userId));
  const set = candidateSetHash(candidates);
  const cursor = args.cursor === undefined ? undefined : decodeCursor(args.cursor);
  if (args.cursor !== undefined && (!cursor || cursor.set !== set)) {
    throw new HttpError(400, "invalid request body: cursor: not a cursor of this ranking", {
      field: "cursor",
    });
  }
  const cached = await deps.store.cached(args.userId);
  const asOf = cursor?.asOf ?? deps.now();
  let ranked =
    cached && cached.set === set && (!cursor || cached.asOf === cursor.asOf)
      ? cached.ranked
      : undefined;
  const hit = ranked !== undefined;
  if (!ranked) {
    const [affinity, engagement] = await Promise.all([
      deps.store.affinity(
        args.userId,
        candidates.map((c) => c.authorId),
      ),
      deps.engagement.engagement(candidates.map((c) => c.postId)),
    ]);
    ranked = rankCandidates(candidates, { affinity, engagement }, asOf, deps.weights);
    await deps.store.cache(args.userId, { asOf, set, ranked });
  }
  const rankingAsOf = hit ? cached!.asOf : asOf;
  const page = pageAfter(ranked, args.limit, cursor);
  return {
    items: page.items,
    ...(page.more && page.last
      ? {
          nextCursor: encodeCursor({
            asOf: rankingAsOf,
            set,
            score: page.last.score,
            postId: page.last.postId,
          }),
        }
      : {}),
    cached: hit,
  };
}
