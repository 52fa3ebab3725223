import type { ResourceValidationPolicy } from "@pulumi/policy";
import { at, list, publicMembers, resourceRule, type Props } from "./define";

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

export const bigQueryRules: ResourceValidationPolicy[] = [
  resourceRule({
    name: "bigquery-dataset-cmek",
    control: "CKV_GCP_81",
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
    control: "CKV_GCP_80",
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
    control: "CKV_GCP_15",
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
    control: "CKV_GCP_100",
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
    control: "Avalo",
    requirement: "BigQuery tables are partitioned (by day on the event time).",
    enforcementLevel: "advisory",
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
    control: "CKV_GCP_121",
    requirement: "BigQuery tables keep deletion protection on.",
    enforcementLevel: "mandatory",
    types: [TABLE],
    check: (props, flag) => {
      if (props.deletionProtection === false)
        flag("deletionProtection", false, "set deletionProtection: true.");
    },
  }),
];
