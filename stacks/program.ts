import type * as pulumi from "@pulumi/pulumi";
import { type BundleResult, freshBundles } from "../components/bundling";
import { Geography } from "../components/geography";
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
  /** Source object (`<service>/<sha256>.zip`) per service: the code each service runs. */
  readonly bundleObjects: Readonly<Record<string, pulumi.Output<string>>>;
}

const mapValues = <T, U>(record: Readonly<Partial<Record<string, T>>>, fn: (value: T) => U) =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v as T)]));

/**
 * Builds the stack: one Geography from the validated config and the service bundles (by default
 * the fresh ones in out/bundles; `npm run bundle` writes them).
 */
export function defineStack(config: StackConfig, bundles?: readonly BundleResult[]): StackOutputs {
  const zips = bundles ?? freshBundles();
  if (!zips) {
    throw new Error(
      "the service bundles in out/bundles are missing or older than their sources; run `npm run bundle`",
    );
  }
  const geography = new Geography(config.geography.id, { config, bundles: zips });
  return {
    serviceUrls: mapValues(geography.services, (regional) => mapValues(regional, (s) => s.url)),
    topicNames: mapValues(geography.pipelines, (p) => p.topicName),
    deadLetterTopicNames: mapValues(geography.pipelines, (p) => p.deadLetterTopicName),
    redisHosts: mapValues(geography.cache.regions, (c) => c.host),
    datasetId: geography.analytics.datasetId,
    bundleBucket: geography.bundle.bucket.name,
    bundleObjects: mapValues(geography.bundle.objects, (o) => o.name),
  };
}
