import { z } from "zod";
import { analyticsAggregationEvent } from "../../schemas/events";

/** POST /v1/events: events to roll into hourly aggregates. Not idempotent (increments). */
export const eventsRequest = z.object({
  events: z.array(analyticsAggregationEvent).min(1).max(5000),
});
export type EventsRequest = z.input<typeof eventsRequest>;

/** POST /v1/flush: write one hour's aggregates to the warehouse. Idempotent per hour. */
export const flushRequest = z.object({
  hour: z.iso
    .datetime({ offset: true })
    .refine((h) => new Date(h).getTime() % 3_600_000 === 0, "must be the start of an hour"),
});
export type FlushRequest = z.input<typeof flushRequest>;

export interface FlushResponse {
  readonly table: string;
  readonly rows: number;
  readonly location: string;
}
