import { auditRules } from "./audit";
import { bigQueryRules } from "./bigquery";
import { budgetRules } from "./budget";
import { clientEdgeRules } from "./client-edge";
import { cloudRunRules } from "./cloudrun";
import { deployRules } from "./deploy";
import type { AvaloResourcePolicy, AvaloStackPolicy } from "./define";
import { firestoreRules } from "./firestore";
import { iamRules } from "./iam";
import { kmsRules } from "./kms";
import { networkRules } from "./network";
import { organisationRules } from "./organisation";
import { placementRules } from "./placement-rules";
import { pubsubRules } from "./pubsub";
import { redisRules } from "./redis";
import { statefulRules } from "./stateful";
import { secretRules } from "./secrets";
import { storageRules } from "./storage";

/** A rule of the pack: a plain `@pulumi/policy` policy plus its references (`meta`). */
export type AvaloPolicy = AvaloResourcePolicy | AvaloStackPolicy;

/**
 * Every rule of Avalo's policy pack. Exported apart from the PolicyPack (policies/index.ts),
 * whose constructor starts the engine's gRPC server, so the offline preview can run the same
 * rules (cli/preview/policies.ts).
 */
export const rules: readonly AvaloPolicy[] = [
  ...pubsubRules,
  ...cloudRunRules,
  ...deployRules,
  ...redisRules,
  ...bigQueryRules,
  ...iamRules,
  ...kmsRules,
  ...firestoreRules,
  ...placementRules,
  ...secretRules,
  ...storageRules,
  ...auditRules,
  ...networkRules,
  ...organisationRules,
  ...budgetRules,
  ...statefulRules,
  ...clientEdgeRules,
];
