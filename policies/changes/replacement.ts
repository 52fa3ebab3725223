/**
 * Which input changes force the provider to replace a resource (Terraform `ForceNew`, magic-modules
 * `immutable: true`), per resource type the program declares. Plain data: the offline diff
 * (cli/preview/diff.ts) and the stateful-destroy policy (policies/rules/stateful.ts) both read it.
 *
 * Paths are Pulumi input paths (camelCase, dotted; a path also covers everything below it). A
 * type missing from the table has not been established: its changes are reported as
 * "replacement unknown", never guessed.
 *
 * Sources: the generated provider code of hashicorp/terraform-provider-google at e03b7622
 * (2026-08-21), `ForceNew: true` in the schema of the named file under google/, cross-checked
 * with GoogleCloudPlatform/magic-modules at d5778440 (mmv1/products/<product>/<Resource>.yaml,
 * `immutable: true`) where the resource is generated from it.
 */
export interface ReplacementRule {
  /** Input paths whose change forces replacement. */
  readonly forces: readonly string[];
  /** Where the list comes from. */
  readonly source: string;
  /** Replacements the list does not model (custom diffs), in words. */
  readonly note?: string;
}

const TPG = "terraform-provider-google google/";
const MM = "magic-modules mmv1/products/";
/** mmv1 generates `project` as ForceNew on every resource; IAM members add role, member, condition. */
const IAM_MEMBER = ["role", "member", "condition"];

export const REPLACEMENT: Readonly<Record<string, ReplacementRule>> = {
  "gcp:redis/instance:Instance": {
    forces: [
      "project",
      "region",
      "name",
      "tier",
      "locationId",
      "alternativeLocationId",
      "authorizedNetwork",
      "connectMode",
      "reservedIpRange",
      "transitEncryptionMode",
      "customerManagedKey",
    ],
    source: `${TPG}services/redis/resource_redis_instance.go; ${MM}redis/Instance.yaml`,
  },
  "gcp:firestore/database:Database": {
    forces: [
      "project",
      "name",
      "locationId",
      "databaseEdition",
      "firestoreDataAccessMode",
      "mongodbCompatibleDataAccessMode",
      "realtimeUpdatesMode",
      "cmekConfig",
      "tags",
    ],
    source: `${TPG}services/firestore/resource_firestore_database.go; ${MM}firestore/Database.yaml`,
  },
  "gcp:firestore/backupSchedule:BackupSchedule": {
    forces: ["project", "database", "dailyRecurrence", "weeklyRecurrence"],
    source: `${TPG}services/firestore/resource_firestore_backup_schedule.go; ${MM}firestore/BackupSchedule.yaml`,
  },
  "gcp:bigquery/dataset:Dataset": {
    forces: ["project", "datasetId", "location", "externalDatasetReference"],
    source: `${TPG}services/bigquery/resource_bigquery_dataset.go; ${MM}bigquery/Dataset.yaml`,
  },
  "gcp:bigquery/table:Table": {
    forces: [
      "project",
      "datasetId",
      "tableId",
      "encryptionConfiguration",
      "timePartitioning.field",
      "rangePartitioning.field",
      "materializedView.query",
      "materializedView.allowNonIncrementalDefinition",
      "externalDataConfiguration.schema",
      "biglakeConfiguration",
      "tableReplicationInfo",
      "schemaForeignTypeInfo",
    ],
    source: `${TPG}services/bigquery/resource_bigquery_table.go (handwritten)`,
    note: "a schema change that drops or retypes a column also replaces the table (the provider's schema CustomizeDiff); not modelled",
  },
  "gcp:bigquery/datasetIamMember:DatasetIamMember": {
    forces: ["project", "datasetId", ...IAM_MEMBER],
    source: `${TPG}services/bigquery/iam_bigquery_dataset.go, tpgiamresource/resource_iam_member.go`,
  },
  "gcp:kms/keyRing:KeyRing": {
    forces: ["project", "name", "location"],
    source: `${TPG}services/kms/resource_kms_key_ring.go; ${MM}kms/KeyRing.yaml`,
  },
  "gcp:kms/cryptoKey:CryptoKey": {
    forces: [
      "keyRing",
      "name",
      "purpose",
      "versionTemplate.protectionLevel",
      "destroyScheduledDuration",
      "importOnly",
      "cryptoKeyBackend",
    ],
    source: `${TPG}services/kms/resource_kms_crypto_key.go; ${MM}kms/CryptoKey.yaml`,
  },
  "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": {
    forces: ["cryptoKeyId", ...IAM_MEMBER],
    source: `${TPG}services/kms/iam_kms_crypto_key.go, tpgiamresource/resource_iam_member.go`,
  },
  "gcp:pubsub/topic:Topic": {
    forces: ["project", "name", "tags"],
    source: `${TPG}services/pubsub/resource_pubsub_topic.go; ${MM}pubsub/Topic.yaml`,
  },
  "gcp:pubsub/subscription:Subscription": {
    forces: ["project", "name", "topic", "filter", "enableMessageOrdering", "tags"],
    source: `${TPG}services/pubsub/resource_pubsub_subscription.go; ${MM}pubsub/Subscription.yaml`,
  },
  "gcp:pubsub/topicIAMMember:TopicIAMMember": {
    forces: ["project", "topic", ...IAM_MEMBER],
    source: `${TPG}services/pubsub/iam_pubsub_topic.go, tpgiamresource/resource_iam_member.go`,
  },
  "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember": {
    forces: ["project", "subscription", ...IAM_MEMBER],
    source: `${TPG}services/pubsub/iam_pubsub_subscription.go, tpgiamresource/resource_iam_member.go`,
  },
  "gcp:storage/bucket:Bucket": {
    forces: [
      "project",
      "name",
      "location",
      "customPlacementConfig.dataLocations",
      "enableObjectRetention",
      "hierarchicalNamespace",
    ],
    source: `${TPG}services/storage/resource_storage_bucket.go (handwritten)`,
  },
  "gcp:storage/bucketObject:BucketObject": {
    forces: [
      "bucket",
      "name",
      "source",
      "content",
      "cacheControl",
      "contentDisposition",
      "contentEncoding",
      "contentLanguage",
      "contentType",
      "customerEncryption",
      "forceEmptyContentType",
      "kmsKeyName",
      "metadata",
      "storageClass",
    ],
    source: `${TPG}services/storage/resource_storage_bucket_object.go (handwritten)`,
  },
  "gcp:storage/bucketIAMMember:BucketIAMMember": {
    forces: ["bucket", ...IAM_MEMBER],
    source: `${TPG}services/storage/iam_storage_bucket.go, tpgiamresource/resource_iam_member.go`,
  },
  "gcp:secretmanager/secret:Secret": {
    forces: ["project", "secretId", "replication", "tags"],
    source: `${TPG}services/secretmanager/resource_secret_manager_secret.go; ${MM}secretmanager/Secret.yaml`,
  },
  "gcp:secretmanager/secretVersion:SecretVersion": {
    forces: ["project", "secret", "secretData", "isSecretDataBase64", "secretDataWoVersion"],
    source: `${TPG}services/secretmanager/resource_secret_manager_secret_version.go; ${MM}secretmanager/SecretVersion.yaml`,
  },
  "gcp:secretmanager/secretIamMember:SecretIamMember": {
    forces: ["project", "secretId", ...IAM_MEMBER],
    source: `${TPG}services/secretmanager/iam_secret_manager_secret.go, tpgiamresource/resource_iam_member.go`,
  },
  "gcp:cloudrunv2/service:Service": {
    forces: ["project", "location", "name", "tags"],
    source: `${TPG}services/cloudrunv2/resource_cloud_run_v2_service.go; ${MM}cloudrunv2/Service.yaml`,
  },
  "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": {
    forces: ["project", "location", "name", ...IAM_MEMBER],
    source: `${TPG}services/cloudrunv2/iam_cloud_run_v2_service.go, tpgiamresource/resource_iam_member.go`,
  },
  "gcp:compute/network:Network": {
    forces: [
      "project",
      "name",
      "description",
      "autoCreateSubnetworks",
      "internalIpv6Range",
      "networkProfile",
      "params",
    ],
    source: `${TPG}services/compute/resource_compute_network.go; ${MM}compute/Network.yaml`,
  },
  "gcp:compute/subnetwork:Subnetwork": {
    forces: [
      "project",
      "name",
      "description",
      "network",
      "region",
      "reservedInternalRange",
      "internalIpv6Prefix",
      "externalIpv6Prefix",
      "params",
      "resolveSubnetMask",
    ],
    source: `${TPG}services/compute/resource_compute_subnetwork.go; ${MM}compute/Subnetwork.yaml`,
  },
  "gcp:compute/globalAddress:GlobalAddress": {
    forces: [
      "project",
      "name",
      "description",
      "address",
      "addressType",
      "ipVersion",
      "network",
      "prefixLength",
      "purpose",
    ],
    source: `${TPG}services/compute/resource_compute_global_address.go; ${MM}compute/GlobalAddress.yaml`,
  },
  "gcp:servicenetworking/connection:Connection": {
    forces: ["network", "service"],
    source: `${TPG}services/servicenetworking/resource_service_networking_connection.go`,
  },
  "gcp:serviceaccount/account:Account": {
    forces: ["project", "accountId"],
    source: `${TPG}services/resourcemanager/resource_google_service_account.go`,
  },
  "gcp:serviceaccount/iAMMember:IAMMember": {
    forces: ["serviceAccountId", ...IAM_MEMBER],
    source: `${TPG}services/resourcemanager/iam_service_account.go, tpgiamresource/resource_iam_member.go`,
  },
  "gcp:projects/iAMMember:IAMMember": {
    forces: ["project", ...IAM_MEMBER],
    source: `${TPG}services/resourcemanager/iam_project.go, tpgiamresource/resource_iam_member.go`,
  },
  "gcp:projects/iAMAuditConfig:IAMAuditConfig": {
    forces: ["project"],
    source: `${TPG}services/resourcemanager/iam_project.go, tpgiamresource/resource_iam_audit_config.go`,
  },
  "gcp:projects/service:Service": {
    forces: ["project", "service"],
    source: `${TPG}services/resourcemanager/resource_google_project_service.go`,
  },
  "gcp:logging/projectSink:ProjectSink": {
    forces: ["project", "name"],
    source: `${TPG}services/logging/resource_logging_project_sink.go, resource_logging_sink.go`,
  },
  "gcp:monitoring/alertPolicy:AlertPolicy": {
    forces: ["project"],
    source: `${TPG}services/monitoring/resource_monitoring_alert_policy.go; ${MM}monitoring/AlertPolicy.yaml`,
  },
  "gcp:monitoring/notificationChannel:NotificationChannel": {
    forces: ["project"],
    source: `${TPG}services/monitoring/resource_monitoring_notification_channel.go; ${MM}monitoring/NotificationChannel.yaml`,
  },
  "gcp:monitoring/dashboard:Dashboard": {
    forces: ["project"],
    source: `${TPG}services/monitoring/resource_monitoring_dashboard.go`,
  },
  "gcp:firebaserules/ruleset:Ruleset": {
    forces: ["project", "source"],
    source: `${TPG}services/firebaserules/resource_firebaserules_ruleset.go (DCL)`,
  },
  "gcp:firebaserules/release:Release": {
    forces: ["project", "name", "rulesetName"],
    source: `${TPG}services/firebaserules/resource_firebaserules_release.go (DCL)`,
  },
};

/** Whether a change at `path` (`template.containers[0].image`) lies at or below `forced`. */
export function covers(forced: string, path: string): boolean {
  if (forced === "*") return true;
  const normalized = path.replace(/\[\d+\]/g, "");
  return (
    normalized === forced ||
    normalized.startsWith(`${forced}.`) ||
    forced.startsWith(`${normalized}.`)
  );
}
