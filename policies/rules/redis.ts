import { at, resourceRule, type AvaloResourcePolicy } from "./define";

const INSTANCE = "gcp:redis/instance:Instance";

export const redisRules: AvaloResourcePolicy[] = [
  resourceRule({
    name: "redis-auth-enabled",
    checks: [7],
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
    checks: [8],
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
    requirement: "Production Memorystore instances use the STANDARD_HA tier.",
    enforcementLevel: "advisory",
    reason:
      "the cache holds only rebuildable state, so a BASIC instance is a cost choice a stack may make knowingly",
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
