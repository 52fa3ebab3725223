import { expect } from "chai";
import type { BundleResult } from "../../components/bundling";
import { Geography, type GeographySettings, topicVariable } from "../../components/geography";
import type { RecordedResource } from "../../stacks/offline/mocks";
import { SERVICES, type ServiceSpec } from "../../runtime/services/catalog";
import { named, ofType, platformArgs, runComponent, runFailing } from "./fixtures";

const SETTINGS: GeographySettings = {
  ...platformArgs("us"),
  alertEmail: "oncall@avalo.app",
  redisMemorySizeGb: 5,
  maxInstances: {},
  deletionProtection: true,
  rollout: {},
  clientApps: {
    androidPackage: "app.avalo.android",
    iosBundleId: "app.avalo.ios",
    webOrigin: "https://us.avalo.app",
  },
  corsOrigins: ["https://us.avalo.app"],
};
const BUNDLES: BundleResult[] = SERVICES.map((s, i) => ({
  service: s.name,
  zipPath: `/tmp/${s.name}.zip`,
  sha256: i.toString(16).padStart(64, "0"),
  bytes: 100 + i,
  functionTarget: "handler",
}));

type Inputs = Record<string, unknown>;

function envOf(resources: readonly RecordedResource[], service: string): Record<string, unknown> {
  const run = named(resources, `us-${service}`);
  const container = ((run.inputs.template as Inputs).containers as Inputs[])[0];
  return Object.fromEntries(
    (container.envs as Inputs[]).map((e) => [e.name, e.value ?? e.valueSource]),
  );
}

describe("Geography", function () {
  this.timeout(120_000);
  let resources: readonly RecordedResource[];

  before(async () => {
    ({ resources } = await runComponent(
      () => new Geography("us", { config: SETTINGS, bundles: BUNDLES }),
    ));
  });

  it("parents every platform component to the geography", () => {
    const geography = resources.find((r) => r.type === "avalo:platform:Geography")!;
    const children = resources.filter((r) => r.parent === geography.urn && !r.custom);
    const counts: Record<string, number> = {};
    for (const c of children) counts[c.type] = (counts[c.type] ?? 0) + 1;
    expect(counts).to.deep.equal({
      "avalo:platform:Apis": 1,
      "avalo:kms:Kms": 1,
      "avalo:network:Network": 1,
      "avalo:firestore:FirestoreDatabase": 1,
      "avalo:firestore:FirestoreRules": 1,
      "avalo:logging:AuditSink": 1,
      "avalo:bigquery:Analytics": 1,
      "avalo:redis:Cache": 1,
      "avalo:deploy:BuildIdentity": 1,
      "avalo:deploy:RuntimeBundle": 1,
      "avalo:storage:MediaBucket": 1,
      "avalo:edge:AppCheck": 1,
      "avalo:run:Service": SERVICES.length * 2,
      "avalo:pubsub:Pipeline": 8,
      "avalo:monitoring:Monitoring": 1,
    });
  });

  it("gives each service its region's Redis, its consumed topic and Secret Manager references", () => {
    const env = envOf(resources, "media-processor-us-west");
    expect(env).to.include({
      AVALO_REGION: "us-west",
      REDIS_PORT: "6378",
      REDIS_TLS: "true",
      [topicVariable("media-transcode")]: "avalo-media-transcode",
    });
    const cache = named(resources, "us-cache-us-west");
    expect(env.REDIS_HOST)
      .to.be.a("string")
      .and.match(/^10\.10\.0\.\d+$/);
    expect(cache.inputs.region).to.equal("us-west1");
    expect(env.REDIS_PASSWORD).to.deep.equal({
      secretKeyRef: { secret: "avalo-redis-us-west-auth", version: "1" },
    });
    expect(env.REDIS_TLS_CA).to.deep.equal({
      secretKeyRef: { secret: "avalo-redis-us-west-ca", version: "1" },
    });
    expect(topicVariable("fraud-check")).to.equal("AVALO_TOPIC_FRAUD_CHECK");
  });

  it("makes every service wait for the secret versions it reads, so a first up cannot race them", () => {
    for (const region of ["us-east", "us-west"]) {
      const versions = [
        named(resources, `us-cache-${region}-auth-v`),
        named(resources, `us-cache-${region}-ca-v`),
      ];
      for (const spec of SERVICES) {
        const run = named(resources, `us-${spec.name}-${region}`);
        for (const version of versions) expect(run.dependencies).to.include(version.urn);
      }
    }
  });

  it("tells each consumer which push identity to accept, and gives services their production settings", () => {
    const invoker = named(resources, "us-notification-batch-invoker");
    const worker = envOf(resources, "notification-worker-us-east");
    expect(worker.AVALO_PUSH_INVOKER_EMAIL).to.equal(
      `${invoker.inputs.accountId}@${invoker.inputs.project}.iam.gserviceaccount.com`,
    );
    expect(worker.NOTIFICATION_PUSH_PROVIDER).to.equal("fcm");
    expect(envOf(resources, "ai-inference-us-west")).to.include({
      AI_PROVIDER: "vertex",
      AI_VERTEX_LOCATION: "us-west1",
    });
    const vertex = ofType(resources, "gcp:projects/iAMMember:IAMMember").filter(
      (g) => g.inputs.role === "roles/aiplatform.user",
    );
    expect(vertex.map((g) => g.name).sort()).to.deep.equal([
      "us-ai-inference-us-east-vertex-user",
      "us-ai-inference-us-west-vertex-user",
    ]);
    const fcm = ofType(resources, "gcp:projects/iAMMember:IAMMember").filter(
      (g) => g.inputs.role === "roles/firebasecloudmessaging.admin",
    );
    expect(fcm.map((g) => [g.name, g.inputs.member]).sort()).to.deep.equal([
      [
        "us-notification-worker-us-east-fcm-sender",
        "serviceAccount:notification-worker-us-east@avalo-us.iam.gserviceaccount.com",
      ],
      [
        "us-notification-worker-us-west-fcm-sender",
        "serviceAccount:notification-worker-us-west@avalo-us.iam.gserviceaccount.com",
      ],
    ]);
    expect(envOf(resources, "fraud-analyzer-us-west").AVALO_PUSH_INVOKER_EMAIL).to.equal(
      `fraud-check-push@${invoker.inputs.project}.iam.gserviceaccount.com`,
    );
    expect(envOf(resources, "pdf-generator-us-east")).not.to.have.property(
      "AVALO_PUSH_INVOKER_EMAIL",
    );
    const media = named(resources, "us-media");
    expect(envOf(resources, "media-processor-us-west").MEDIA_BUCKET).to.equal(media.inputs.name);
    const mediaGrants = ofType(resources, "gcp:storage/bucketIAMMember:BucketIAMMember").filter(
      (g) => g.name.startsWith("us-media-rw-"),
    );
    expect(mediaGrants.map((g) => g.name).sort()).to.deep.equal([
      "us-media-rw-us-media-processor-us-east",
      "us-media-rw-us-media-processor-us-west",
    ]);
    expect(envOf(resources, "analytics-aggregator-us-east").ANALYTICS_DATASET).to.equal(
      named(resources, "us-analytics").inputs.datasetId,
    );
    // Only the services whose table entry names a resource get it.
    for (const spec of SERVICES as readonly ServiceSpec[]) {
      const env = envOf(resources, `${spec.name}-us-east`);
      expect("MEDIA_BUCKET" in env, spec.name).to.equal(spec.uses.includes("media-bucket"));
      expect("ANALYTICS_DATASET" in env, spec.name).to.equal(
        spec.uses.includes("analytics-dataset"),
      );
      expect("AI_PROVIDER" in env, spec.name).to.equal(spec.uses.includes("vertex-ai"));
      expect("NOTIFICATION_PUSH_PROVIDER" in env, spec.name).to.equal(spec.uses.includes("fcm"));
    }
  });

  it("grants each service instance exactly its own region's Redis AUTH and CA secrets", () => {
    const grants = ofType(resources, "gcp:secretmanager/secretIamMember:SecretIamMember");
    expect(grants).to.have.length(SERVICES.length * 2 * 2);
    for (const region of ["us-east", "us-west"]) {
      for (const service of SERVICES) {
        const member = `serviceAccount:${service.name}-${region}@avalo-us.iam.gserviceaccount.com`;
        const mine = grants.filter((g) => g.inputs.member === member);
        expect(mine.map((g) => g.inputs.secretId).sort(), member).to.deep.equal([
          `us-cache-${region}-auth-id`,
          `us-cache-${region}-ca-id`,
        ]);
        for (const g of mine) expect(g.inputs.role).to.equal("roles/secretmanager.secretAccessor");
      }
    }
  });

  it("lets each service publish to exactly the topics its handler publishes to", () => {
    const publishers = ofType(resources, "gcp:pubsub/topicIAMMember:TopicIAMMember")
      .filter((g) => g.inputs.role === "roles/pubsub.publisher")
      .filter((g) => /^serviceAccount:[a-z-]+-us-(east|west)@/.test(g.inputs.member as string))
      .map((g) => `${(g.inputs.member as string).split(/[:@]/)[1]} -> ${g.inputs.topic}`);
    const expected = [
      "ai-inference -> avalo-notification-batch",
      "fraud-analyzer -> avalo-analytics-aggregation",
      "fraud-analyzer -> avalo-notification-batch",
      "user-worker -> avalo-analytics-aggregation",
      "match-worker -> avalo-notification-batch",
      "feed-worker -> avalo-feed-fanout",
      "media-processor -> avalo-media-transcode",
    ];
    expect(publishers.sort()).to.deep.equal(
      ["us-east", "us-west"]
        .flatMap((r) => expected.map((e) => e.replace(" ->", `-${r} ->`)))
        .sort(),
    );
    const matchWorker = named(resources, "us-notification-batch-publish-match-worker-us-east");
    expect(matchWorker.inputs).to.deep.equal({
      project: "avalo-us",
      topic: "avalo-notification-batch",
      role: "roles/pubsub.publisher",
      member: "serviceAccount:match-worker-us-east@avalo-us.iam.gserviceaccount.com",
    });
  });

  it("passes each service the topic ids it consumes and publishes to, and no others", () => {
    const topics = (service: string) =>
      Object.entries(envOf(resources, service)).filter(([k]) => k.startsWith("AVALO_TOPIC_"));
    expect(topics("match-worker-us-east")).to.have.deep.members([
      ["AVALO_TOPIC_MATCH_CREATED", "avalo-match-created"],
      ["AVALO_TOPIC_NOTIFICATION_BATCH", "avalo-notification-batch"],
    ]);
    expect(topics("fraud-analyzer-us-west")).to.have.deep.members([
      ["AVALO_TOPIC_FRAUD_CHECK", "avalo-fraud-check"],
      ["AVALO_TOPIC_NOTIFICATION_BATCH", "avalo-notification-batch"],
      ["AVALO_TOPIC_ANALYTICS_AGGREGATION", "avalo-analytics-aggregation"],
    ]);
    expect(topics("feed-worker-us-east")).to.deep.equal([
      ["AVALO_TOPIC_FEED_FANOUT", "avalo-feed-fanout"],
    ]);
    expect(topics("pdf-generator-us-east")).to.deep.equal([]);
  });

  it("lets media-processor sign upload policies as itself only, for a bucket open to the configured origins", () => {
    // The Pub/Sub agent's token creation on the push invokers is the pipelines' own grant.
    const signers = ofType(resources, "gcp:serviceaccount/iAMMember:IAMMember").filter(
      (g) =>
        g.inputs.role === "roles/iam.serviceAccountTokenCreator" &&
        !String(g.inputs.member).includes("gcp-sa-pubsub"),
    );
    expect(signers.map((g) => [g.inputs.serviceAccountId, g.inputs.member])).to.deep.equal(
      ["us-east", "us-west"].map((r) => [
        `projects/avalo-us/serviceAccounts/media-processor-${r}@avalo-us.iam.gserviceaccount.com`,
        `serviceAccount:media-processor-${r}@avalo-us.iam.gserviceaccount.com`,
      ]),
    );
    const media = named(resources, "us-media");
    expect(envOf(resources, "media-processor-us-east").MEDIA_UPLOAD_BUCKET).to.equal(
      media.inputs.name,
    );
    expect((media.inputs.cors as Inputs[]).map((c) => c.origins)).to.deep.equal([
      ["https://us.avalo.app"],
    ]);
    expect(named(resources, "us-app-check-firestore").inputs.enforcementMode).to.equal("ENFORCED");
  });

  it("grants each runtime account Firestore on the geography's database only", () => {
    const grant = named(resources, "us-ranking-engine-us-east-firestore-user");
    expect(grant.inputs).to.deep.include({
      project: "avalo-us",
      role: "roles/datastore.user",
      member: "serviceAccount:ranking-engine-us-east@avalo-us.iam.gserviceaccount.com",
    });
    expect((grant.inputs.condition as Inputs).expression).to.equal(
      'resource.name == "projects/avalo-us/databases/(default)"',
    );
  });

  it("lets only the analytics writers edit the dataset and the builder read the bundles", () => {
    const writers = ofType(resources, "gcp:bigquery/datasetIamMember:DatasetIamMember")
      .filter((g) => g.inputs.role === "roles/bigquery.dataEditor")
      .map((g) => g.inputs.member as string)
      .filter((m) => m.includes("-us-"));
    expect(writers.sort()).to.deep.equal([
      "serviceAccount:analytics-aggregator-us-east@avalo-us.iam.gserviceaccount.com",
      "serviceAccount:analytics-aggregator-us-west@avalo-us.iam.gserviceaccount.com",
      "serviceAccount:batch-processor-us-east@avalo-us.iam.gserviceaccount.com",
      "serviceAccount:batch-processor-us-west@avalo-us.iam.gserviceaccount.com",
    ]);
    const read = named(resources, "us-bundles-read-builder");
    expect(read.inputs).to.deep.equal({
      bucket: "avalo-us-bundles",
      role: "roles/storage.objectViewer",
      member: "serviceAccount:avalo-builder@avalo-us.iam.gserviceaccount.com",
    });
  });

  it("rejects a bundle list that misses a service before creating anything", async () => {
    const { error, resources: created } = await runFailing(
      () => new Geography("us", { config: SETTINGS, bundles: BUNDLES.slice(1) }),
    );
    expect(error.message).to.equal(
      "`bundles` must hold a bundle for every service, but media-processor has none; run `npm run bundle`",
    );
    expect(created.filter((r) => r.custom)).to.have.length(0);
  });
});
