import type { ResourceValidationPolicy } from "@pulumi/policy";
import { at, resourceRule } from "./define";

const INSTANCE = "gcp:redis/instance:Instance";

export const redisRules: ResourceValidationPolicy[] = [
  resourceRule({
    name: "redis-auth-enabled",
    control: "CKV_GCP_95",
    requirement: "Memorystore for Redis instances require AUTH.",
    enforcementLevel: "mandatory",
    types: [INSTANCE],
    check: (props, flag) => {
      if (props.authEnabled !== true)
        flag("authEnabled", props.authEnabled, "set authEnabled: true.");
    },
  }),
  resourceRule({
    name: "redis-transit-encryption",
    control: "CKV_GCP_97",
    requirement: "Memorystore for Redis instances encrypt traffic in transit.",
    enforcementLevel: "mandatory",
    types: [INSTANCE],
    check: (props, flag) => {
      if (props.transitEncryptionMode !== "SERVER_AUTHENTICATION") {
        flag(
          "transitEncryptionMode",
          props.transitEncryptionMode,
          'set transitEncryptionMode: "SERVER_AUTHENTICATION".',
        );
      }
    },
  }),
  resourceRule({
    name: "redis-standard-ha-in-prod",
    control: "Avalo",
    requirement: "Production Memorystore instances use the STANDARD_HA tier.",
    enforcementLevel: "advisory",
    types: [INSTANCE],
    check: (props, flag, _args, config) => {
      const env = config.environment ?? at(props, "labels.env");
      if (env === "prod" && props.tier !== "STANDARD_HA") {
        flag(
          "tier",
          props.tier,
          'set tier: "STANDARD_HA" in prod (replica with automatic failover).',
        );
      }
    },
  }),
  resourceRule({
    name: "redis-cmek",
    control: "Avalo",
    requirement: "Memorystore for Redis instances are encrypted with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    types: [INSTANCE],
    check: (props, flag) => {
      if (!props.customerManagedKey) {
        flag(
          "customerManagedKey",
          props.customerManagedKey,
          "set customerManagedKey to the region's Redis CMEK key.",
        );
      }
    },
  }),
];
