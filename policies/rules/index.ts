import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { bigQueryRules } from "./bigquery";
import { budgetRules } from "./budget";
import { clientEdgeRules } from "./client-edge";
import { cloudRunRules } from "./cloudrun";
import { firestoreRules } from "./firestore";
import { iamRules } from "./iam";
import { kmsRules } from "./kms";
import { placementRules } from "./placement-rules";
import { pubsubRules } from "./pubsub";
import { redisRules } from "./redis";

/** A rule of the pack: a plain `@pulumi/policy` policy. */
export type AvaloPolicy = ResourceValidationPolicy | StackValidationPolicy;

/**
 * Every rule of Avalo's policy pack. Exported apart from the PolicyPack (policies/index.ts),
 * whose constructor starts the engine's gRPC server, so the offline preview can run the same
 * rules (cli/preview/policies.ts).
 */
export const rules: readonly AvaloPolicy[] = [
  ...pubsubRules,
  ...cloudRunRules,
  ...redisRules,
  ...bigQueryRules,
  ...iamRules,
  ...kmsRules,
  ...firestoreRules,
  ...placementRules,
  ...budgetRules,
  ...clientEdgeRules,
];
