import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { Apis } from "./apis";
import type { PlatformArgs } from "./context";
import { FIRESTORE_BACKUP_RETENTION_SECONDS } from "./defaults";
import { kmsDataLocation, kmsLocationFor, type Kms } from "./kms";
import { checkPlatformArgs } from "./validation";

/** Arguments of {@link FirestoreDatabase}. */
export interface FirestoreDatabaseArgs extends PlatformArgs {
  /** Enabled APIs and service agents. */
  readonly apis: Apis;
  /** Keys: `firestore` in the data location ("multi"). */
  readonly kms: Kms;
  /**
   * Encrypt with the geography's `firestore` key (CMEK). CMEK can only be chosen when the
   * database is created.
   * @default true
   */
  readonly cmek?: boolean;
}

/**
 * The geography's Firestore database: `(default)`, native mode, in the geography's Firestore
 * location, with point-in-time recovery, delete protection, CMEK and a daily backup. A destroy
 * abandons the database rather than deleting it: its data outlives the stack.
 */
export class FirestoreDatabase extends pulumi.ComponentResource {
  readonly database: gcp.firestore.Database;
  /** Database name (`(default)`). */
  readonly databaseName: pulumi.Output<string>;
  private readonly apis: Apis;

  constructor(
    name: string,
    args: FirestoreDatabaseArgs,
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    super("avalo:firestore:FirestoreDatabase", name, {}, opts);
    checkPlatformArgs(this, args);
    const cmek = args.cmek ?? true;
    const keyLocation = kmsLocationFor(args.geography.firestoreLocation);
    if (cmek && keyLocation !== kmsDataLocation(args.geography)) {
      // Firestore accepts only a key in its own location; the key ring sits in the BigQuery one.
      throw new pulumi.ResourceError(
        `\`geography.firestoreLocation\` "${args.geography.firestoreLocation}" needs a KMS key in ` +
          `"${keyLocation}", but the geography's data key ring is in "${kmsDataLocation(args.geography)}"; ` +
          "align the Firestore and BigQuery locations or set `cmek: false`",
        this,
      );
    }
    this.apis = args.apis;
    const childOpts = { parent: this, dependsOn: args.apis.services };
    this.database = new gcp.firestore.Database(
      name,
      {
        project: args.project,
        name: "(default)",
        locationId: args.geography.firestoreLocation,
        type: "FIRESTORE_NATIVE",
        databaseEdition: "STANDARD",
        appEngineIntegrationMode: "DISABLED",
        pointInTimeRecoveryEnablement: "POINT_IN_TIME_RECOVERY_ENABLED",
        deleteProtectionState: "DELETE_PROTECTION_ENABLED",
        deletionPolicy: "ABANDON",
        cmekConfig: cmek ? { kmsKeyName: args.kms.keyId("firestore", "multi") } : undefined,
      },
      childOpts,
    );
    new gcp.firestore.BackupSchedule(
      `${name}-daily`,
      {
        project: args.project,
        database: this.database.name,
        retention: `${FIRESTORE_BACKUP_RETENTION_SECONDS}s`,
        dailyRecurrence: {},
      },
      childOpts,
    );
    this.databaseName = this.database.name;
    this.registerOutputs({ databaseName: this.databaseName });
  }

  /**
   * `roles/datastore.user` on this database only (an IAM condition on its name): Firestore has
   * no per-database IAM policy, so the grant is a conditional project binding.
   */
  grantUser(member: pulumi.Input<string>, key: string): gcp.projects.IAMMember {
    const database = this.database;
    return new gcp.projects.IAMMember(
      `${key}-firestore-user`,
      {
        project: database.project,
        role: "roles/datastore.user",
        member,
        condition: {
          title: "avalo-database-only",
          description: "Only the Avalo database of this geography",
          expression: pulumi.interpolate`resource.name == "projects/${database.project}/databases/${database.name}"`,
        },
      },
      { parent: this, dependsOn: this.apis.services },
    );
  }
}
