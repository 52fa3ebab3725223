import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { TABLES, type TableSchema } from "../runtime/schemas/tables";
import type { Apis } from "./apis";
import type { PlatformArgs } from "./context";
import type { Kms } from "./kms";
import { platformLabels } from "./labels";
import { gcpName } from "./naming";
import { checkOneOf, checkPlatformArgs, checkRange } from "./validation";
import { waitFor } from "./outputs";

/** Arguments of {@link Analytics}. */
export interface AnalyticsArgs extends PlatformArgs {
  /** Enabled APIs and service agents. */
  readonly apis: Apis;
  /** Keys: `bigquery` in the data location ("multi"). */
  readonly kms: Kms;
  /**
   * Tables to create.
   * @default TABLES from runtime/schemas/tables.ts
   */
  readonly tables?: readonly TableSchema[];
  /**
   * Days a day's partition of analytics rows is kept (1–3650); the dataset's default partition
   * expiration, inherited by every table it creates.
   * @default 400
   */
  readonly retentionDays?: number;
}

/**
 * Analytics retention when none is configured: 400 days, so a year can be compared with the
 * previous one; older rows serve no report and only cost storage.
 */
const DEFAULT_ANALYTICS_RETENTION_DAYS = 400;

const DAY_MILLIS = 86_400_000;

/** BigQuery allows up to four clustering columns. */
const MAX_CLUSTERING_COLUMNS = 4;

/**
 * The geography's BigQuery dataset, in the geography's BigQuery location and encrypted with
 * CMEK, holding the shared table schemas, each partitioned by day and clustered. Analytics
 * events arrive through a Pub/Sub BigQuery subscription, so the Pub/Sub service agent may edit
 * the dataset's data.
 */
export class Analytics extends pulumi.ComponentResource {
  readonly dataset: gcp.bigquery.Dataset;
  /** Dataset id (e.g. `avalo_us`). */
  readonly datasetId: pulumi.Output<string>;
  /** Tables by table id. */
  readonly tables: Readonly<Record<string, gcp.bigquery.Table>>;
  /** `project.dataset.table` by table id. */
  readonly tableIds: Readonly<Record<string, pulumi.Output<string>>>;
  private readonly subscriberGrant: gcp.bigquery.DatasetIamMember;
  private readonly baseName: string;
  private readonly childOpts: pulumi.CustomResourceOptions;

  constructor(name: string, args: AnalyticsArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("avalo:bigquery:Analytics", name, {}, opts);
    const schemas = args.tables ?? TABLES;
    checkPlatformArgs(this, args);
    const retentionDays = args.retentionDays ?? DEFAULT_ANALYTICS_RETENTION_DAYS;
    checkRange(this, "retentionDays", retentionDays, 1, 3650, "days");
    for (const table of schemas) checkTable(this, table);
    this.baseName = name;
    this.childOpts = { parent: this, dependsOn: args.apis.services };
    const kmsKeyName = args.kms.keyId("bigquery", "multi");
    const labels = platformLabels(args);

    this.dataset = new gcp.bigquery.Dataset(
      name,
      {
        project: args.project,
        datasetId: gcpName("bigquery", "avalo", args.geography.id),
        location: args.geography.bigQueryLocation,
        description: `Avalo analytics of the ${args.geography.id} geography`,
        defaultPartitionExpirationMs: retentionDays * DAY_MILLIS,
        defaultEncryptionConfiguration: { kmsKeyName },
        deleteContentsOnDestroy: false,
        labels,
      },
      this.childOpts,
    );
    this.datasetId = this.dataset.datasetId;
    const tables: Record<string, gcp.bigquery.Table> = {};
    const tableIds: Record<string, pulumi.Output<string>> = {};
    for (const schema of schemas) {
      const table = new gcp.bigquery.Table(
        `${name}-${schema.tableId}`,
        {
          project: args.project,
          datasetId: this.dataset.datasetId,
          tableId: schema.tableId,
          description: schema.description,
          schema: JSON.stringify(
            schema.columns.map((c) => ({
              name: c.name,
              type: c.type,
              mode: c.mode,
              description: c.description,
            })),
          ),
          timePartitioning: { type: "DAY", field: schema.partitionColumn },
          clusterings: [...schema.clusterBy],
          encryptionConfiguration: { kmsKeyName },
          deletionProtection: true,
          labels,
        },
        this.childOpts,
      );
      tables[schema.tableId] = table;
      tableIds[schema.tableId] =
        pulumi.interpolate`${args.project}.${table.datasetId}.${table.tableId}`;
    }
    this.tables = tables;
    this.tableIds = tableIds;
    this.subscriberGrant = new gcp.bigquery.DatasetIamMember(
      `${name}-pubsub-agent-editor`,
      {
        project: args.project,
        datasetId: this.dataset.datasetId,
        role: "roles/bigquery.dataEditor",
        member: args.apis.serviceAgent("pubsub"),
      },
      this.childOpts,
    );
    this.registerOutputs({ datasetId: this.datasetId });
  }

  /**
   * `project.dataset.table` for a Pub/Sub BigQuery subscription; resolves only once the Pub/Sub
   * service agent may write to the dataset, so the subscription never races its grant.
   */
  subscriptionTable(tableId: string): pulumi.Output<string> {
    const ref = this.tableIds[tableId];
    if (!ref) {
      throw new pulumi.ResourceError(
        `\`tableId\` must be one of ${Object.keys(this.tableIds).join(", ")}, but "${tableId}" was provided`,
        this,
      );
    }
    return waitFor(ref, [this.subscriberGrant]);
  }

  /**
   * Lets `member` write rows to the dataset's tables (`roles/bigquery.dataEditor` on the dataset).
   * @param key stable suffix of the grant's resource name, e.g. the writing service's name
   */
  grantWrite(member: pulumi.Input<string>, key: string): gcp.bigquery.DatasetIamMember {
    return new gcp.bigquery.DatasetIamMember(
      `${this.baseName}-write-${key}`,
      {
        project: this.dataset.project,
        datasetId: this.dataset.datasetId,
        role: "roles/bigquery.dataEditor",
        member,
      },
      this.childOpts,
    );
  }
}

function checkTable(component: Analytics, table: TableSchema): void {
  const field = `tables.${table.tableId}`;
  const columns = table.columns.map((c) => c.name);
  const timeColumns = table.columns
    .filter((c) => c.type === "TIMESTAMP" || c.type === "DATE")
    .map((c) => c.name);
  checkOneOf(component, `${field}.partitionColumn`, table.partitionColumn, timeColumns);
  checkRange(
    component,
    `${field}.clusterBy.length`,
    table.clusterBy.length,
    0,
    MAX_CLUSTERING_COLUMNS,
    "columns",
  );
  for (const column of table.clusterBy)
    checkOneOf(component, `${field}.clusterBy[]`, column, columns);
}
