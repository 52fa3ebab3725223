import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { Apis } from "../../components/apis";
import { Kms, kmsLocationFor } from "../../components/kms";
import { MOCK_PROJECT_NUMBER } from "../../stacks/offline/mocks";
import { allowedLocations, GEOGRAPHIES, type GeographyId } from "../../runtime/topology";
import { named, ofType, platformArgs, runComponent, runFailing } from "./fixtures";

const n = MOCK_PROJECT_NUMBER;

function deploy(geography: GeographyId, environment: "prod" | "dev" = "prod") {
  return runComponent(() => {
    const base = platformArgs(geography);
    const apis = new Apis("apis", { project: base.project });
    return new Kms("kms", { ...base, environment, apis });
  }, geography);
}

const valueOf = (o: pulumi.Output<string>) => new Promise<string>((resolve) => o.apply(resolve));

describe("Kms component", () => {
  const runs = {} as Record<GeographyId | "dev", Awaited<ReturnType<typeof deploy>>>;

  before(async () => {
    for (const g of ["us", "eu", "asia"] as const) runs[g] = await deploy(g);
    runs.dev = await deploy("us", "dev");
  });

  it("creates a key ring per region, one in the data location and a global one for Pub/Sub", async () => {
    const cases: [GeographyId, string[]][] = [
      ["us", ["us-east1", "us-west1", "us", "global"]],
      ["eu", ["europe-west1", "europe-west3", "europe", "global"]],
      ["asia", ["asia-east1", "asia-south1", "asia-east1", "global"]],
    ];
    for (const [geography, locations] of cases) {
      const { resources } = runs[geography];
      const rings = ofType(resources, "gcp:kms/keyRing:KeyRing");
      expect(
        rings.map((r) => r.inputs.location),
        geography,
      ).to.deep.equal(locations);
    }
  });

  it("takes the multi-region key ring location from the topology, which allows it", () => {
    const cases: [GeographyId, string, string[]][] = [
      ["us", "us", ["nam5", "us"]],
      ["eu", "europe", ["eur3", "eu", "europe"]],
      ["asia", "asia-east1", []],
    ];
    for (const [geography, kmsMultiRegion, multi] of cases) {
      const g = GEOGRAPHIES[geography];
      expect(g.kmsMultiRegion, geography).to.equal(kmsMultiRegion);
      const allowed = allowedLocations(geography);
      expect(allowed, geography).to.include(kmsMultiRegion);
      expect(allowed.slice(g.allowedGcpRegions.length * 5), geography).to.deep.equal(multi);
      expect(kmsLocationFor(g.bigQueryLocation), geography).to.equal(kmsMultiRegion);
      expect(kmsLocationFor(g.firestoreLocation), geography).to.equal(kmsMultiRegion);
    }
  });

  it("rotates every key every 90 days and keeps destroyed versions 30 days", async () => {
    const { resources } = runs.us;
    const keys = ofType(resources, "gcp:kms/cryptoKey:CryptoKey");
    expect(keys).to.have.length(2 * 3 + 2 + 1);
    for (const key of keys) {
      expect(key.inputs).to.deep.include({
        purpose: "ENCRYPT_DECRYPT",
        rotationPeriod: "7776000s",
        destroyScheduledDuration: "2592000s",
        deletionPolicy: "PREVENT",
        versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" },
      });
    }
    const redis = named(resources, "kms-us-west-redis");
    expect(redis.inputs.keyRing).to.equal(
      "projects/avalo-us/locations/us-west1/keyRings/avalo-us-us-west",
    );
    expect(redis.inputs.labels).to.deep.equal({
      app: "avalo",
      geography: "us",
      region: "us-west",
      env: "prod",
      purpose: "redis",
    });
  });

  it("grants encrypter/decrypter on each key to exactly the agent that uses it", async () => {
    const { resources } = runs.eu;
    const grants = ofType(resources, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember");
    const byName = Object.fromEntries(grants.map((g) => [g.name, g.inputs]));
    const ring = (loc: string, ringName: string) =>
      `projects/avalo-eu/locations/${loc}/keyRings/${ringName}/cryptoKeys`;
    expect(byName["kms-global-pubsub-agent"]).to.deep.equal({
      cryptoKeyId: `${ring("global", "avalo-eu-global")}/pubsub`,
      role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      member: `serviceAccount:service-${n}@gcp-sa-pubsub.iam.gserviceaccount.com`,
    });
    expect(byName["kms-multi-bigquery-agent"].member).to.equal(
      `serviceAccount:bq-${n}@bigquery-encryption.iam.gserviceaccount.com`,
    );
    expect(byName["kms-multi-firestore-agent"].member).to.equal(
      `serviceAccount:service-${n}@gcp-sa-firestore.iam.gserviceaccount.com`,
    );
    expect(byName["kms-eu-central-redis-agent"]).to.deep.equal({
      cryptoKeyId: `${ring("europe-west3", "avalo-eu-eu-central")}/redis`,
      role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      member: `serviceAccount:service-${n}@cloud-redis.iam.gserviceaccount.com`,
    });
    expect(byName["kms-eu-west-secrets-agent"].member).to.equal(
      `serviceAccount:service-${n}@gcp-sa-secretmanager.iam.gserviceaccount.com`,
    );
    expect(byName["kms-eu-west-storage-agent"].member).to.equal(
      `serviceAccount:service-${n}@gs-project-accounts.iam.gserviceaccount.com`,
    );
    expect(byName["kms-multi-storage-agent"]).to.equal(undefined);
    expect(grants).to.have.length(9);
  });

  it("protects keys in prod only, and hands out key ids once the grant exists", async () => {
    const kms = runs.us.result;
    const key = kms.key("bigquery", "multi") as unknown as { __protect: boolean };
    expect(key.__protect).to.equal(true);
    expect(await valueOf(kms.keyId("bigquery", "multi"))).to.equal(
      "projects/avalo-us/locations/us/keyRings/avalo-us-multi/cryptoKeys/bigquery",
    );
    const dev = runs.dev;
    expect(
      (dev.result.key("redis", "us-east") as unknown as { __protect: boolean }).__protect,
    ).to.equal(false);
    expect(named(dev.resources, "kms-us-east-redis").inputs.deletionPolicy).to.equal("DELETE");
    expect(() => dev.result.key("redis", "multi")).to.throw(
      'no "redis" key in location "multi"; keys: redis@us-east, secrets@us-east, storage@us-east, ' +
        "redis@us-west, secrets@us-west, storage@us-west, bigquery@multi, firestore@multi, pubsub@global",
    );
  });

  it("uses a global key for Pub/Sub in every geography and no storage key in the multi ring (issue 16, defects 3 and 4)", async () => {
    for (const g of ["us", "eu", "asia"] as const) {
      const kms = runs[g].result;
      expect(await valueOf(kms.keyId("pubsub", "global")), g).to.equal(
        `projects/avalo-${g}/locations/global/keyRings/avalo-${g}-global/cryptoKeys/pubsub`,
      );
      expect(() => kms.key("pubsub", "multi"), g).to.throw('no "pubsub" key in location "multi"');
      expect(() => kms.key("storage", "multi"), g).to.throw('no "storage" key in location "multi"');
      const keys = ofType(runs[g].resources, "gcp:kms/cryptoKey:CryptoKey");
      expect(
        keys
          .filter((k) => String(k.inputs.keyRing).includes(`avalo-${g}-multi`))
          .map((k) => k.inputs.name),
        g,
      ).to.deep.equal(["bigquery", "firestore"]);
    }
  });

  it("rejects a GCP region outside the geography before creating any key", async () => {
    const { error, resources } = await runFailing(() => {
      const base = platformArgs("eu");
      const apis = new Apis("apis", { project: base.project });
      const regions = [{ id: "eu-west" as const, gcpRegion: "us-central1" }];
      new Kms("kms", { ...base, regions, apis });
    });
    expect(error.message).to.match(/^`regions\.eu-west\.gcpRegion` must be one of europe-west1, /);
    expect(resources.filter((r) => r.type.startsWith("gcp:kms"))).to.deep.equal([]);
  });
});
