import {
  resourceRule,
  seconds,
  stackRule,
  type AvaloResourcePolicy,
  type AvaloStackPolicy,
} from "./define";

const DATABASE = "gcp:firestore/database:Database";
const BACKUP_SCHEDULE = "gcp:firestore/backupSchedule:BackupSchedule";
const MIN_BACKUP_RETENTION_SECONDS = 7 * 86_400;
/** Firestore multi-region locations. */
const MULTI_REGION_LOCATIONS = ["nam5", "nam7", "eur3"];

export const firestoreRules: Array<AvaloResourcePolicy | AvaloStackPolicy> = [
  resourceRule({
    name: "firestore-point-in-time-recovery",
    checks: [47],
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
    checks: [48],
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
  stackRule({
    name: "firestore-backup-schedule",
    checks: [49],
    requirement: "Every Firestore database has a backup schedule keeping backups at least 7 days.",
    enforcementLevel: "mandatory",
    check: (args, report) => {
      const schedules = args.resources.filter((r) => r.type === BACKUP_SCHEDULE);
      for (const db of args.resources.filter((r) => r.type === DATABASE)) {
        const own = schedules.filter(
          (s) => s.props.database === db.props.name && s.props.project === db.props.project,
        );
        if (!own.some((s) => seconds(s.props.retention) >= MIN_BACKUP_RETENTION_SECONDS)) {
          report(
            `${db.type} "${db.name}": no backup schedule keeps its backups ${MIN_BACKUP_RETENTION_SECONDS}s (7 days) or longer. ` +
              "Fix: add a firestore.BackupSchedule with retention >= 604800s (FirestoreDatabase does).",
            db.urn,
          );
        }
      }
    },
  }),
  resourceRule({
    name: "firestore-native-concurrency",
    checks: [50],
    requirement:
      "Firestore databases run in Native mode (serverless autoscaling) and do not force PESSIMISTIC concurrency.",
    enforcementLevel: "mandatory",
    types: [DATABASE],
    check: (props, flag) => {
      if (props.type !== "FIRESTORE_NATIVE") {
        flag("type", props.type, 'set type: "FIRESTORE_NATIVE".');
      }
      if (props.concurrencyMode === "PESSIMISTIC") {
        flag("concurrencyMode", props.concurrencyMode, "leave it unset or use OPTIMISTIC.");
      }
    },
  }),
  resourceRule({
    name: "firestore-multi-region",
    checks: [51],
    requirement: `Firestore databases use a multi-region location (${MULTI_REGION_LOCATIONS.join(", ")}).`,
    enforcementLevel: "advisory",
    reason:
      "data residency: the asia geography's allowed locations (runtime/topology.ts) include no Firestore multi-region, so asia keeps a regional database in asia-east1 beside its services; us (nam5) and eu (eur3) are multi-region",
    types: [DATABASE],
    check: (props, flag) => {
      if (!MULTI_REGION_LOCATIONS.includes(String(props.locationId))) {
        flag("locationId", props.locationId, "use the geography's multi-region where one exists.");
      }
    },
  }),
];
