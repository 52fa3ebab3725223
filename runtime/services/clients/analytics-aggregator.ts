import type { EventsRequest, FlushRequest, FlushResponse } from "../analytics-aggregator/contract";
import type { ServiceClient } from "./service-client";

/** Typed client of analytics-aggregator. */
export class AnalyticsAggregatorClient {
  constructor(private readonly core: ServiceClient) {}

  /** Adds events to their hourly aggregates (increments: never retried). */
  record(req: EventsRequest): Promise<{ events: number; aggregates: number }> {
    return this.core.call({
      call: "record",
      method: "POST",
      path: "/v1/events",
      body: req,
      idempotent: false,
    });
  }

  /** Writes one hour's aggregates to the warehouse (rewrites the same rows: retried). */
  flush(req: FlushRequest): Promise<FlushResponse> {
    return this.core.call({
      call: "flush",
      method: "POST",
      path: "/v1/flush",
      body: req,
      idempotent: true,
    });
  }
}
