import { expect } from "chai";
import { Apis } from "../../components/apis";
import { Cache, type CacheArgs } from "../../components/cache";
import { Kms } from "../../components/kms";
import { Network } from "../../components/network";
import type { PlanResource } from "../../plan/record";
import { named, ofType, platformArgs, runComponent, runFailing } from "./fixtures";

function deploy(extra: Partial<CacheArgs> = {}) {
  return runComponent(() => {
    const base = platformArgs("eu");
    const apis = new Apis("apis", { project: base.project });
    const network = new Network("net", { ...base, apis });
    const kms = new Kms("kms", { ...base, apis });
    const cache = new Cache("cache", { ...base, apis, network, kms, ...extra });
    return { cache, network };
  }, "eu");
}

const keyId = (loc: string, ring: string, purpose: string) =>
  `projects/avalo-eu/locations/${loc}/keyRings/${ring}/cryptoKeys/${purpose}`;

describe("Cache component", () => {
  let resources: readonly PlanResource[];

  before(async () => {
    ({ resources } = await runComponent(() => {
      const base = platformArgs("eu");
      const apis = new Apis("apis", { project: base.project });
      const network = new Network("net", { ...base, apis });
      const kms = new Kms("kms", { ...base, apis });
      const cache = new Cache("cache", { ...base, apis, network, kms });
      return cache.grantConnect(
        "serviceAccount:feed@avalo-eu.iam.gserviceaccount.com",
        "eu-central",
        "feed",
      );
    }, "eu"));
  });

  it("creates an HA, AUTH and TLS Redis per region on private service access with CMEK", async () => {
    const instances = ofType(resources, "gcp:redis/instance:Instance");
    expect(instances.map((i) => i.inputs.region)).to.deep.equal(["europe-west1", "europe-west3"]);
    const west = named(resources, "cache-eu-west");
    expect(west.inputs).to.deep.include({
      name: "avalo-eu-west",
      tier: "STANDARD_HA",
      memorySizeGb: 5,
      redisVersion: "REDIS_7_2",
      authEnabled: true,
      transitEncryptionMode: "SERVER_AUTHENTICATION",
      connectMode: "PRIVATE_SERVICE_ACCESS",
      authorizedNetwork: "net-id",
      reservedIpRange: "avalo-eu-psa",
      customerManagedKey: keyId("europe-west1", "avalo-eu-eu-west", "redis"),
      persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: "TWELVE_HOURS" },
      maintenancePolicy: {
        weeklyMaintenanceWindows: [
          { day: "SUNDAY", startTime: { hours: 3, minutes: 0, seconds: 0, nanos: 0 } },
        ],
      },
      deletionProtection: true,
      labels: { app: "avalo", geography: "eu", region: "eu-west", env: "prod" },
    });
    const peering = named(resources, "net-psa-peering");
    const grant = named(resources, "kms-eu-west-redis-agent");
    expect(west.dependencies).to.include.members([peering.urn, grant.urn]);
  });

  it("stores AUTH string and CA in secrets replicated only within the geography with CMEK", async () => {
    const secrets = ofType(resources, "gcp:secretmanager/secret:Secret");
    expect(secrets.map((s) => s.inputs.secretId)).to.deep.equal([
      "avalo-redis-eu-west-auth",
      "avalo-redis-eu-west-ca",
      "avalo-redis-eu-central-auth",
      "avalo-redis-eu-central-ca",
    ]);
    for (const s of secrets) {
      expect(s.inputs.replication).to.deep.equal({
        userManaged: {
          replicas: [
            {
              location: "europe-west1",
              customerManagedEncryption: {
                kmsKeyName: keyId("europe-west1", "avalo-eu-eu-west", "secrets"),
              },
            },
            {
              location: "europe-west3",
              customerManagedEncryption: {
                kmsKeyName: keyId("europe-west3", "avalo-eu-eu-central", "secrets"),
              },
            },
          ],
        },
      });
    }
    const versions = ofType(resources, "gcp:secretmanager/secretVersion:SecretVersion");
    expect(versions.map((v) => [v.name, v.inputs.secretData])).to.have.deep.members([
      ["cache-eu-west-auth-v", "[secret]"],
      ["cache-eu-west-ca-v", "[secret]"],
      ["cache-eu-central-auth-v", "[secret]"],
      ["cache-eu-central-ca-v", "[secret]"],
    ]);
  });

  it("grants connect as secret accessor on the given region's AUTH and CA secrets only", async () => {
    const grants = ofType(resources, "gcp:secretmanager/secretIamMember:SecretIamMember");
    expect(grants.map((g) => g.name)).to.deep.equal([
      "cache-eu-central-auth-feed",
      "cache-eu-central-ca-feed",
    ]);
    for (const g of grants) {
      expect(g.inputs).to.deep.include({
        role: "roles/secretmanager.secretAccessor",
        member: "serviceAccount:feed@avalo-eu.iam.gserviceaccount.com",
      });
    }
    expect(grants.map((g) => g.inputs.secretId)).to.deep.equal(
      grants.map((g) => `${g.name.replace(/-feed$/, "")}-id`),
    );
  });

  it("takes the memory size from args and turns deletion protection off outside prod", async () => {
    const dev = (await deploy({ memorySizeGb: 12, environment: "dev" })).resources;
    const east = named(dev, "cache-eu-central");
    expect(east.inputs).to.deep.include({ memorySizeGb: 12, deletionProtection: false });
    expect(named(dev, "cache-eu-central-auth").inputs.deletionProtection).to.equal(false);
  });

  it("rejects an out-of-range memory size before creating any instance", async () => {
    const failed = await runFailing(() => {
      const base = platformArgs("eu");
      const apis = new Apis("apis", { project: base.project });
      const network = new Network("net", { ...base, apis });
      const kms = new Kms("kms", { ...base, apis });
      new Cache("cache", { ...base, apis, network, kms, memorySizeGb: 0 });
    });
    expect(failed.error.message).to.equal("`memorySizeGb` must be 1–300 GB, but 0 was provided");
    const children = failed.resources.filter(
      (r) => r.type.startsWith("gcp:redis") || r.type.startsWith("gcp:secretmanager"),
    );
    expect(children).to.deep.equal([]);
  });

  it("names a bad project and a bad memory size in one error", async () => {
    const failed = await runFailing(() => {
      const base = platformArgs("eu");
      const apis = new Apis("apis", { project: base.project });
      const network = new Network("net", { ...base, apis });
      const kms = new Kms("kms", { ...base, apis });
      new Cache("cache", { ...base, project: "Avalo_EU", apis, network, kms, memorySizeGb: 301 });
    });
    expect(failed.error.message).to.equal(
      "2 invalid arguments:\n" +
        '  `project` must be 6–30 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen, but "Avalo_EU" was provided\n' +
        "  `memorySizeGb` must be 1–300 GB, but 301 was provided",
    );
    expect(failed.resources.filter((r) => r.type.startsWith("gcp:redis"))).to.deep.equal([]);
  });

  it("refuses to grant connect in a region the cache does not serve", async () => {
    const failed = await runFailing(() => {
      const base = platformArgs("eu");
      const apis = new Apis("apis", { project: base.project });
      const network = new Network("net", { ...base, apis });
      const kms = new Kms("kms", { ...base, apis });
      const cache = new Cache("cache", { ...base, apis, network, kms });
      cache.grantConnect("serviceAccount:feed@avalo-eu.iam.gserviceaccount.com", "us-east", "feed");
    });
    expect(failed.error.message).to.equal(
      'grantConnect: region "us-east" has no cache; regions: eu-west, eu-central',
    );
    expect(
      ofType(failed.resources, "gcp:secretmanager/secretIamMember:SecretIamMember"),
    ).to.deep.equal([]);
  });
});
