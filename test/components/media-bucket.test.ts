import { expect } from "chai";
import { Apis } from "../../components/apis";
import { MediaBucket } from "../../components/media-bucket";
import { named, ofType, platformArgs, runComponent, runFailing } from "./fixtures";

const KEY = "projects/avalo-eu/locations/europe-west1/keyRings/avalo/cryptoKeys/storage";

describe("MediaBucket", () => {
  it("creates a private, versioned CMEK bucket in the geography's home region", async () => {
    const { resources } = await runComponent(() => {
      const apis = new Apis("apis", { project: "avalo-eu" });
      const media = new MediaBucket("media", { ...platformArgs("eu"), apis, kmsKeyName: KEY });
      media.grantReadWrite("serviceAccount:mp@avalo-eu.iam.gserviceaccount.com", "mp");
      return media;
    }, "eu");
    const bucket = named(resources, "media");
    expect(bucket.inputs).to.deep.include({
      name: "avalo-eu-media",
      location: "europe-west1",
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      versioning: { enabled: true },
      forceDestroy: false,
      encryption: { defaultKmsKeyName: KEY },
      softDeletePolicy: { retentionDurationSeconds: 604800 },
      logging: { logBucket: "avalo-eu-media-logs", logObjectPrefix: "avalo-eu-media" },
    });
    expect(bucket.inputs.lifecycleRules).to.deep.equal([
      {
        action: { type: "Delete" },
        condition: { daysSinceNoncurrentTime: 30, withState: "ARCHIVED" },
      },
    ]);
    expect(bucket.inputs.labels).to.include({ app: "avalo", geography: "eu", purpose: "media" });
    const grants = ofType(resources, "gcp:storage/bucketIAMMember:BucketIAMMember");
    expect(grants.map((g) => [g.name, g.inputs.role, g.inputs.member])).to.deep.equal([
      [
        "media-access-logs-writer",
        "roles/storage.objectCreator",
        "group:cloud-storage-analytics@google.com",
      ],
      [
        "media-rw-mp",
        "roles/storage.objectUser",
        "serviceAccount:mp@avalo-eu.iam.gserviceaccount.com",
      ],
    ]);
  });

  it("logs access to its own log bucket, which is not logged and keeps logs 400 days", async () => {
    const { resources } = await runComponent(() => {
      const apis = new Apis("apis", { project: "avalo-eu" });
      return new MediaBucket("media", { ...platformArgs("eu"), apis, kmsKeyName: KEY });
    }, "eu");
    const logs = named(resources, "media-access-logs");
    expect(logs.inputs).to.deep.include({
      name: "avalo-eu-media-logs",
      location: "europe-west1",
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      versioning: { enabled: true },
      encryption: { defaultKmsKeyName: KEY },
      softDeletePolicy: { retentionDurationSeconds: 604800 },
    });
    expect(logs.inputs).not.to.have.property("logging");
    expect(logs.inputs.labels).to.include({ purpose: "access-logs" });
    expect(logs.inputs.lifecycleRules).to.deep.equal([
      { action: { type: "Delete" }, condition: { age: 400 } },
      {
        action: { type: "Delete" },
        condition: { daysSinceNoncurrentTime: 30, withState: "ARCHIVED" },
      },
    ]);
    const media = named(resources, "media");
    const writer = named(resources, "media-access-logs-writer");
    expect(media.dependencies).to.include(writer.urn);
  });

  it("allows upload POSTs from exactly the configured origins, and none without any", async () => {
    const { resources } = await runComponent(() => {
      const apis = new Apis("apis", { project: "avalo-eu" });
      new MediaBucket("media", {
        ...platformArgs("eu"),
        apis,
        corsOrigins: ["https://eu.avalo.app", "https://www.avalo.app"],
      });
      new MediaBucket("bare", { ...platformArgs("eu"), apis });
    }, "eu");
    expect(named(resources, "media").inputs.cors).to.deep.equal([
      {
        origins: ["https://eu.avalo.app", "https://www.avalo.app"],
        methods: ["POST"],
        responseHeaders: ["Content-Type", "Location", "ETag"],
        maxAgeSeconds: 3600,
      },
    ]);
    expect(named(resources, "bare").inputs.cors).to.deep.equal([]);
  });

  it("lets a service account sign upload policies as itself and as no other account", async () => {
    const { resources } = await runComponent(() => {
      const apis = new Apis("apis", { project: "avalo-eu" });
      const media = new MediaBucket("media", { ...platformArgs("eu"), apis });
      media.grantUploadSigning("serviceAccount:mp-eu-west@avalo-eu.iam.gserviceaccount.com", "mp");
    }, "eu");
    expect(
      ofType(resources, "gcp:serviceaccount/iAMMember:IAMMember").map((r) => r.inputs),
    ).to.deep.equal([
      {
        serviceAccountId:
          "projects/avalo-eu/serviceAccounts/mp-eu-west@avalo-eu.iam.gserviceaccount.com",
        role: "roles/iam.serviceAccountTokenCreator",
        member: "serviceAccount:mp-eu-west@avalo-eu.iam.gserviceaccount.com",
      },
    ]);
  });

  it("rejects a CORS origin with a path before creating anything", async () => {
    const { error, resources } = await runFailing(() => {
      const apis = new Apis("apis", { project: "avalo-eu" });
      return new MediaBucket("media", {
        ...platformArgs("eu"),
        apis,
        corsOrigins: ["https://eu.avalo.app/upload"],
      });
    });
    expect(error.message).to.equal(
      '`corsOrigins[]` must be an origin such as https://app.avalo.example (scheme, host and optional port), or *, but "https://eu.avalo.app/upload" was provided',
    );
    expect(ofType(resources, "gcp:storage/bucket:Bucket")).to.deep.equal([]);
  });

  it("rejects a location outside the geography before creating anything", async () => {
    const { error, resources } = await runFailing(() => {
      const apis = new Apis("apis", { project: "avalo-eu" });
      return new MediaBucket("media", { ...platformArgs("eu"), apis, location: "us-east1" });
    });
    expect(error.message).to.match(
      /`location` must be one of .*europe-west1.*but "us-east1" was provided/,
    );
    expect(ofType(resources, "gcp:storage/bucket:Bucket")).to.deep.equal([]);
  });
});
