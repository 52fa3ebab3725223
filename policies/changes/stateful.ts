/**
 * The resource types that hold data a replacement or a delete destroys: the one place that says
 * which they are, read by the stateful-destroy policy (policies/rules/stateful.ts) and the preview.
 */
export interface StatefulType {
  /** What the resource is, in words. */
  readonly kind: string;
  /** The data destroyed with it. */
  readonly dataAtRisk: string;
}

export const STATEFUL_TYPES: Readonly<Record<string, StatefulType>> = {
  "gcp:redis/instance:Instance": {
    kind: "Memorystore instance",
    dataAtRisk: "every cached key: sessions, hot counters not yet flushed, rate-limit state",
  },
  "gcp:firestore/database:Database": {
    kind: "Firestore database",
    dataAtRisk: "every document of the database (users, matches, feeds, counters)",
  },
  "gcp:bigquery/dataset:Dataset": {
    kind: "BigQuery dataset",
    dataAtRisk: "every table of the dataset and its rows (analytics history)",
  },
  "gcp:bigquery/table:Table": {
    kind: "BigQuery table",
    dataAtRisk: "every row of the table",
  },
  "gcp:kms/keyRing:KeyRing": {
    kind: "KMS key ring",
    dataAtRisk:
      "the key ring's keys (key rings cannot be deleted, and a new one holds none of the old key versions)",
  },
  "gcp:kms/cryptoKey:CryptoKey": {
    kind: "KMS key",
    dataAtRisk:
      "its key versions: data encrypted with them (topics, buckets, datasets, secrets) becomes unreadable",
  },
  "gcp:pubsub/topic:Topic": {
    kind: "Pub/Sub topic",
    dataAtRisk: "retained messages, and its subscriptions are detached",
  },
  "gcp:pubsub/subscription:Subscription": {
    kind: "Pub/Sub subscription",
    dataAtRisk: "every unacknowledged message (dead letters awaiting replay included)",
  },
  "gcp:storage/bucket:Bucket": {
    kind: "Cloud Storage bucket",
    dataAtRisk: "every object in the bucket (media, bundles, audit logs)",
  },
  "gcp:secretmanager/secret:Secret": {
    kind: "Secret Manager secret",
    dataAtRisk: "every secret version (credentials that running services read)",
  },
};

/** The stateful classification of a type, or undefined for a type without data. */
export function statefulType(type: string): StatefulType | undefined {
  return STATEFUL_TYPES[type];
}
