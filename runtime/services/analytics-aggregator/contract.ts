import { z } from "zod";
import { analyticsAggregationEvent } from "../../schemas/events";
import { bodyRoute } from "../server/routes";

/** POST /v1/events: events to roll into hourly aggregates. Not idempotent (increments). */
export const eventsRequest = z.strictObject({
  events: z.array(z.strictObject(analyticsAggregationEvent.shape)).min(1).max(5000),
});
export type EventsRequest = z.input<typeof eventsRequest>;

/** POST /v1/flush: write one hour's aggregates to the warehouse. Idempotent per hour. */
export const flushRequest = z.strictObject({
  hour: z.iso
    .datetime({ offset: true })
    .refine((h) => new Date(h).getTime() % 3_600_000 === 0, "must be the start of an hour"),
});
export type FlushRequest = z.input<typeof flushRequest>;

/** 5000 events of about 300 bytes at most: 1.5 MB. */
export const eventsRoute = bodyRoute({
  method: "POST",
  url: "/v1/events",
  body: eventsRequest,
  bodyLimitBytes: 2 * 1024 * 1024,
});
export const flushRoute = bodyRoute({
  method: "POST",
  url: "/v1/flush",
  body: flushRequest,
  bodyLimitBytes: 1024,
});

/** Every body route of analytics-aggregator. */
export const ANALYTICS_AGGREGATOR_ROUTES = [eventsRoute, flushRoute] as const;

export interface FlushResponse {
  readonly table: string;
  readonly rows: number;
  readonly location: string;
}
