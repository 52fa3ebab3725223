import type { PolicyResource } from "@pulumi/policy";
import {
  at,
  list,
  resourceRule,
  shown,
  stackRule,
  type AvaloResourcePolicy,
  type AvaloStackPolicy,
  type RuleConfig,
} from "./define";

const SERVICE_CONFIG = "gcp:firebase/appCheckServiceConfig:AppCheckServiceConfig";
const BUCKET = "gcp:storage/bucket:Bucket";

/**
 * Firebase services a client app reaches directly, by the resource type that puts one in the
 * stack. Each such service must enforce App Check in prod.
 */
const CLIENT_FACING: ReadonlyArray<{ readonly serviceId: string; readonly types: string[] }> = [
  { serviceId: "firestore.googleapis.com", types: ["gcp:firestore/database:Database"] },
  {
    serviceId: "firebasestorage.googleapis.com",
    types: [
      "gcp:firebase/storageBucket:StorageBucket",
      "gcp:firebase/storageDefaultBucket:StorageDefaultBucket",
    ],
  },
  {
    serviceId: "firebasedatabase.googleapis.com",
    types: ["gcp:firebase/databaseInstance:DatabaseInstance"],
  },
];
const CLIENT_FACING_IDS = new Set(CLIENT_FACING.map((c) => c.serviceId));

/** The stack's environment: the policy config's, else the `env` label its resources carry. */
function environmentOf(config: RuleConfig, resources: readonly PolicyResource[]): unknown {
  return config.environment ?? resources.map((r) => at(r.props, "labels.env")).find(Boolean);
}

export const clientEdgeRules: Array<AvaloResourcePolicy | AvaloStackPolicy> = [
  stackRule({
    name: "app-check-enforced-in-prod",
    control: "Avalo",
    requirement:
      "In prod, every client-facing Firebase service in the stack (Firestore, Cloud Storage for Firebase, Realtime Database) enforces App Check.",
    enforcementLevel: "mandatory",
    check: (args, report, config) => {
      if (environmentOf(config, args.resources) !== "prod") return;
      const configs = args.resources.filter((r) => r.type === SERVICE_CONFIG);
      for (const c of configs) {
        const serviceId = String(c.props.serviceId);
        if (CLIENT_FACING_IDS.has(serviceId) && c.props.enforcementMode !== "ENFORCED") {
          report(
            `${c.type} "${c.name}": enforcementMode of ${serviceId} is ${shown(c.props.enforcementMode)}. ` +
              'Fix: set avalo:appCheckEnforcement to "enforced" (the prod default) once App Check metrics show current clients attest.',
            c.urn,
          );
        }
      }
      for (const { serviceId, types } of CLIENT_FACING) {
        const used = args.resources.filter((r) => types.includes(r.type));
        if (used.length === 0) continue;
        if (configs.some((c) => c.props.serviceId === serviceId)) continue;
        for (const r of used) {
          report(
            `${r.type} "${r.name}": App Check for ${serviceId} is not set. ` +
              "Fix: declare the stack's client apps in avalo:clientApps so AppCheck enforces it.",
            r.urn,
          );
        }
      }
    },
  }),
  resourceRule({
    name: "cors-origins-allow-list-in-prod",
    control: "Avalo",
    requirement: "In prod, bucket CORS rules allow only listed https origins: no * and no http://.",
    enforcementLevel: "mandatory",
    types: [BUCKET],
    check: (props, flag, _args, config) => {
      if ((config.environment ?? at(props, "labels.env")) !== "prod") return;
      list(props.cors).forEach((rule, i) => {
        for (const origin of list(at(rule, "origins"))) {
          if (origin === "*" || String(origin).startsWith("http://")) {
            flag(
              `cors[${i}].origins`,
              origin,
              "list the web app's https origins in avalo:corsOrigins; * and http:// are refused in prod.",
            );
          }
        }
      });
    },
  }),
];
