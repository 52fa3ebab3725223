import { expect } from "chai";
import type { PlanResource } from "../../plan/record";
import { Apis } from "../../components/apis";
import { Pipeline, type PipelineArgs } from "../../components/pipeline";
import { PIPELINES, getPipeline, type PipelineSpec } from "../../runtime/catalog/pipelines";
import { MOCK_PROJECT_NUMBER } from "../../stacks/offline/mocks";
import { named, ofType, platformArgs, runComponent } from "./fixtures";

const KEY = "projects/avalo-us/locations/us/keyRings/avalo-us-multi/cryptoKeys/pubsub";
const AGENT = `serviceAccount:service-${MOCK_PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com`;
const TABLE = "avalo-us.avalo_us.analytics_events_raw";

function pipelineArgs(spec: PipelineSpec, apis: Apis): PipelineArgs {
  return {
    ...platformArgs("us"),
    apis,
    spec,
    kmsKeyName: KEY,
    pushEndpoints: {
      "us-east": `https://${spec.consumer}-us-east.a.run.app`,
      "us-west": `https://${spec.consumer}-us-west.a.run.app/`,
    },
    bigQueryTable: spec.bigQueryTable ? TABLE : undefined,
  };
}

function deploy(specs: readonly PipelineSpec[], tweak: Partial<PipelineArgs> = {}) {
  return runComponent(() => {
    const apis = new Apis("apis", { project: "avalo-us" });
    return specs.map((s) => new Pipeline(s.name, { ...pipelineArgs(s, apis), ...tweak }));
  });
}

const subscriptions = (rs: readonly PlanResource[]) =>
  ofType(rs, "gcp:pubsub/subscription:Subscription");

describe("Pipeline component", () => {
  let resources: readonly PlanResource[];

  before(async () => {
    ({ resources } = await runComponent(() => {
      const apis = new Apis("apis", { project: "avalo-us" });
      const pipelines = PIPELINES.map((s) => new Pipeline(s.name, pipelineArgs(s, apis)));
      pipelines[0].grantPublish("serviceAccount:api@avalo-us.iam.gserviceaccount.com", "api");
      return pipelines;
    }));
  });

  it("gives every catalog topic a dead-letter policy pointing at its own -dlq topic", async () => {
    for (const spec of PIPELINES) {
      const sources = subscriptions(resources).filter(
        (s) => s.inputs.topic === `projects/avalo-us/topics/${spec.topic}`,
      );
      expect(sources.length, spec.name).to.equal(spec.bigQueryTable ? 3 : 2);
      for (const s of sources) {
        expect(s.inputs.deadLetterPolicy).to.deep.equal({
          deadLetterTopic: `projects/avalo-us/topics/${spec.topic}-dlq`,
          maxDeliveryAttempts: spec.maxDeliveryAttempts,
        });
      }
    }
  });

  it("creates both topics with CMEK and storage restricted to the geography's regions", async () => {
    const topics = ofType(resources, "gcp:pubsub/topic:Topic").filter((t) =>
      t.name.startsWith("user-created"),
    );
    expect(topics.map((t) => t.inputs.name)).to.have.members([
      "avalo-user-created",
      "avalo-user-created-dlq",
    ]);
    for (const t of topics) {
      expect(t.inputs.kmsKeyName).to.equal(KEY);
      expect(t.inputs.messageStoragePolicy).to.deep.equal({
        allowedPersistenceRegions: ["us-east1", "us-west1"],
      });
      expect(t.inputs.labels).to.deep.equal({
        app: "avalo",
        geography: "us",
        region: "multi",
        env: "prod",
        pipeline: "user-created",
      });
    }
  });

  it("pushes each region's messages to that region's consumer with OIDC, retry and filter", async () => {
    const invoker = named(resources, "feed-fanout-invoker");
    expect(invoker.inputs.accountId).to.equal("feed-fanout-push");
    const email = "feed-fanout-push@avalo-us.iam.gserviceaccount.com";
    for (const region of ["us-east", "us-west"]) {
      const sub = named(resources, `feed-fanout-${region}`);
      const url = `https://feed-worker-${region}.a.run.app`;
      expect(sub.inputs).to.deep.include({
        name: `avalo-feed-fanout-${region}`,
        filter: `attributes.region = "${region}"`,
        ackDeadlineSeconds: 120,
        messageRetentionDuration: "604800s",
        expirationPolicy: { ttl: "" },
        enableMessageOrdering: false,
        retryPolicy: { minimumBackoff: "10s", maximumBackoff: "600s" },
        pushConfig: {
          pushEndpoint: `${url}/pubsub/push`,
          oidcToken: { serviceAccountEmail: email, audience: url },
        },
      });
      expect(sub.inputs.labels).to.include({ region });
    }
    const tokenCreator = named(resources, "feed-fanout-invoker-agent-token-creator");
    expect(tokenCreator.inputs).to.include({
      role: "roles/iam.serviceAccountTokenCreator",
      member: AGENT,
    });
  });

  it("uses a given invoker account and creates none", async () => {
    const email = "pubsub-invoker@avalo-us.iam.gserviceaccount.com";
    const { resources, result } = await deploy([getPipeline("match-created")], {
      invokerServiceAccountEmail: email,
    });
    const member = await new Promise<string>((resolve) => result[0].invokerMember.apply(resolve));
    expect(member).to.equal(`serviceAccount:${email}`);
    expect(ofType(resources, "gcp:serviceaccount/account:Account")).to.deep.equal([]);
    const sub = named(resources, "match-created-us-west");
    expect(sub.inputs.pushConfig).to.deep.include({
      oidcToken: { serviceAccountEmail: email, audience: "https://match-worker-us-west.a.run.app" },
    });
  });

  it("grants the Pub/Sub agent publish on the dead-letter topic and subscribe on each source", async () => {
    const publisher = named(resources, "analytics-aggregation-dlq-agent-publisher");
    expect(publisher.inputs).to.deep.equal({
      project: "avalo-us",
      topic: "avalo-analytics-aggregation-dlq",
      role: "roles/pubsub.publisher",
      member: AGENT,
    });
    const subscribers = ofType(
      resources,
      "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember",
    ).filter((g) => String(g.inputs.subscription).startsWith("avalo-analytics-aggregation-"));
    expect(subscribers.map((g) => g.inputs.subscription)).to.have.members([
      "avalo-analytics-aggregation-us-east",
      "avalo-analytics-aggregation-us-west",
      "avalo-analytics-aggregation-bigquery",
    ]);
    for (const g of subscribers) {
      expect(g.inputs).to.include({ role: "roles/pubsub.subscriber", member: AGENT });
    }
    const sources = subscriptions(resources).filter(
      (x) => x.inputs.deadLetterPolicy && x.name.startsWith("analytics-aggregation"),
    );
    expect(sources).to.have.length(3);
    for (const s of sources) {
      expect(s.dependencies).to.include(publisher.urn);
    }
  });

  it("holds dead letters for 7 days on a subscription that never expires", async () => {
    const hold = named(resources, "fraud-check-dlq-hold");
    expect(hold.inputs).to.deep.include({
      name: "avalo-fraud-check-dlq-hold",
      topic: "projects/avalo-us/topics/avalo-fraud-check-dlq",
      messageRetentionDuration: "604800s",
      retainAckedMessages: true,
      expirationPolicy: { ttl: "" },
    });
    expect(hold.inputs.deadLetterPolicy).to.equal(undefined);
    expect(named(resources, "fraud-check-us-east").inputs.deadLetterPolicy).to.deep.equal({
      deadLetterTopic: "projects/avalo-us/topics/avalo-fraud-check-dlq",
      maxDeliveryAttempts: 10,
    });
  });

  it("orders messages only where the catalog names an ordering key", async () => {
    expect(named(resources, "notification-batch-us-east").inputs.enableMessageOrdering).to.equal(
      true,
    );
    expect(named(resources, "user-created-us-east").inputs.enableMessageOrdering).to.equal(false);
  });

  it("writes analytics events to BigQuery with metadata through a BigQuery subscription", async () => {
    const sub = named(resources, "analytics-aggregation-bigquery");
    expect(sub.inputs.bigqueryConfig).to.deep.equal({ table: TABLE, writeMetadata: true });
    expect(sub.inputs.filter).to.equal(undefined);
    expect(sub.inputs.pushConfig).to.equal(undefined);
  });

  it("grants publish with exactly roles/pubsub.publisher on the topic", async () => {
    expect(named(resources, "user-created-publish-api").inputs).to.deep.equal({
      project: "avalo-us",
      topic: "avalo-user-created",
      role: "roles/pubsub.publisher",
      member: "serviceAccount:api@avalo-us.iam.gserviceaccount.com",
    });
  });

  it("makes every child depend on the enabled APIs and parents it to the pipeline", async () => {
    const apis = ofType(resources, "gcp:projects/service:Service").map((s) => s.urn);
    const component = resources.find(
      (r) => r.type === "avalo:pubsub:Pipeline" && r.name === "user-created",
    );
    const children = resources.filter((r) => r.parent === component?.urn);
    expect(children).to.have.length(11);
    for (const child of children) expect(child.dependencies).to.include.members(apis);
  });

  it("rejects invalid delivery settings, missing endpoints and foreign regions before creating anything", async () => {
    const base = getPipeline("user-created");
    const cases: [Partial<PipelineArgs>, Partial<PipelineSpec>, string][] = [
      [
        {},
        { ackDeadlineSeconds: 5 },
        "`ackDeadlineSeconds` must be 10–600 seconds, but 5 was provided",
      ],
      [
        {},
        { maxDeliveryAttempts: 101 },
        "`maxDeliveryAttempts` must be 5–100 attempts, but 101 was provided",
      ],
      [
        {},
        { retry: { minimumBackoffSeconds: 10, maximumBackoffSeconds: 601 } },
        "`retry.maximumBackoffSeconds` must be 0–600 seconds, but 601 was provided",
      ],
      [
        {},
        { retry: { minimumBackoffSeconds: 60, maximumBackoffSeconds: 30 } },
        "`retry.minimumBackoffSeconds` must be at most `retry.maximumBackoffSeconds` (30), but 60 was provided",
      ],
      [
        {},
        { messageRetentionSeconds: 300 },
        "`messageRetentionSeconds` must be 600–604800 seconds, but 300 was provided",
      ],
      [
        { pushEndpoints: { "us-east": "https://x" } },
        {},
        "`pushEndpoints` must have an entry for each of us-east, us-west, but us-west is missing",
      ],
      [
        { regions: [{ id: "eu-west", gcpRegion: "europe-west1" }] },
        {},
        "2 invalid arguments:\n" +
          '  `regions[].id` must be one of us-east, us-west, but "eu-west" was provided\n' +
          "  `pushEndpoints` must have an entry for each of eu-west, but eu-west is missing",
      ],
      [
        { bigQueryTable: undefined },
        { bigQueryTable: "analytics_events_raw" },
        '`bigQueryTable` must be set because pipeline "user-created" writes to BigQuery table "analytics_events_raw"; pass Analytics.subscriptionTable("analytics_events_raw")',
      ],
    ];
    const { result, resources: registered } = await runComponent(() => {
      const apis = new Apis("apis", { project: "avalo-us" });
      return cases.map(([args, spec], i) => {
        try {
          new Pipeline(`bad-${i}`, { ...pipelineArgs({ ...base, ...spec }, apis), ...args });
          return "no error";
        } catch (e) {
          return (e as Error).message;
        }
      });
    });
    expect(result).to.deep.equal(cases.map(([, , message]) => message));
    expect(registered.filter((r) => r.type.startsWith("gcp:pubsub"))).to.deep.equal([]);
  });
});
