import { readFileSync, readlinkSync } from "node:fs";
import type { Platform } from "../../cli/local/platform";
import { startService, waitHealthy, type ServiceProcess } from "../../cli/local/services";
import { getPipeline } from "../../runtime/catalog/pipelines";
import { analyticsCounterTotal, markedIds } from "./ledger";
import { ANALYTICS_USERS, analyticsEventName } from "./plan";

/**
 * The push leg of the fault suite: analytics events on the platform's own
 * `avalo-analytics-aggregation` topic, which its push subscription delivers to the
 * analytics-aggregator bundle (a service process of `Platform.services`). That process is the
 * pipeline worker the suite SIGKILLs mid-batch and restarts on the same port, so the push
 * subscription's redeliveries reach it again.
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

/**
 * SIGKILLs a service process and starts the same bundle again on the same port with the same
 * environment (read from /proc before the kill); resolves with the new process once healthy.
 */
export async function killAndRestartService(
  service: ServiceProcess,
  onKilled: () => void,
): Promise<ServiceProcess> {
  const environ = readFileSync(`/proc/${service.pid}/environ`, "utf8");
  const env = Object.fromEntries(
    environ
      .split("\0")
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
  );
  const [, entry] = readFileSync(`/proc/${service.pid}/cmdline`, "utf8").split("\0");
  const dir = readlinkSync(`/proc/${service.pid}/cwd`);
  process.kill(-service.pid, "SIGKILL");
  onKilled();
  await waitForExit(service);
  const restarted = startService(
    { service: service.service, dir, entry, sha256: "" },
    env,
    service.port,
  );
  await waitHealthy(restarted, 120_000);
  return restarted;
}

async function waitForExit(service: ServiceProcess): Promise<void> {
  for (let i = 0; i < 200 && service.exitCode() === null; i++) {
    try {
      process.kill(service.pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
