import type { Platform } from "../../cli/local/platform";
import { getPipeline } from "../../runtime/catalog/pipelines";
import { analyticsCounterTotal, markedIds } from "./ledger";
import { ANALYTICS_USERS, analyticsEventName } from "./plan";

/**
 * The push leg of the fault suite: analytics events on the platform's own
 * `avalo-analytics-aggregation` topic, which its push subscription delivers to the
 * analytics-aggregator bundle (a service process of `Platform.services`), under the suite's
 * other faults.
 */

const SPEC = getPipeline("analytics-aggregation");

export interface PushStream {
  /** Run tag of the leg's event ids (`<tag>-<i>`) and its aggregate documents. */
  readonly tag: string;
  /** Ids whose publish resolved. */
  readonly confirmed: Set<string>;
  /** Resolves when every event was published. */
  readonly published: Promise<void>;
  /** Applications so far (the leg's aggregate counter total). */
  applied(): Promise<number>;
}

/** Publishes `total` events at `rate`/s through the platform's publisher. */
export function startPushStream(
  platform: Platform,
  tag: string,
  at: string,
  total: number,
  rate: number,
): PushStream {
  const confirmed = new Set<string>();
  const published = (async () => {
    const started = Date.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i / rate) * 1000;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const id = `${tag}-${i}`;
      inFlight.push(
        platform.publisher
          .publish(
            SPEC,
            {
              eventName: analyticsEventName(tag),
              userId: `u${i % ANALYTICS_USERS}`,
              at,
              value: 1,
            },
            { id },
          )
          .then(() => void confirmed.add(id)),
      );
    }
    await Promise.all(inFlight);
  })();
  return {
    tag,
    confirmed,
    published,
    applied: () => analyticsCounterTotal(platform.db, tag, at, platform.region),
  };
}

/** What the push leg's ledger says. */
export interface PushLedger {
  readonly confirmed: number;
  readonly applied: number;
  readonly counterTotal: number;
  readonly lost: readonly string[];
  readonly duplicated: number;
}

export async function readPushLedger(
  platform: Platform,
  stream: PushStream,
  at: string,
): Promise<PushLedger> {
  const marks = await markedIds(platform.db, SPEC.name, stream.tag);
  const counterTotal = await analyticsCounterTotal(platform.db, stream.tag, at, platform.region);
  const ids = [...stream.confirmed];
  return {
    confirmed: ids.length,
    applied: ids.filter((id) => marks.has(id)).length,
    counterTotal,
    lost: ids.filter((id) => !marks.has(id)),
    duplicated: Math.max(0, counterTotal - marks.size),
  };
}
