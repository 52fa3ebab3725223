import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Message } from "@google-cloud/pubsub";
import { LOCAL_PROJECT, startPlatform, type Platform } from "../../cli/local/platform";
import { getPipeline } from "../../runtime/catalog/pipelines";
import { startRedis, type LocalProcess } from "../../runtime/local/processes";
import { redisMarkerKey } from "../../runtime/pipelines/idempotency";
import { provisionPipelines } from "../../runtime/pipelines/provision";
import { probeHealth } from "../../cli/local/services";
import { startScript, type ScriptProcess } from "./child";
import { readPushLedger, startPushStream, type PushLedger } from "./push-stream";
import {
  readLedger,
  analyticsCounterTotal,
  markedIds,
  pushCounts,
  type Ledger,
  type Letter,
} from "./ledger";
import { FAULT_PIPELINES, planMessage, unit, type FaultPipeline } from "./plan";

/**
 * The fault-injection scenario against the local platform (`startPlatform`), with five faults
 * while the traffic flows:
 *  - the publishing process is SIGKILLed mid-batch and a new one republishes everything it had not
 *    confirmed (same envelope ids, so the markers absorb what the first one did send);
 *  - an analytics-aggregation pull worker is SIGKILLed mid-batch and replaced; it pulls with
 *    unary `Pull` (runtime/pipelines/unary-pull.ts), whose leases the emulator redelivers after
 *    the ack deadline (it does not for a killed streaming-pull subscriber, nor for pushes in
 *    flight to a killed bundle);
 *  - redis-server is SIGKILLed and restarted on the same port with the same AOF directory;
 *  - the Firestore emulator is paused for 5 s (SIGSTOP/SIGCONT to its process group);
 *  - 10% of the messages are poison and must reach their dead-letter topic with their reason.
 * The bulk of the traffic runs through the pull workers — the real handlers and consumer core in
 * their own processes — on prefixed copies of the catalog pipelines (same delivery settings,
 * dead-letter topics and hold subscriptions); a smaller push leg goes through the platform's own
 * analytics-aggregator bundle, which the emulator pushes to at about 100 messages/s here.
 */

export interface ScenarioOptions {
  readonly rootDir: string;
  readonly seed: number;
  /** Messages to publish, poison included. */
  readonly total: number;
  /** Publisher pace, messages/s. @default 1500 */
  readonly rate?: number;
  /** Events of the push leg (through the analytics-aggregator bundle). @default 1500 */
  readonly pushTotal?: number;
  /** Push leg pace, events/s. @default 25 */
  readonly pushRate?: number;
  /** Most messages published ahead of what the pull workers consumed. @default 4000 */
  readonly backlog?: number;
  /**
   * Give up waiting for the ledger to settle after this long. Push redeliveries to a restarted
   * worker follow the catalog's retry backoff (10–600 s), so this is generous. @default 600_000
   */
  readonly settleTimeoutMillis?: number;
  readonly log?: (line: string) => void;
}

/** One injected fault and how long the system took to recover from it. */
export interface FaultRecord {
  readonly name: string;
  /** Since the start of the traffic. */
  readonly injectedAtMillis: number;
  /** When the fault was lifted (process restarted, emulator resumed). */
  readonly restoredAtMillis?: number;
  /** When the affected path made progress again. */
  readonly recoveredAtMillis?: number;
  /** recovered − injected. */
  readonly recoveryMillis?: number;
  readonly detail: Record<string, number | string | boolean>;
}

export interface FaultFigures {
  readonly seed: number;
  readonly run: string;
  readonly region: string;
  readonly platformStartupMillis: number;
  /** Messages the plan holds; all of them are published (the first publisher's tail again). */
  readonly planned: number;
  readonly sent: number;
  readonly confirmed: number;
  readonly confirmedValid: number;
  readonly confirmedPoison: number;
  readonly applied: number;
  readonly duplicated: number;
  readonly lost: number;
  readonly unexpected: number;
  readonly poisonDeadLettered: number;
  readonly poisonMissing: number;
  readonly poisonWrongReason: number;
  /** Deliveries the exactly-once markers turned into no-ops (redeliveries, republished ids). */
  readonly redeliveriesAbsorbed: number;
  /** Traffic start to ledger settled. */
  readonly trafficMillis: number;
  /** Confirmed messages per second over the traffic time. */
  readonly ratePerSecond: number;
  readonly faults: readonly FaultRecord[];
  readonly redis: {
    readonly appendonly: string;
    readonly appendfsync: string;
    readonly pushMarkersBeforeRestart: number;
    readonly pushMarkersAfterRestart: number;
  };
  readonly ledger: Ledger;
  /** The push leg through the analytics-aggregator bundle. */
  readonly push: PushLedger & { readonly deadLettered: readonly string[] };
}

interface WorkerLine {
  readonly pid: number;
  readonly ready?: boolean;
  readonly inFlight?: number;
  readonly processed?: number;
  readonly duplicates?: number;
  readonly deadLettered?: number;
  readonly nacked?: number;
}

interface PublisherLine {
  readonly confirmed: number;
  /** Publish calls started. */
  readonly sent: number;
  readonly done?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, timeoutMillis: number, probe: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMillis} ms`);
    await sleep(50);
  }
}

/** Counts `processed:<pipeline>:<run>-*:push` keys. */
async function countRedisMarkers(platform: Platform, run: string): Promise<number> {
  let cursor = "0";
  let count = 0;
  const match = `${redisMarkerKey("notification-batch", `${run}-`)}*`;
  do {
    const [next, keys] = await platform.redis.scan(cursor, "MATCH", match, "COUNT", 5000);
    cursor = next;
    count += keys.length;
  } while (cursor !== "0");
  return count;
}

/** Runs the scenario and returns its figures; everything it started is stopped. */
export async function runFaultScenario(options: ScenarioOptions): Promise<FaultFigures> {
  const log = options.log ?? (() => undefined);
  const { seed, total } = options;
  const run = `f${seed.toString(36)}${randomBytes(2).toString("hex")}`;
  const workDir = join(options.rootDir, "out", "faults", run);
  mkdirSync(workDir, { recursive: true });
  const platform = await startPlatform({ rootDir: options.rootDir, region: "us-east", log });
  const region = platform.region;
  const cleanups: Array<() => Promise<unknown>> = [];
  let firestorePaused = false;
  let newRedis: LocalProcess | undefined;
  const firestoreGroup = platform.emulators.firestore.pid;
  try {
    const [, appendonly] = (await platform.redis.config("GET", "appendonly")) as string[];
    const [, appendfsync] = (await platform.redis.config("GET", "appendfsync")) as string[];
    const [, redisDir] = (await platform.redis.config("GET", "dir")) as string[];

    const prefix = `${run}-`;
    const specs = FAULT_PIPELINES.map((name) => getPipeline(name));
    const provisioned = await provisionPipelines(platform.pubsub, {
      pipelines: specs,
      regions: [region],
      prefix,
    });
    const letters = new Map<string, Letter[]>();
    const realDlq = platform.routes.find((r) => r.spec.name === "analytics-aggregation")!.names;
    for (const names of [...provisioned, realDlq]) {
      const id = `${names.deadLetterTopic}-ledger-${run}`;
      await platform.pubsub.topic(names.deadLetterTopic).createSubscription(id);
      const sub = platform.pubsub.subscription(id, { flowControl: { maxMessages: 2000 } });
      sub.on("message", (m: Message) => {
        const key = m.attributes.id ?? `?${m.id}`;
        const list = letters.get(key) ?? [];
        list.push({ reason: m.attributes.reason ?? "none", error: m.attributes.error ?? "" });
        letters.set(key, list);
        m.ack();
      });
      sub.on("error", () => undefined);
      cleanups.push(() => sub.close());
    }

    const childEnv: NodeJS.ProcessEnv = {
      GOOGLE_CLOUD_PROJECT: LOCAL_PROJECT,
      PUBSUB_EMULATOR_HOST: platform.emulators.pubsub.endpoint,
      FIRESTORE_EMULATOR_HOST: platform.emulators.firestore.endpoint,
      METADATA_SERVER_DETECTION: "none",
      REDIS_HOST: platform.redisServer.host,
      REDIS_PORT: String(platform.redisServer.port),
      REDIS_PASSWORD: platform.redisPassword,
      FAULTS_PREFIX: prefix,
      FAULTS_REGION: region,
      FAULTS_PUSH_LOG: join(workDir, "pushes.log"),
      FAULTS_ROWS_DIR: workDir,
    };
    const workers: Array<{ pipeline: FaultPipeline; proc: ScriptProcess<WorkerLine> }> = [];
    const lastCounts = new Map<number, WorkerLine>();
    const startWorker = (pipeline: FaultPipeline) => {
      const proc = startScript<WorkerLine>("worker-process.ts", {
        ...childEnv,
        FAULTS_PIPELINE: pipeline,
      });
      proc.onLine((line) => lastCounts.set(proc.pid, line));
      workers.push({ pipeline, proc });
      cleanups.push(() => proc.stop());
      return proc;
    };
    /** Last counters of workers that were killed and replaced. */
    const retiredCounts: WorkerLine[] = [];
    const sumCounts = (pipeline?: FaultPipeline, key: keyof WorkerLine = "processed") =>
      workers
        .filter((w) => !pipeline || w.pipeline === pipeline)
        .reduce((sum, w) => sum + Number(lastCounts.get(w.proc.pid)?.[key] ?? 0), 0) +
      retiredCounts.reduce((sum, c) => sum + Number(c[key] ?? 0), 0);

    const initial = [
      startWorker("analytics-aggregation"),
      startWorker("analytics-aggregation"),
      startWorker("notification-batch"),
    ];
    await until("pipeline workers ready", 60_000, () =>
      initial.every((w) => lastCounts.get(w.pid) !== undefined),
    );
    log(`workers ready: ${initial.map((w) => w.pid).join(", ")}`);

    const at = new Date().toISOString();
    const expectedValid = Array.from({ length: total }, (_, i) => planMessage(seed, run, i)).filter(
      (m) => m.kind === "valid",
    ).length;
    const publisherEnv = (confirmedFile: string, skip: string[]) => ({
      ...childEnv,
      FAULTS_SEED: String(seed),
      FAULTS_RUN: run,
      FAULTS_AT: at,
      FAULTS_TOTAL: String(total),
      FAULTS_RATE: String(options.rate ?? 1500),
      FAULTS_CONFIRMED: confirmedFile,
      FAULTS_SKIP: skip.join(","),
      FAULTS_CREDIT: "stdin",
    });
    const confirmedFiles = [join(workDir, "confirmed-1.txt"), join(workDir, "confirmed-2.txt")];
    const trafficStart = Date.now();
    const since = () => Date.now() - trafficStart;
    const publisher1 = startScript<PublisherLine>(
      "publisher-process.ts",
      publisherEnv(confirmedFiles[0], []),
    );
    cleanups.push(() => publisher1.stop());
    const pushTotal = options.pushTotal ?? 1500;
    const pushLeg = startPushStream(platform, `${run}p`, at, pushTotal, options.pushRate ?? 25);
    let pushAppliedNow = 0;
    let pushPolling = true;
    const pushPoller = (async () => {
      while (pushPolling) {
        pushAppliedNow = await pushLeg.applied().catch(() => pushAppliedNow);
        await sleep(1000);
      }
    })();
    cleanups.push(async () => {
      pushPolling = false;
      await pushPoller;
    });
    let publisher2: ScriptProcess<PublisherLine> | undefined;
    // The emulator streams a subscription's whole backlog to its subscribers regardless of flow
    // control, and every buffered message is lease-extended: keep the backlog bounded instead.
    const consumed = () =>
      sumCounts(undefined, "processed") +
      sumCounts(undefined, "duplicates") +
      sumCounts(undefined, "deadLettered");
    let publisher1Recorded = 0;
    const creditTimer = setInterval(() => {
      const credit = consumed() + (options.backlog ?? 4000);
      publisher1.send(String(credit));
      // The second publisher counts only its own publishes.
      publisher2?.send(String(credit - publisher1Recorded));
    }, 200);
    cleanups.push(async () => clearInterval(creditTimer));

    // Fault points, in confirmed publishes, drawn from the seed: every fault happens while
    // messages are still being published, so each affected path has traffic to recover with.
    const point = (from: number, salt: number) =>
      Math.round(total * (from + 0.1 * unit(seed, 0, salt)));
    const publisherKillAt = point(0.15, 11);
    const workerKillAt = point(0.25, 12);
    const redisRestartAt = point(0.35, 13);
    const firestorePauseAt = point(0.55, 14);
    log(
      `run ${run} seed ${seed}: ${total} messages (${expectedValid} valid); faults at confirmed publishes: publisher kill ${publisherKillAt}, redis restart ${redisRestartAt}, Firestore pause ${firestorePauseAt}; worker kill ${workerKillAt}; push leg ${pushTotal} events`,
    );
    const confirmedNow = () =>
      (publisher1.last()?.confirmed ?? 0) + (publisher2?.last()?.confirmed ?? 0);

    const faults: Array<FaultRecord & { recovered?: () => boolean | Promise<boolean> }> = [];
    let pushMarkersBefore = 0;
    let pushMarkersAfter = 0;
    const applied = () => sumCounts(undefined, "processed");
    let lastProgressLog = 0;

    const recordRecovery = async () => {
      for (const f of faults) {
        if (
          f.recoveredAtMillis === undefined &&
          f.restoredAtMillis !== undefined &&
          (await f.recovered?.())
        ) {
          const now = since();
          Object.assign(f, { recoveredAtMillis: now, recoveryMillis: now - f.injectedAtMillis });
          log(`fault ${f.name}: recovered after ${now - f.injectedAtMillis} ms`);
        }
      }
    };

    // 1. SIGKILL the publisher mid-batch; a second one republishes everything not confirmed.
    await until(
      "publisher 1 reaching its kill point",
      300_000,
      () =>
        (publisher1.last()?.confirmed ?? 0) >= publisherKillAt || publisher1.last()?.done === true,
    );
    {
      const confirmedAtKill = publisher1.last()?.confirmed ?? 0;
      publisher1.signal("SIGKILL");
      const injectedAtMillis = since();
      await publisher1.exited;
      const recorded = readFileSync(confirmedFiles[0], "utf8").split("\n").filter(Boolean).length;
      publisher1Recorded = recorded;
      publisher2 = startScript<PublisherLine>(
        "publisher-process.ts",
        publisherEnv(confirmedFiles[1], [confirmedFiles[0]]),
      );
      cleanups.push(() => publisher2!.stop());
      const p2 = publisher2;
      faults.push({
        name: "publisher SIGKILL mid-batch",
        injectedAtMillis,
        restoredAtMillis: since(),
        detail: { confirmedReported: confirmedAtKill, confirmedRecorded: recorded },
        recovered: () => (p2.last()?.confirmed ?? 0) > 0,
      });
      log(`fault: publisher SIGKILLed at ${injectedAtMillis} ms after ${recorded} confirmed`);
    }

    const tick = async (until: () => boolean, what: string, timeoutMillis = 300_000) => {
      const deadline = Date.now() + timeoutMillis;
      while (!until()) {
        await recordRecovery();
        if (Date.now() - lastProgressLog > 5000) {
          lastProgressLog = Date.now();
          log(
            `${since()} ms: confirmed ${confirmedNow()}, applied ${applied()}, duplicates ${sumCounts(undefined, "duplicates")}, dead-lettered ${sumCounts(undefined, "deadLettered")}, nacked ${sumCounts(undefined, "nacked")}`,
          );
        }
        if (Date.now() > deadline)
          throw new Error(`${what} did not happen within ${timeoutMillis} ms`);
        await sleep(250);
      }
    };

    // 2. SIGKILL an analytics-aggregation pull worker mid-batch (it pulls with unary Pull, whose
    // leases the emulator redelivers after the ack deadline) and start a new one in its place;
    // runs beside the other faults, triggered by the confirmed publishes.
    let pushKillRecord: (FaultRecord & { recovered?: () => Promise<boolean> }) | undefined;
    const pushKill = (async () => {
      while (confirmedNow() < workerKillAt) {
        if (since() > 600_000) throw new Error("the worker kill point was never reached");
        await sleep(250);
      }
      const victim = workers.find((w) => w.pipeline === "analytics-aggregation")!;
      // Mid-batch: wait (briefly) for a report with messages in the handler.
      for (let i = 0; i < 200 && !(lastCounts.get(victim.proc.pid)?.inFlight ?? 0); i++) {
        await sleep(25);
      }
      const inFlightAtKill = Number(lastCounts.get(victim.proc.pid)?.inFlight ?? 0);
      const injectedAtMillis = since();
      victim.proc.signal("SIGKILL");
      await victim.proc.exited;
      workers.splice(workers.indexOf(victim), 1);
      const killedCounts = lastCounts.get(victim.proc.pid);
      const replacement = startWorker("analytics-aggregation");
      await until("replacement worker ready", 60_000, () => lastCounts.has(replacement.pid));
      const restoredAtMillis = since();
      const appliedAtRestore = applied();
      // The killed worker's counts stay in the totals; they were applied before the kill.
      if (killedCounts) retiredCounts.push(killedCounts);
      pushKillRecord = {
        name: "pipeline worker SIGKILL mid-batch",
        injectedAtMillis,
        restoredAtMillis,
        detail: {
          pipeline: "analytics-aggregation",
          killedPid: victim.proc.pid,
          replacementPid: replacement.pid,
          inFlightAtKill,
          restartMillis: restoredAtMillis - injectedAtMillis,
        },
        recovered: async () => applied() > appliedAtRestore,
      };
      faults.push(pushKillRecord);
      log(
        `fault: analytics-aggregation pull worker (pid ${victim.proc.pid}) SIGKILLed with ${inFlightAtKill} messages in flight; replaced by ${replacement.pid} in ${restoredAtMillis - injectedAtMillis} ms`,
      );
    })();
    pushKill.catch(() => undefined);

    // 3. SIGKILL redis-server and start it again on the same port with the same AOF directory.
    await tick(() => confirmedNow() >= redisRestartAt, "redis restart point");
    {
      pushMarkersBefore = await countRedisMarkers(platform, run);
      const injectedAtMillis = since();
      process.kill(-platform.redisServer.pid, "SIGKILL");
      await sleep(300);
      newRedis = await startRedis({
        appendOnly: true,
        port: platform.redisServer.port,
        dir: redisDir,
        password: platform.redisPassword,
      });
      const restoredAtMillis = since();
      await until(
        "platform Redis client reconnected",
        30_000,
        () => platform.redis.status === "ready",
      );
      pushMarkersAfter = await countRedisMarkers(platform, run);
      const notifiedAtRestore = sumCounts("notification-batch");
      faults.push({
        name: "redis-server SIGKILL + restart (same port, same AOF dir)",
        injectedAtMillis,
        restoredAtMillis,
        detail: {
          pushMarkersBeforeRestart: pushMarkersBefore,
          pushMarkersAfterRestart: pushMarkersAfter,
        },
        recovered: async () =>
          sumCounts("notification-batch") > notifiedAtRestore ||
          (await Promise.all(platform.services.map((svc) => probeHealth(svc.url)))).every(
            (h) => h.ok,
          ),
      });
      log(
        `fault: redis-server restarted; push markers ${pushMarkersBefore} before, ${pushMarkersAfter} after`,
      );
    }

    // 4. Pause the Firestore emulator for 5 s.
    await tick(() => confirmedNow() >= firestorePauseAt, "Firestore pause point");
    {
      const injectedAtMillis = since();
      process.kill(-firestoreGroup, "SIGSTOP");
      firestorePaused = true;
      await sleep(5000);
      process.kill(-firestoreGroup, "SIGCONT");
      firestorePaused = false;
      const appliedAtResume = applied();
      faults.push({
        name: "Firestore emulator paused 5 s (SIGSTOP/SIGCONT)",
        injectedAtMillis,
        restoredAtMillis: since(),
        detail: { pausedMillis: 5000 },
        recovered: () => applied() > appliedAtResume,
      });
      log(`fault: Firestore emulator paused for 5 s`);
    }

    // Publishing finishes; then wait for the ledger to settle.
    await tick(() => publisher2?.last()?.done === true, "publisher 2 finishing");
    const publisher2Exit = await publisher2.exited;
    if (publisher2Exit !== 0) {
      throw new Error(`publisher 2 exited with ${publisher2Exit}: ${publisher2.errors()}`);
    }
    const confirmed = new Set<number>();
    for (const file of confirmedFiles) {
      if (!existsSync(file)) continue;
      for (const line of readFileSync(file, "utf8").split("\n"))
        if (line) confirmed.add(Number(line));
    }
    const plannedConfirmed = [...confirmed].map((i) => planMessage(seed, run, i));
    const wantAnalytics = plannedConfirmed.filter(
      (m) => m.kind === "valid" && m.pipeline === "analytics-aggregation",
    ).length;
    const wantNotifications = plannedConfirmed.filter(
      (m) => m.kind === "valid" && m.pipeline === "notification-batch",
    ).length;
    const wantPoison = plannedConfirmed.filter((m) => m.kind !== "valid").length;
    await pushLeg.published;
    await pushKill;
    const settleDeadline = Date.now() + (options.settleTimeoutMillis ?? 600_000);
    for (;;) {
      await recordRecovery();
      const [analytics, notifications, pushApplied] = await Promise.all([
        analyticsCounterTotal(platform.db, run, at, region),
        markedIds(platform.db, "notification-batch", run).then((s) => s.size),
        pushLeg.applied(),
      ]);
      const pushed = pushCounts(childEnv.FAULTS_PUSH_LOG!).size;
      const poisonSeen = plannedConfirmed.filter(
        (m) => m.kind !== "valid" && letters.has(m.id),
      ).length;
      log(
        `${since()} ms settling: analytics ${analytics}/${wantAnalytics}, notifications ${notifications}/${wantNotifications} (pushed ${pushed}), poison dead-lettered ${poisonSeen}/${wantPoison}, push leg ${pushApplied}/${pushLeg.confirmed.size}`,
      );
      if (
        pushApplied >= pushLeg.confirmed.size &&
        pushKillRecord &&
        !pushKillRecord.detail.allAppliedAtMillis
      ) {
        pushKillRecord.detail.allAppliedAtMillis = since();
      }
      if (
        pushApplied >= pushLeg.confirmed.size &&
        analytics >= wantAnalytics &&
        notifications >= wantNotifications &&
        pushed >= wantNotifications &&
        poisonSeen >= wantPoison
      ) {
        break;
      }
      if (Date.now() > settleDeadline) {
        log("settle timeout: reading the ledger as it is");
        for (const w of workers) {
          log(
            `worker ${w.proc.pid} (${w.pipeline}): ${JSON.stringify(lastCounts.get(w.proc.pid))}`,
          );
        }
        break;
      }
      await sleep(2000);
    }
    // Late redeliveries of already-applied events must still be absorbed: give them a moment.
    await sleep(3000);
    await recordRecovery();
    const trafficMillis = since();
    const ledger = await readLedger({
      db: platform.db,
      redis: platform.redis,
      seed,
      run,
      at,
      region,
      confirmed,
      letters,
      pushLog: childEnv.FAULTS_PUSH_LOG!,
    });
    const push = await readPushLedger(platform, pushLeg, at);
    const pushDeadLettered = [...pushLeg.confirmed].filter((id) => letters.has(id));
    const p = ledger.pipelines;
    const sent = (publisher1.last()?.sent ?? 0) + (publisher2.last()?.sent ?? 0) + pushTotal;
    return {
      seed,
      run,
      region,
      platformStartupMillis: platform.startupMillis,
      planned: total,
      sent,
      confirmed: confirmed.size + push.confirmed,
      confirmedValid:
        p["analytics-aggregation"].confirmed + p["notification-batch"].confirmed + push.confirmed,
      confirmedPoison: ledger.poison.confirmed,
      applied: p["analytics-aggregation"].applied + p["notification-batch"].applied + push.applied,
      duplicated:
        p["analytics-aggregation"].duplicated +
        p["notification-batch"].duplicated +
        push.duplicated,
      lost:
        push.lost.length +
        p["analytics-aggregation"].lost.length +
        p["notification-batch"].lost.length +
        ledger.notification.redisMarkersMissing.length +
        ledger.notification.pushesMissing.length,
      unexpected:
        p["analytics-aggregation"].unexpected.length + p["notification-batch"].unexpected.length,
      poisonDeadLettered: ledger.poison.deadLettered,
      poisonMissing: ledger.poison.missing.length,
      poisonWrongReason: ledger.poison.wrongReason.length,
      redeliveriesAbsorbed: sumCounts(undefined, "duplicates"),
      trafficMillis,
      ratePerSecond: Math.round(((confirmed.size + push.confirmed) / trafficMillis) * 1000),
      faults: faults.map(({ recovered: _recovered, ...f }) => f),
      redis: {
        appendonly,
        appendfsync,
        pushMarkersBeforeRestart: pushMarkersBefore,
        pushMarkersAfterRestart: pushMarkersAfter,
      },
      ledger,
      push: { ...push, deadLettered: pushDeadLettered },
    };
  } finally {
    if (firestorePaused) process.kill(-firestoreGroup, "SIGCONT");
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await platform.stop();
    // startRedis({dir}) leaves the platform's directory to the platform; only stop the process.
    await newRedis?.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}
