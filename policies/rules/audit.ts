import type { PolicyResource } from "@pulumi/policy";
import { at, list, stackRule, type AvaloStackPolicy } from "./define";

const AUDIT_CONFIG = "gcp:projects/iAMAuditConfig:IAMAuditConfig";
const PROJECT_SINK = "gcp:logging/projectSink:ProjectSink";
const LOG_BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig";
const STORAGE_BUCKET = "gcp:storage/bucket:Bucket";
const ORG_SINKS = [
  "gcp:logging/organizationSink:OrganizationSink",
  "gcp:logging/folderSink:FolderSink",
];
/** Services whose resources hold user data, by the resource types that mean the plan uses them. */
const DATA_SERVICES: Readonly<Record<string, string>> = {
  "gcp:firestore/database:Database": "firestore.googleapis.com",
  "gcp:pubsub/topic:Topic": "pubsub.googleapis.com",
  "gcp:bigquery/dataset:Dataset": "bigquery.googleapis.com",
  "gcp:secretmanager/secret:Secret": "secretmanager.googleapis.com",
};
const MIN_AUDIT_RETENTION_DAYS = 365;
/** A filter that selects Cloud Audit Logs. */
const AUDIT_FILTER = /cloudaudit\.googleapis\.com/;

/** Log types an audit config enables for `service` (or for allServices). */
function auditedTypes(resources: readonly PolicyResource[], service: string): Set<string> {
  return new Set(
    resources
      .filter(
        (r) =>
          r.type === AUDIT_CONFIG &&
          (r.props.service === service || r.props.service === "allServices"),
      )
      .flatMap((r) => list(r.props.auditLogConfigs).map((c) => String(at(c, "logType")))),
  );
}

/** Why a sink's destination is, or is not, locked storage kept long enough; undefined when it is. */
function lockedStorageProblem(
  destination: string,
  resources: readonly PolicyResource[],
): string | undefined {
  const logBucket =
    /^logging\.googleapis\.com\/projects\/([^/]+)\/locations\/([^/]+)\/buckets\/([^/]+)$/.exec(
      destination,
    );
  if (logBucket) {
    const [, project, location, id] = logBucket;
    const bucket = resources.find(
      (r) =>
        r.type === LOG_BUCKET &&
        r.props.project === project &&
        r.props.location === location &&
        r.props.bucketId === id,
    );
    if (!bucket) return `log bucket ${id} is not declared in this stack`;
    if (bucket.props.locked !== true) return `log bucket ${id} is not locked`;
    if (!(Number(bucket.props.retentionDays) >= MIN_AUDIT_RETENTION_DAYS)) {
      return `log bucket ${id} keeps entries ${String(bucket.props.retentionDays)} days, under ${MIN_AUDIT_RETENTION_DAYS}`;
    }
    return undefined;
  }
  const gcs = /^storage\.googleapis\.com\/(.+)$/.exec(destination);
  if (gcs) {
    const bucket = resources.find((r) => r.type === STORAGE_BUCKET && r.props.name === gcs[1]);
    return bucket && at(bucket.props, "retentionPolicy.isLocked") === true
      ? undefined
      : `bucket ${gcs[1]} has no locked retention policy`;
  }
  return "it is neither a log bucket nor a Cloud Storage bucket, which can be retention-locked";
}

export const auditRules: AvaloStackPolicy[] = [
  stackRule({
    name: "audit-data-access-logs",
    checks: [15, 30],
    requirement:
      "Data Access audit logs (DATA_READ and DATA_WRITE) are on for every service that holds the stack's data: Firestore, Pub/Sub, BigQuery, Secret Manager.",
    enforcementLevel: "mandatory",
    exemptions: [
      {
        what: "allServices (CKV2_GCP_5's literal form)",
        reason:
          "Data Access logs on every API would log each Cloud Run, KMS and Monitoring read at high volume and cost; the services holding user data are audited instead",
      },
    ],
    check: (args, report) => {
      const used = new Set(
        args.resources.map((r) => DATA_SERVICES[r.type]).filter((s): s is string => !!s),
      );
      for (const service of [...used].sort()) {
        const types = auditedTypes(args.resources, service);
        const missing = ["DATA_READ", "DATA_WRITE"].filter((t) => !types.has(t));
        if (missing.length > 0) {
          report(
            `${service}: Data Access audit log types ${missing.join(", ")} are not enabled. ` +
              "Fix: add a projects.IAMAuditConfig for it (DATA_ACCESS_AUDITED_SERVICES in components/defaults.ts).",
          );
        }
      }
    },
  }),
  stackRule({
    name: "audit-logs-locked-sink",
    checks: [31, 32],
    requirement: `A project sink routes Cloud Audit Logs (cloudaudit.googleapis.com) to retention-locked storage in the geography, kept at least ${MIN_AUDIT_RETENTION_DAYS} days.`,
    enforcementLevel: "mandatory",
    check: (args, report) => {
      const sinks = args.resources.filter(
        (r) => r.type === PROJECT_SINK && AUDIT_FILTER.test(String(r.props.filter ?? "")),
      );
      if (sinks.length === 0) {
        report(
          "no logging.ProjectSink routes Cloud Audit Logs (a filter on logName cloudaudit.googleapis.com). " +
            "Fix: route them to a locked log bucket (AuditSink does).",
        );
        return;
      }
      const problems = sinks.map((s) => ({
        sink: s,
        problem: lockedStorageProblem(String(s.props.destination), args.resources),
      }));
      if (problems.every((p) => p.problem !== undefined)) {
        for (const { sink, problem } of problems) {
          report(
            `${sink.type} "${sink.name}": destination is ${JSON.stringify(sink.props.destination)}, but ${problem}. ` +
              `Fix: send it to a logging.ProjectBucketConfig with locked: true and retentionDays >= ${MIN_AUDIT_RETENTION_DAYS}.`,
            sink.urn,
          );
        }
      }
    },
  }),
  stackRule({
    name: "audit-logs-multi-region-trail",
    checks: [33],
    requirement:
      "An organisation or folder sink with includeChildren collects Cloud Audit Logs of every project and region into one trail.",
    enforcementLevel: "advisory",
    reason:
      "an aggregated trail is an organisation-level control, created by the organisation's admins, not by a project's stack; and one cross-geography trail would move eu and asia audit entries out of their geography, so each geography keeps its own locked trail (audit-logs-locked-sink)",
    check: (args, report) => {
      const trail = args.resources.some(
        (r) =>
          ORG_SINKS.includes(r.type) &&
          r.props.includeChildren === true &&
          AUDIT_FILTER.test(String(r.props.filter ?? "")),
      );
      if (!trail) {
        report(
          "no organisation or folder sink with includeChildren routes Cloud Audit Logs. " +
            "Fix: the organisation's admins add an aggregated sink per geography.",
        );
      }
    },
  }),
];
