import { expect } from "chai";
import { Apis } from "../../components/apis";
import { FirestoreDatabase, type FirestoreDatabaseArgs } from "../../components/firestore-database";
import { Kms } from "../../components/kms";
import { GEOGRAPHIES, type GeographyId } from "../../runtime/topology";
import type { PlanResource } from "../../plan/record";
import { named, ofType, platformArgs, runComponent, runFailing } from "./fixtures";

function build(geography: GeographyId, extra: Partial<FirestoreDatabaseArgs> = {}) {
  const base = platformArgs(geography);
  const apis = new Apis("apis", { project: base.project });
  const kms = new Kms("kms", { ...base, apis });
  return new FirestoreDatabase("firestore", { ...base, apis, kms, ...extra });
}

describe("FirestoreDatabase component", () => {
  const runs = {} as Record<GeographyId, readonly PlanResource[]>;

  before(async () => {
    for (const g of ["us", "eu", "asia"] as const) {
      runs[g] = (await runComponent(() => build(g), g)).resources;
    }
  });

  it("creates the (default) native database in each geography's location with PITR and protection", async () => {
    const cases: [GeographyId, string, string][] = [
      ["us", "nam5", "projects/avalo-us/locations/us/keyRings/avalo-us-multi/cryptoKeys/firestore"],
      [
        "eu",
        "eur3",
        "projects/avalo-eu/locations/europe/keyRings/avalo-eu-multi/cryptoKeys/firestore",
      ],
      [
        "asia",
        "asia-east1",
        "projects/avalo-asia/locations/asia-east1/keyRings/avalo-asia-multi/cryptoKeys/firestore",
      ],
    ];
    for (const [geography, location, key] of cases) {
      expect(named(runs[geography], "firestore").inputs, geography).to.deep.equal({
        project: `avalo-${geography}`,
        name: "(default)",
        locationId: location,
        type: "FIRESTORE_NATIVE",
        databaseEdition: "STANDARD",
        appEngineIntegrationMode: "DISABLED",
        pointInTimeRecoveryEnablement: "POINT_IN_TIME_RECOVERY_ENABLED",
        deleteProtectionState: "DELETE_PROTECTION_ENABLED",
        deletionPolicy: "ABANDON",
        cmekConfig: { kmsKeyName: key },
      });
    }
  });

  it("waits for the Firestore agent's key grant and schedules daily backups kept 7 days", async () => {
    const resources = runs.us;
    const db = named(resources, "firestore");
    expect(db.dependencies).to.include(named(resources, "kms-multi-firestore-agent").urn);
    const [backup] = ofType(resources, "gcp:firestore/backupSchedule:BackupSchedule");
    expect(backup.inputs).to.deep.equal({
      project: "avalo-us",
      database: "(default)",
      retention: "604800s",
      dailyRecurrence: {},
    });
  });

  it("grants a member datastore.user on this database only, after the APIs are enabled", async () => {
    const { resources } = await runComponent(() => {
      const db = build("eu");
      db.grantUser("serviceAccount:svc@avalo-eu.iam.gserviceaccount.com", "svc");
      return db;
    }, "eu");
    const grant = named(resources, "svc-firestore-user");
    expect(grant.inputs).to.deep.equal({
      project: "avalo-eu",
      role: "roles/datastore.user",
      member: "serviceAccount:svc@avalo-eu.iam.gserviceaccount.com",
      condition: {
        title: "avalo-database-only",
        description: "Only the Avalo database of this geography",
        expression: 'resource.name == "projects/avalo-eu/databases/(default)"',
      },
    });
    const component = resources.find((r) => r.type === "avalo:firestore:FirestoreDatabase");
    expect(grant.parent).to.equal(component?.urn);
    expect(grant.dependencies).to.include(named(resources, "apis-firestore").urn);
  });

  it("can skip CMEK, and refuses a key that would sit outside the database's location", async () => {
    const { resources } = await runComponent(() => build("us", { cmek: false }));
    expect(named(resources, "firestore").inputs.cmekConfig).to.equal(undefined);
    const geography = { ...GEOGRAPHIES.us, firestoreLocation: "eur3" };
    const { error } = await runFailing(() => build("us", { geography }));
    expect(error.message).to.equal(
      '`geography.firestoreLocation` "eur3" needs a KMS key in "europe", but the geography\'s data key ring is in "us"; align the Firestore and BigQuery locations or set `cmek: false`',
    );
  });
});
