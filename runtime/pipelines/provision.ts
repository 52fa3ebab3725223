import type { PubSub } from "@google-cloud/pubsub";
import { PIPELINES, type PipelineSpec } from "../catalog/pipelines";

/**
 * Creates a pipeline's topics and subscriptions in Pub/Sub from the catalog, the way the
 * Pipeline component declares them in the cloud: the topic, its `<topic>-dlq` dead-letter topic,
 * a `<dlq>-hold` subscription that keeps dead letters for inspection and replay, and one
 * consumer subscription per region (pull, or push when an endpoint is given). Both take the
 * catalog's ack deadline; the consumer subscriptions also its retry backoff and dead-letter policy. Idempotent: existing resources are kept.
 * Used by the tests and the local platform against the emulator.
 */

export interface ProvisionArgs {
  /** Pipelines to create. @default every catalog pipeline */
  readonly pipelines?: readonly PipelineSpec[];
  /** Regions that get a consumer subscription. @default ["local"] (one subscription) */
  readonly regions?: readonly string[];
  /** Push endpoint per pipeline name (and region); pull subscriptions where absent. */
  readonly pushEndpoints?:
    Readonly<Record<string, string>> | ((spec: PipelineSpec, region: string) => string | undefined);
  /** Prefix for every topic and subscription id, to isolate tests. @default "" */
  readonly prefix?: string;
  /**
   * Caps the catalog's retry backoff (both bounds), for local runs: with the catalog's 10–600 s a
   * push endpoint that was down for seconds gets its messages back only after minutes, as in the
   * cloud. @default no cap
   */
  readonly maxBackoffSeconds?: number;
}

/** The names `provisionPipelines` creates for one pipeline. */
export interface ProvisionedPipeline {
  readonly spec: PipelineSpec;
  readonly topic: string;
  readonly deadLetterTopic: string;
  /** The dead-letter hold subscription. */
  readonly holdSubscription: string;
  /** Consumer subscription per region. */
  readonly subscriptions: Readonly<Record<string, string>>;
}

/** The names for a pipeline under an optional prefix. */
export function pipelineResourceNames(
  spec: PipelineSpec,
  prefix = "",
  regions: readonly string[] = ["local"],
): ProvisionedPipeline {
  const topic = `${prefix}${spec.topic}`;
  const deadLetterTopic = `${prefix}${spec.deadLetterTopic}`;
  return {
    spec,
    topic,
    deadLetterTopic,
    holdSubscription: `${deadLetterTopic}-hold`,
    subscriptions: Object.fromEntries(regions.map((r) => [r, `${topic}-${r}`])),
  };
}

async function ensure(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if ((err as { code?: number }).code !== 6) throw err; // 6 = ALREADY_EXISTS
  }
}

/**
 * The subscription retry policy. Bounds of 0/0 mean "redeliver at once", which Pub/Sub expresses
 * as no retry policy (measured on the emulator: any policy adds about 2 s per redelivery).
 */
function retryPolicy(spec: PipelineSpec, cap = Infinity) {
  const min = Math.min(spec.retry.minimumBackoffSeconds, cap);
  const max = Math.min(spec.retry.maximumBackoffSeconds, cap);
  if (min === 0 && max === 0) return {};
  return { retryPolicy: { minimumBackoff: { seconds: min }, maximumBackoff: { seconds: max } } };
}

/** Creates topics, the DLQ, its hold subscription and the consumer subscriptions. */
export async function provisionPipelines(
  pubsub: PubSub,
  args: ProvisionArgs = {},
): Promise<ProvisionedPipeline[]> {
  const regions = args.regions ?? ["local"];
  const out: ProvisionedPipeline[] = [];
  for (const spec of args.pipelines ?? PIPELINES) {
    const names = pipelineResourceNames(spec, args.prefix, regions);
    await ensure(() => pubsub.createTopic(names.topic));
    await ensure(() => pubsub.createTopic(names.deadLetterTopic));
    await ensure(() =>
      pubsub.topic(names.deadLetterTopic).createSubscription(names.holdSubscription, {
        ackDeadlineSeconds: spec.ackDeadlineSeconds,
        messageRetentionDuration: { seconds: spec.messageRetentionSeconds },
      }),
    );
    const deadLetterTopic = pubsub.topic(names.deadLetterTopic).name;
    for (const region of regions) {
      const endpoint =
        typeof args.pushEndpoints === "function"
          ? args.pushEndpoints(spec, region)
          : args.pushEndpoints?.[spec.name];
      await ensure(() =>
        pubsub.topic(names.topic).createSubscription(names.subscriptions[region], {
          ackDeadlineSeconds: spec.ackDeadlineSeconds,
          messageRetentionDuration: { seconds: spec.messageRetentionSeconds },
          ...retryPolicy(spec, args.maxBackoffSeconds),
          deadLetterPolicy: { deadLetterTopic, maxDeliveryAttempts: spec.maxDeliveryAttempts },
          enableMessageOrdering: spec.orderingKeyField !== undefined,
          // Production filters on the region attribute; the emulator ignores filters, so the
          // consumer core applies the same rule locally (see ConsumerCoreArgs.regionFilter).
          ...(region !== "local" ? { filter: `attributes.region = "${region}"` } : {}),
          ...(endpoint ? { pushConfig: { pushEndpoint: endpoint } } : {}),
        }),
      );
    }
    out.push(names);
  }
  return out;
}
