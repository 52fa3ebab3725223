import type { ResourceValidationPolicy } from "@pulumi/policy";
import { resourceRule } from "./define";

const DATABASE = "gcp:firestore/database:Database";

export const firestoreRules: ResourceValidationPolicy[] = [
  resourceRule({
    name: "firestore-point-in-time-recovery",
    control: "Avalo",
    requirement: "Firestore databases keep point-in-time recovery on.",
    enforcementLevel: "mandatory",
    types: [DATABASE],
    check: (props, flag) => {
      if (props.pointInTimeRecoveryEnablement !== "POINT_IN_TIME_RECOVERY_ENABLED") {
        flag(
          "pointInTimeRecoveryEnablement",
          props.pointInTimeRecoveryEnablement,
          'set it to "POINT_IN_TIME_RECOVERY_ENABLED".',
        );
      }
    },
  }),
  resourceRule({
    name: "firestore-delete-protection",
    control: "Avalo",
    requirement: "Firestore databases keep delete protection on.",
    enforcementLevel: "mandatory",
    types: [DATABASE],
    check: (props, flag) => {
      if (props.deleteProtectionState !== "DELETE_PROTECTION_ENABLED") {
        flag(
          "deleteProtectionState",
          props.deleteProtectionState,
          'set it to "DELETE_PROTECTION_ENABLED".',
        );
      }
    },
  }),
];
