import * as pulumi from "@pulumi/pulumi";
import { buildBundles } from "../components/bundling";
import { loadStackConfig } from "./config";
import { defineStack } from "./program";

/** The Pulumi program (Pulumi.yaml `main: stacks/`): config first, then bundles, then the stack. */
const config = loadStackConfig();
const stack = pulumi.output(buildBundles().then((bundles) => defineStack(config, bundles)));

export const serviceUrls = stack.serviceUrls;
export const topicNames = stack.topicNames;
export const deadLetterTopicNames = stack.deadLetterTopicNames;
export const redisHosts = stack.redisHosts;
export const datasetId = stack.datasetId;
export const bundleBucket = stack.bundleBucket;
export const bundleObjects = stack.bundleObjects;
