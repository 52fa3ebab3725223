import type {
  CandidatesRequest,
  InteractionRequest,
  RankedPage,
  RankRequest,
} from "../ranking-engine/contract";
import type { ServiceClient } from "./service-client";

/** Typed client of ranking-engine. */
export class RankingEngineClient {
  constructor(private readonly core: ServiceClient) {}

  /** One page of the user's ranked feed (a read: retried). */
  rank(req: RankRequest): Promise<RankedPage> {
    return this.core.call({
      call: "rank",
      method: "POST",
      path: "/v1/rank",
      body: req,
      idempotent: true,
    });
  }

  /** Adds posts to users' stored candidates (same post twice is one member: retried). */
  addCandidates(req: CandidatesRequest): Promise<void> {
    return this.core.call({
      call: "addCandidates",
      method: "POST",
      path: "/v1/candidates",
      body: req,
      idempotent: true,
    });
  }

  /** Counts an interaction towards affinity (an increment: never retried). */
  recordInteraction(req: InteractionRequest): Promise<void> {
    return this.core.call({
      call: "recordInteraction",
      method: "POST",
      path: "/v1/interactions",
      body: req,
      idempotent: false,
    });
  }
}
