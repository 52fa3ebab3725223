import { expect } from "chai";
import type { Bundle } from "../../build/bundles";
import { Geography, type GeographySettings } from "../../components/geography";
import type { PlanResource } from "../../plan/record";
import { SERVICES, type ServiceSpec } from "../../runtime/catalog/services";
import { resolveLoadSettings } from "../../components/load-generator";
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
const BUNDLES: Bundle[] = SERVICES.map((s, i) => ({
  service: s.name,
  archivePath: `/tmp/${s.name}.tar.gz`,
  sha256: i.toString(16).padStart(64, "0"),
  bytes: 100 + i,
}));

type Inputs = Record<string, unknown>;

function envOf(resources: readonly PlanResource[], service: string): Record<string, unknown> {
  const run = named(resources, `us-${service}`);
  const container = ((run.inputs.template as Inputs).containers as Inputs[])[0];
  return Object.fromEntries(
    (container.envs as Inputs[]).map((e) => [e.name, e.value ?? e.valueSource]),
  );
}

describe("Geography", function () {
  this.timeout(120_000);
  let resources: readonly PlanResource[];

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
      "avalo:deploy:RuntimeBundle": 1,
      "avalo:storage:MediaBucket": 1,
      "avalo:iam:FcmSenderRole": 1,
      "avalo:edge:AppCheck": 1,
      "avalo:run:Service": SERVICES.length * 2,
      "avalo:pubsub:Pipeline": 8,
      "avalo:monitoring:Monitoring": 1,
    });
  });

  it("gives each service that uses Redis its region's cache and Secret Manager references", () => {
    const env = envOf(resources, "ranking-engine-us-west");
    expect(env).to.include({
      AVALO_REGION: "us-west",
      REDIS_PORT: "6378",
      REDIS_TLS: "true",
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
  });

  it("gives a service that does not use Redis no cache variable and no cache secret", () => {
    const users = SERVICES.filter((s) => s.uses.includes("redis")).map((s) => s.name);
    expect(users).to.deep.equal([
      "ai-inference",
      "fraud-analyzer",
      "ranking-engine",
      "user-worker",
      "match-worker",
      "feed-worker",
      "notification-worker",
    ]);
    for (const spec of SERVICES.filter((s) => !s.uses.includes("redis"))) {
      const names = Object.keys(envOf(resources, `${spec.name}-us-east`));
      expect(
        names.filter((n) => n.startsWith("REDIS_")),
        spec.name,
      ).to.deep.equal([]);
    }
  });

  it("makes every Redis user wait for the secret versions it reads, so a first up cannot race them", () => {
    for (const region of ["us-east", "us-west"]) {
      const versions = [
        named(resources, `us-cache-${region}-auth-v`),
        named(resources, `us-cache-${region}-ca-v`),
      ];
      for (const spec of SERVICES) {
        const run = named(resources, `us-${spec.name}-${region}`);
        for (const version of versions) {
          expect(run.dependencies.includes(version.urn), spec.name).to.equal(
            spec.uses.includes("redis"),
          );
        }
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
      (g) => g.inputs.role === "projects/avalo-us/roles/avaloFcmSender",
    );
    expect(fcm.map((g) => [g.name, g.inputs.member]).sort()).to.deep.equal([
      [
        "fcm-sender-us-notification-worker-us-east",
        "serviceAccount:notification-worker-us-east@avalo-us.iam.gserviceaccount.com",
      ],
      [
        "fcm-sender-us-notification-worker-us-west",
        "serviceAccount:notification-worker-us-west@avalo-us.iam.gserviceaccount.com",
      ],
    ]);
    expect(
      ofType(resources, "gcp:projects/iAMMember:IAMMember").filter((g) =>
        String(g.inputs.role).startsWith("roles/firebasecloudmessaging."),
      ),
    ).to.deep.equal([]);
    expect(
      ofType(resources, "gcp:projects/iAMCustomRole:IAMCustomRole").map((r) => r.inputs),
    ).to.deep.equal([
      {
        project: "avalo-us",
        roleId: "avaloFcmSender",
        title: "Avalo FCM sender",
        description: "Sends Firebase Cloud Messaging messages; nothing else.",
        permissions: ["cloudmessaging.messages.create"],
        stage: "GA",
      },
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

  it("grants each Redis user exactly its own region's AUTH and CA secrets, and no one else any", () => {
    const grants = ofType(resources, "gcp:secretmanager/secretIamMember:SecretIamMember");
    const users = SERVICES.filter((s) => s.uses.includes("redis"));
    expect(grants).to.have.length(users.length * 2 * 2);
    for (const region of ["us-east", "us-west"]) {
      for (const service of SERVICES) {
        const member = `serviceAccount:${service.name}-${region}@avalo-us.iam.gserviceaccount.com`;
        const mine = grants.filter((g) => g.inputs.member === member);
        const expected = service.uses.includes("redis")
          ? [`us-cache-${region}-auth-id`, `us-cache-${region}-ca-id`]
          : [];
        expect(mine.map((g) => g.inputs.secretId).sort(), member).to.deep.equal(expected);
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

  it("sets no variable that the runtime does not read: no AVALO_TOPIC_* (topics come from the catalog)", () => {
    for (const spec of SERVICES) {
      for (const region of ["us-east", "us-west"]) {
        const names = Object.keys(envOf(resources, `${spec.name}-${region}`));
        expect(
          names.filter((n) => n.startsWith("AVALO_TOPIC_")),
          spec.name,
        ).to.deep.equal([]);
      }
    }
  });

  it("runs each service from its own archive object, pinned to the uploaded generation", () => {
    for (const spec of SERVICES) {
      const run = named(resources, `us-${spec.name}-us-east`);
      const c = ((run.inputs.template as Inputs).containers as Inputs[])[0];
      const object = named(resources, `us-bundles-${spec.name}`);
      const source = (c.sourceCode as { cloudStorageSource: Inputs }).cloudStorageSource;
      expect(source.bucket).to.equal(object.inputs.bucket);
      expect(source.object).to.equal(object.inputs.name);
      expect(source.generation).to.match(/^\d+$/);
      expect(run.dependencies).to.include(object.urn);
    }
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

  it("lets only the analytics writers edit the dataset, and the Cloud Run agent and runtime accounts read the bundles", () => {
    const writers = ofType(resources, "gcp:bigquery/datasetIamMember:DatasetIamMember")
      .filter((g) => g.inputs.role === "roles/bigquery.dataEditor")
      .map((g) => g.inputs.member as string)
      .filter((m) => m.includes("-us-"));
    expect(writers.sort()).to.deep.equal([
      "serviceAccount:analytics-aggregator-us-east@avalo-us.iam.gserviceaccount.com",
      "serviceAccount:analytics-aggregator-us-west@avalo-us.iam.gserviceaccount.com",
    ]);
    const agent = named(resources, "us-bundles-read-cloud-run-agent");
    expect(agent.inputs).to.deep.equal({
      bucket: "avalo-us-bundles",
      role: "roles/storage.objectViewer",
      member: "serviceAccount:service-123456789012@serverless-robot-prod.iam.gserviceaccount.com",
    });
    const own = named(resources, "us-bundles-read-us-ranking-engine-us-east");
    expect(own.inputs.member).to.equal(
      "serviceAccount:ranking-engine-us-east@avalo-us.iam.gserviceaccount.com",
    );
    const run = named(resources, "us-ranking-engine-us-east");
    expect(run.dependencies).to.include.members([agent.urn, own.urn]);
  });

  it("encrypts every pipeline topic with the global Pub/Sub key (issue 16, defect 3)", () => {
    const topics = ofType(resources, "gcp:pubsub/topic:Topic");
    expect(topics.length).to.be.greaterThan(0);
    for (const topic of topics) {
      expect(topic.inputs.kmsKeyName, topic.name).to.equal(
        "projects/avalo-us/locations/global/keyRings/avalo-us-global/cryptoKeys/pubsub",
      );
    }
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

  it("rejects an enabled load generator without its archive before creating anything", async () => {
    const config = { ...SETTINGS, loadGenerator: resolveLoadSettings({}) };
    const { error, resources: created } = await runFailing(
      () => new Geography("us", { config, bundles: BUNDLES }),
    );
    expect(error.message).to.equal(
      "`loadBundle` must hold the load simulator's archive when `config.loadGenerator` is set; run `npm run bundle`",
    );
    expect(created.filter((r) => r.custom)).to.have.length(0);
  });
});
