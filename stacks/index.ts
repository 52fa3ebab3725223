import * as pulumi from "@pulumi/pulumi";
import { buildBundles, buildScriptBundle } from "../build/bundles";
import { loadStackConfig } from "./config";
import { LOAD_JOB_BUNDLE, defineStack } from "./program";

/** The Pulumi program (Pulumi.yaml `main: stacks/`): config first, then bundles, then the stack. */
const config = loadStackConfig();
const stack = pulumi.output(
  Promise.all([
    buildBundles(),
    config.loadGenerator ? buildScriptBundle(LOAD_JOB_BUNDLE) : undefined,
  ]).then(([bundles, loadBundle]) => defineStack(config, bundles, loadBundle)),
);

export const serviceUrls = stack.serviceUrls;
export const topicNames = stack.topicNames;
export const deadLetterTopicNames = stack.deadLetterTopicNames;
export const redisHosts = stack.redisHosts;
export const datasetId = stack.datasetId;
export const bundleBucket = stack.bundleBucket;
export const bundleObjects = stack.bundleObjects;
/** Cloud Run job of the load generator (staging stacks with `avalo:loadGenerator.enabled`). */
export const loadGeneratorJob = stack.loadGeneratorJob;
/** Image of the load generator, by digest (staging stacks with `avalo:loadGenerator.enabled`). */
export const loadGeneratorImage = stack.loadGeneratorImage;
