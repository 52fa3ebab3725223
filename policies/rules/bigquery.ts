import {
  at,
  list,
  publicMembers,
  resourceRule,
  type AvaloResourcePolicy,
  type Props,
} from "./define";

const DATASET = "gcp:bigquery/dataset:Dataset";
const TABLE = "gcp:bigquery/table:Table";
const DATASET_IAM = [
  "gcp:bigquery/datasetIamMember:DatasetIamMember",
  "gcp:bigquery/datasetIamBinding:DatasetIamBinding",
  "gcp:bigquery/datasetIamPolicy:DatasetIamPolicy",
  "gcp:bigquery/datasetAccess:DatasetAccess",
];
const TABLE_IAM = [
  "gcp:bigquery/iamMember:IamMember",
  "gcp:bigquery/iamBinding:IamBinding",
  "gcp:bigquery/iamPolicy:IamPolicy",
];
const PUBLIC_GROUPS = ["allAuthenticatedUsers", "allUsers"];

/** Public grants in an IAM resource, a DatasetAccess, or a dataset's inline `accesses`. */
function publicGrants(props: Props): string[] {
  const entries = [props, ...(list(props.accesses) as Props[])];
  const groups = entries
    .flatMap((e) => [e.specialGroup, e.iamMember])
    .filter((g) => PUBLIC_GROUPS.includes(String(g)));
  return [...publicMembers(props), ...(groups as string[])];
}

export const bigQueryRules: AvaloResourcePolicy[] = [
  resourceRule({
    name: "bigquery-dataset-cmek",
    checks: [9],
    requirement: "BigQuery datasets encrypt by default with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    types: [DATASET],
    check: (props, flag) => {
      const key = at(props, "defaultEncryptionConfiguration.kmsKeyName");
      if (!key)
        flag(
          "defaultEncryptionConfiguration.kmsKeyName",
          key,
          "set it to the geography's BigQuery CMEK key.",
        );
    },
  }),
  resourceRule({
    name: "bigquery-table-cmek",
    checks: [10],
    requirement: "BigQuery tables are encrypted with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    types: [TABLE],
    check: (props, flag) => {
      const key = at(props, "encryptionConfiguration.kmsKeyName");
      if (!key)
        flag(
          "encryptionConfiguration.kmsKeyName",
          key,
          "set it to the geography's BigQuery CMEK key.",
        );
    },
  }),
  resourceRule({
    name: "bigquery-dataset-not-public",
    checks: [11],
    requirement: "No BigQuery dataset is readable by allUsers or allAuthenticatedUsers.",
    enforcementLevel: "mandatory",
    types: [DATASET, ...DATASET_IAM],
    check: (props, flag) => {
      const found = publicGrants(props);
      if (found.length > 0)
        flag("access member", found.join(", "), "grant named service accounts or groups only.");
    },
  }),
  resourceRule({
    name: "bigquery-table-not-public",
    checks: [12],
    requirement: "No BigQuery table is readable by allUsers or allAuthenticatedUsers.",
    enforcementLevel: "mandatory",
    types: TABLE_IAM,
    check: (props, flag) => {
      const found = publicMembers(props);
      if (found.length > 0)
        flag("member", found.join(", "), "grant named service accounts or groups only.");
    },
  }),
  resourceRule({
    name: "bigquery-table-partitioned",
    requirement: "BigQuery tables are partitioned (by day on the event time).",
    enforcementLevel: "advisory",
    reason:
      "partitioning bounds query cost and lets partitions expire, but a small lookup table may reasonably skip it",
    types: [TABLE],
    check: (props, flag) => {
      if (!props.timePartitioning && !props.rangePartitioning) {
        flag(
          "timePartitioning",
          undefined,
          'set timePartitioning: { type: "DAY", field: <timestamp column> }.',
        );
      }
    },
  }),
  resourceRule({
    name: "bigquery-table-deletion-protection",
    checks: [13],
    requirement:
      "BigQuery tables set deletion protection on explicitly (unset fails, as in Checkov).",
    enforcementLevel: "mandatory",
    types: [TABLE],
    check: (props, flag) => {
      if (props.deletionProtection !== true)
        flag("deletionProtection", props.deletionProtection, "set deletionProtection: true.");
    },
  }),
  resourceRule({
    name: "bigquery-dataset-expiration",
    checks: [14],
    requirement:
      "BigQuery datasets set a default partition or table expiration, so data is deleted when no longer needed.",
    enforcementLevel: "mandatory",
    types: [DATASET],
    check: (props, flag) => {
      const partition = Number(props.defaultPartitionExpirationMs);
      const table = Number(props.defaultTableExpirationMs);
      if (!(partition > 0) && !(table > 0)) {
        flag(
          "defaultPartitionExpirationMs",
          props.defaultPartitionExpirationMs,
          "set the dataset's retention (Analytics and AuditSink take retentionDays).",
        );
      }
    },
  }),
];
