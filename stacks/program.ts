import type * as pulumi from "@pulumi/pulumi";
import { type Bundle, freshBundles, freshScriptBundle } from "../build/bundles";
import { Geography } from "../components/geography";
import { LOAD_GENERATOR } from "../components/load-generator";
import type { RegionId } from "../runtime/topology";
import type { StackConfig } from "./config";

/** What a stack exports: where its services, topics, caches, dataset and bundles are. */
export interface StackOutputs {
  /** Service URL per region per service name. */
  readonly serviceUrls: Readonly<
    Partial<Record<RegionId, Readonly<Record<string, pulumi.Output<string>>>>>
  >;
  /** Topic id per pipeline name. */
  readonly topicNames: Readonly<Record<string, pulumi.Output<string>>>;
  /** Dead-letter topic id per pipeline name. */
  readonly deadLetterTopicNames: Readonly<Record<string, pulumi.Output<string>>>;
  /** Memorystore host per region. */
  readonly redisHosts: Readonly<Partial<Record<RegionId, pulumi.Output<string>>>>;
  /** BigQuery dataset id of the geography. */
  readonly datasetId: pulumi.Output<string>;
  /** Bucket holding the service bundles. */
  readonly bundleBucket: pulumi.Output<string>;
  /** Source object (`<service>/<sha256>.tar.gz`) per service: the code each service runs. */
  readonly bundleObjects: Readonly<Record<string, pulumi.Output<string>>>;
  /** Cloud Run job name of the load generator, when `avalo:loadGenerator.enabled` is true. */
  readonly loadGeneratorJob?: pulumi.Output<string>;
  /** The load generator's image, by digest, when it is enabled. */
  readonly loadGeneratorImage?: pulumi.Output<string>;
}

const mapValues = <T, U>(record: Readonly<Partial<Record<string, T>>>, fn: (value: T) => U) =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v as T)]));

/** The load simulator's job bundle, by name and entry point (`buildScriptBundle` options). */
export const LOAD_JOB_BUNDLE = { name: LOAD_GENERATOR.name, entry: LOAD_GENERATOR.entry } as const;

/**
 * Builds the stack: one Geography from the validated config and the service bundles (by default
 * the fresh ones in out/bundles; `npm run bundle` writes them), with the load-generator job when
 * the config enables it, from `loadBundle` (by default the fresh one in out/bundles/load-generator).
 */
export function defineStack(
  config: StackConfig,
  bundles?: readonly Bundle[],
  loadBundle?: Bundle,
): StackOutputs {
  const archives = bundles ?? freshBundles();
  if (!archives) {
    throw new Error(
      "the service bundles in out/bundles are missing or older than their sources; run `npm run bundle`",
    );
  }
  const geography = new Geography(config.geography.id, {
    config,
    bundles: archives,
    ...(config.loadGenerator ? { loadBundle: loadBundle ?? freshLoadBundle() } : {}),
  });
  const load = geography.loadGenerator;
  return {
    serviceUrls: mapValues(geography.services, (regional) => mapValues(regional, (s) => s.url)),
    topicNames: mapValues(geography.pipelines, (p) => p.topicName),
    deadLetterTopicNames: mapValues(geography.pipelines, (p) => p.deadLetterTopicName),
    redisHosts: mapValues(geography.cache.regions, (c) => c.host),
    datasetId: geography.analytics.datasetId,
    bundleBucket: geography.bundle.bucket.name,
    bundleObjects: mapValues(geography.bundle.objects, (o) => o.name),
    ...(load
      ? { loadGeneratorJob: load.job.job.name, loadGeneratorImage: load.image.imageRef }
      : {}),
  };
}

function freshLoadBundle(): Bundle {
  const archive = freshScriptBundle(LOAD_JOB_BUNDLE);
  if (!archive) {
    throw new Error(
      `avalo:loadGenerator is enabled but the bundle of ${LOAD_JOB_BUNDLE.entry} in ` +
        `out/bundles/${LOAD_JOB_BUNDLE.name} is missing or older than its sources; run \`npm run bundle\``,
    );
  }
  return archive;
}
