import { existsSync, fsyncSync, openSync, readFileSync, writeSync } from "node:fs";
import { PubSub } from "@google-cloud/pubsub";
import { getPipeline } from "../../runtime/catalog/pipelines";
import {
  createEnvelope,
  encodeEnvelope,
  envelopeAttributes,
} from "../../runtime/pipelines/envelope";
import { silentLogger } from "../../runtime/pipelines/log";
import { PipelinePublisher } from "../../runtime/pipelines/publisher";
import { isRegionId } from "../../runtime/topology";
import { eventData, planMessage, type PlannedMessage } from "./plan";

/**
 * The fault suite's publishing process, run on its own so it can be SIGKILLed mid-batch. It
 * publishes messages 0..FAULTS_TOTAL-1 of the plan (valid events through the runtime's
 * PipelinePublisher, poison messages raw to the same topic), skipping the indices listed in the
 * FAULTS_SKIP files, and appends each index whose publish promise RESOLVED to FAULTS_CONFIRMED
 * (written and fsynced every few milliseconds). It paces itself at FAULTS_RATE messages/s with
 * at most FAULTS_WINDOW publishes in flight and prints `{"confirmed":n}` lines. With
 * FAULTS_CREDIT=stdin it also never starts more publishes than the last number read from stdin,
 * so the suite can keep the backlog bounded by what the workers have consumed.
 */

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`publisher-process: environment variable ${name} is required`);
  return value;
}

/** Indices already confirmed by an earlier publisher. */
function readSkips(files: string): Set<number> {
  const skip = new Set<number>();
  for (const file of files.split(",").filter(Boolean)) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (line) skip.add(Number(line));
    }
  }
  return skip;
}

async function main(): Promise<void> {
  const seed = Number(required("FAULTS_SEED"));
  const run = required("FAULTS_RUN");
  const at = required("FAULTS_AT");
  const prefix = required("FAULTS_PREFIX");
  const region = required("FAULTS_REGION");
  if (!isRegionId(region)) throw new Error(`publisher-process: FAULTS_REGION "${region}" unknown`);
  const total = Number(required("FAULTS_TOTAL"));
  const rate = Number(process.env.FAULTS_RATE ?? 4000);
  const window = Number(process.env.FAULTS_WINDOW ?? 500);
  const skip = readSkips(process.env.FAULTS_SKIP ?? "");
  const fd = openSync(required("FAULTS_CONFIRMED"), "a");

  const pubsub = new PubSub({ projectId: required("GOOGLE_CLOUD_PROJECT") });
  const publisher = new PipelinePublisher({
    pubsub,
    region,
    logger: silentLogger,
    topicName: (s) => `${prefix}${s.topic}`,
  });
  const topics = new Map<string, ReturnType<PubSub["topic"]>>();
  const rawTopic = (name: string) => {
    let t = topics.get(name);
    if (!t) topics.set(name, (t = pubsub.topic(`${prefix}${name}`)));
    return t;
  };

  let pending: string[] = [];
  let confirmed = 0;
  let sent = 0;
  const flush = () => {
    if (pending.length === 0) return;
    writeSync(fd, pending.join(""));
    fsyncSync(fd);
    pending = [];
  };
  const flusher = setInterval(flush, 5);
  const progress = setInterval(
    () => process.stdout.write(`${JSON.stringify({ confirmed, sent })}\n`),
    100,
  );

  const publishOne = async (m: PlannedMessage): Promise<void> => {
    const spec = getPipeline(m.pipeline);
    const data = eventData(m, run, at);
    if (m.kind === "valid") {
      await publisher.publish(spec, data as never, { id: m.id });
    } else {
      const envelope = createEnvelope(spec, data as never, { region, id: m.id });
      const attributes = envelopeAttributes(envelope);
      const body =
        m.kind === "malformed"
          ? Buffer.from(`{"id":"${m.id}", not json`)
          : m.kind === "invalid-data"
            ? encodeEnvelope({ ...envelope, data: { bogus: m.index } })
            : encodeEnvelope({ ...envelope, type: "faults.unknown" });
      await rawTopic(spec.topic).publishMessage({ data: body, attributes });
    }
    pending.push(`${m.index}\n`);
    confirmed++;
  };

  let credit = process.env.FAULTS_CREDIT === "stdin" ? 0 : Number.POSITIVE_INFINITY;
  if (process.env.FAULTS_CREDIT === "stdin") {
    let buffered = "";
    process.stdin.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) if (line) credit = Math.max(credit, Number(line));
    });
  }
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < total; i++) {
    if (skip.has(i)) continue;
    const due = started + (sent / rate) * 1000;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    while (inFlight.size >= window) await Promise.race(inFlight);
    while (sent >= credit) await new Promise((r) => setTimeout(r, 20));
    const p = publishOne(planMessage(seed, run, i)).finally(() => inFlight.delete(p));
    inFlight.add(p);
    sent++;
  }
  await Promise.all(inFlight);
  clearInterval(flusher);
  clearInterval(progress);
  flush();
  process.stdout.write(`${JSON.stringify({ confirmed, sent, done: true })}\n`);
  await pubsub.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`publisher-process failed: ${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
