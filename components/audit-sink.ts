import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { AUDIT_LOG_FILTER } from "../runtime/security/audit";
import type { Apis } from "./apis";
import type { PlatformArgs } from "./context";
import { platformLabels } from "./labels";
import { gcpName } from "./naming";
import { checkPlatformArgs, checkRange } from "./validation";
import { waitFor } from "./outputs";

/** Arguments of {@link AuditSink}. */
export interface AuditSinkArgs extends PlatformArgs {
  /** Enabled APIs (BigQuery and Logging among them). */
  readonly apis: Apis;
  /**
   * CMEK key of the dataset, in the geography's BigQuery location; BigQuery's service agent must
   * hold encrypt/decrypt on it (`Kms.keyId("bigquery", "multi")` does).
   */
  readonly kmsKeyName: pulumi.Input<string>;
  /**
   * Days an audit entry is kept (1–3650).
   * @default 400
   */
  readonly retentionDays?: number;
}

/** Audit retention when none is configured: 400 days, a little over a year. */
const DEFAULT_AUDIT_RETENTION_DAYS = 400;

/** Selects every Cloud Audit Log: Admin Activity, Data Access, System Event and Policy Denied. */
const CLOUD_AUDIT_LOG_FILTER = 'logName:"cloudaudit.googleapis.com"';

/** Id of the retention-locked log bucket holding the project's Cloud Audit Logs. */
const CLOUD_AUDIT_BUCKET_ID = "avalo-cloud-audit";

const DAY_MILLIS = 86_400_000;

/**
 * Routes the audit trail to BigQuery in the geography: an `audit` dataset in the geography's
 * BigQuery location, encrypted with CMEK, and a project log sink that sends every audit line
 * (runtime/security/audit.ts prints them with the label the filter matches) into it through
 * its own writer identity, which may edit only this dataset.
 *
 * Retention is a partition expiration: the sink writes one day-partitioned table per log, and
 * each day's partition is dropped `retentionDays` after that day. A table expiration would
 * instead drop the whole table, with its recent entries, once the table itself is that old.
 *
 * Google's own Cloud Audit Logs (who changed or read what, through any API) go to a second sink:
 * a log bucket in the geography's home region, retention-locked for `retentionDays`, so nobody,
 * not even a project owner, can shorten or delete the trail. A sink into a log bucket of its own
 * project has no writer identity and needs no grant.
 */
export class AuditSink extends pulumi.ComponentResource {
  readonly dataset: gcp.bigquery.Dataset;
  readonly sink: gcp.logging.ProjectSink;
  readonly writerGrant: gcp.bigquery.DatasetIamMember;
  /** Retention-locked log bucket of the Cloud Audit Logs, in the home region. */
  readonly cloudAuditBucket: gcp.logging.ProjectBucketConfig;
  /** Routes Cloud Audit Logs into {@link AuditSink.cloudAuditBucket}. */
  readonly cloudAuditSink: gcp.logging.ProjectSink;
  /** Dataset id (`audit`). */
  readonly datasetId: pulumi.Output<string>;
  /** The sink's writer identity (`serviceAccount:...`), once it may write. */
  readonly writerIdentity: pulumi.Output<string>;

  constructor(name: string, args: AuditSinkArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("avalo:logging:AuditSink", name, {}, opts);
    checkPlatformArgs(this, args);
    const retentionDays = args.retentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS;
    checkRange(this, "retentionDays", retentionDays, 1, 3650, "days");
    const childOpts = { parent: this, dependsOn: args.apis.services };

    this.dataset = new gcp.bigquery.Dataset(
      name,
      {
        project: args.project,
        datasetId: gcpName("bigquery", "audit"),
        location: args.geography.bigQueryLocation,
        description: `Avalo audit trail of the ${args.geography.id} geography, kept ${retentionDays} days`,
        defaultPartitionExpirationMs: retentionDays * DAY_MILLIS,
        defaultEncryptionConfiguration: { kmsKeyName: args.kmsKeyName },
        deleteContentsOnDestroy: false,
        labels: platformLabels(args, "multi", { retention_days: String(retentionDays) }),
      },
      childOpts,
    );
    this.datasetId = this.dataset.datasetId;
    this.sink = new gcp.logging.ProjectSink(
      `${name}-sink`,
      {
        project: args.project,
        name: gcpName("generic", "avalo", "audit", "to", "bigquery"),
        description: "Audit entries of privileged actions (runtime/security/audit.ts)",
        destination: pulumi.interpolate`bigquery.googleapis.com/projects/${args.project}/datasets/${this.dataset.datasetId}`,
        filter: AUDIT_LOG_FILTER,
        uniqueWriterIdentity: true,
        bigqueryOptions: { usePartitionedTables: true },
      },
      childOpts,
    );
    this.writerGrant = new gcp.bigquery.DatasetIamMember(
      `${name}-writer`,
      {
        project: args.project,
        datasetId: this.dataset.datasetId,
        role: "roles/bigquery.dataEditor",
        member: this.sink.writerIdentity,
      },
      childOpts,
    );
    this.writerIdentity = waitFor(this.sink.writerIdentity, [this.writerGrant]);
    const home = args.regions[0].gcpRegion;
    this.cloudAuditBucket = new gcp.logging.ProjectBucketConfig(
      `${name}-cloud-audit-logs`,
      {
        project: args.project,
        location: home,
        bucketId: CLOUD_AUDIT_BUCKET_ID,
        description: `Cloud Audit Logs of the ${args.geography.id} geography, locked for ${retentionDays} days`,
        retentionDays,
        locked: true,
      },
      childOpts,
    );
    this.cloudAuditSink = new gcp.logging.ProjectSink(
      `${name}-cloud-audit-sink`,
      {
        project: args.project,
        name: gcpName("generic", "avalo", "cloud", "audit", "to", "locked", "bucket"),
        description: "Cloud Audit Logs into the retention-locked log bucket of the geography",
        destination: pulumi.interpolate`logging.googleapis.com/projects/${this.cloudAuditBucket.project}/locations/${this.cloudAuditBucket.location}/buckets/${this.cloudAuditBucket.bucketId}`,
        filter: CLOUD_AUDIT_LOG_FILTER,
      },
      childOpts,
    );
    this.registerOutputs({ datasetId: this.datasetId, writerIdentity: this.writerIdentity });
  }
}
