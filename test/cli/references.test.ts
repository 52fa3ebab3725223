import * as gcp from "@pulumi/gcp";
import { expect } from "chai";
import type { Plan } from "../../plan/record";
import { buildBundles } from "../../build/bundles";
import { buildPlan } from "../../cli/preview/plan";
import {
  checkReferences,
  SAFE_REFERENCES,
  unorderedReferences,
} from "../../cli/preview/references";
import { loadStackConfig, readStackFile } from "../../stacks/config";
import { runOffline } from "../../stacks/offline/mocks";
import { defineStack } from "../../stacks/program";
import { planOf, resource } from "./plan-builder";

const SERVICE = "gcp:cloudrunv2/service:Service";

/** Runs a program under the mocks and returns its plan. */
async function planOfProgram(program: () => unknown): Promise<Plan> {
  const { resources } = await runOffline({ project: "avalo", stack: "us-east" }, program);
  return buildPlan(resources, { project: "avalo", stack: "us-east", geography: "", roots: [] });
}

/** A Redis AUTH secret, its first version, and a service reading it at `version`. */
function secretProgram(read: "literal" | "secret-only" | "version") {
  return () => {
    const secret = new gcp.secretmanager.Secret("auth", {
      project: "avalo-us",
      secretId: "avalo-redis-auth-us-east",
      replication: { auto: {} },
    });
    const version = new gcp.secretmanager.SecretVersion("auth-v", {
      secret: secret.id,
      secretData: "s3cret",
    });
    const secretKeyRef =
      read === "literal"
        ? { secret: "avalo-redis-auth-us-east", version: "latest" }
        : read === "secret-only"
          ? { secret: secret.secretId, version: "latest" }
          : { secret: secret.secretId, version: version.version };
    return new gcp.cloudrunv2.Service("feed", {
      project: "avalo-us",
      name: "feed-worker",
      location: "us-east1",
      template: {
        containers: [
          { image: "node", envs: [{ name: "REDIS_PASSWORD", valueSource: { secretKeyRef } }] },
        ],
      },
    });
  };
}

describe("preview reference check (inputs naming a resource they do not wait for)", function () {
  this.timeout(300_000);

  it("finds the secret-version race of a service reading a secret by literal name at version latest", async () => {
    const plan = await planOfProgram(secretProgram("literal"));
    const found = unorderedReferences(plan).map((u) => [u.from.name, u.path, u.to.name]);
    const path = "template.containers[0].envs[0].valueSource.secretKeyRef.secret";
    expect(found).to.deep.equal([
      ["feed", path, "auth"],
      ["feed", path, "auth-v"],
    ]);
    const messages = checkReferences(plan).map((f) => [f.rule, f.level, f.message]);
    expect(messages).to.deep.equal([
      [
        "unordered-reference",
        "mandatory",
        `gcp:cloudrunv2/service:Service "feed": ${path} "avalo-redis-auth-us-east" names ` +
          'gcp:secretmanager/secret:Secret "auth" without depending on it: on a first up it may not exist yet. ' +
          "Fix: use the resource's output (name, id, url) instead of a literal, or add dependsOn.",
      ],
      [
        "unordered-reference",
        "mandatory",
        `gcp:cloudrunv2/service:Service "feed": ${path} "avalo-redis-auth-us-east" reads secret "auth", ` +
          'whose data gcp:secretmanager/secretVersion:SecretVersion "auth-v" writes, without depending on it: ' +
          "on a first up the secret may have no version yet. Fix: reference the version's output " +
          '(SecretVersion.version) instead of "latest" or a literal.',
      ],
    ]);
  });

  it("still finds the race when the service waits for the secret but not for its version", async () => {
    const plan = await planOfProgram(secretProgram("secret-only"));
    expect(unorderedReferences(plan).map((u) => [u.to.name, u.via?.name])).to.deep.equal([
      ["auth-v", "auth"],
    ]);
  });

  it("passes once the service reads the secret at the version the program writes", async () => {
    expect(checkReferences(await planOfProgram(secretProgram("version")))).to.deep.equal([]);
  });

  it("finds a topic name, a Cloud Run URL and a service account email written as literals", () => {
    const topic = resource("gcp:pubsub/topic:Topic", "orders", { name: "avalo-orders" });
    const callee = resource(SERVICE, "ranker", { name: "ranking-engine", location: "us-east1" });
    const account = resource("gcp:serviceaccount/account:Account", "sa", { accountId: "invoker" });
    const caller = resource(SERVICE, "api", {
      name: "api",
      location: "us-east1",
      template: {
        containers: [
          {
            envs: [
              { name: "TOPIC", value: "projects/avalo-us/topics/avalo-orders" },
              { name: "RANKER", value: "https://ranking-engine-123456789012.us-east1.run.app" },
              { name: "INVOKER", value: "invoker@avalo-us.iam.gserviceaccount.com" },
            ],
          },
        ],
      },
    });
    const plan = planOf([topic, callee, account, caller]);
    expect(unorderedReferences(plan).map((u) => u.to.name)).to.deep.equal([
      "orders",
      "ranker",
      "sa",
    ]);
    const ordered = { ...caller, dependencies: [topic.urn, callee.urn, account.urn] };
    expect(unorderedReferences(planOf([topic, callee, account, ordered]))).to.deep.equal([]);
  });

  it("counts a dependency on a component, or an ancestor's dependency, as waiting", () => {
    const topic = resource("gcp:pubsub/topic:Topic", "orders", { name: "avalo-orders" });
    const component = { ...resource("avalo:pubsub:Pipeline", "pipe", {}), custom: false };
    const inPipeline = { ...topic, parent: component.urn };
    const parent = { ...resource("avalo:run:Service", "svc", {}), custom: false };
    const child = resource(
      "gcp:storage/bucket:Bucket",
      "b",
      { name: "b", notification: "avalo-orders" },
      { parent: parent.urn },
    );
    expect(unorderedReferences(planOf([component, inPipeline, parent, child]))).to.have.length(1);
    const waiting = { ...parent, dependencies: [component.urn] };
    expect(unorderedReferences(planOf([component, inPipeline, waiting, child]))).to.deep.equal([]);
  });

  describe("safe references, each with its reason", () => {
    const reasons = Object.fromEntries(SAFE_REFERENCES.map((s) => [s.id, s.reason]));
    const tested = new Set<string>();
    /** Asserts the plan has no finding, and that it has one without the safe reference `id`. */
    const safeBy = (id: string, plan: Plan) => {
      tested.add(id);
      expect(reasons[id], id).to.be.a("string").and.have.length.greaterThan(20);
      expect(unorderedReferences(plan)).to.deep.equal([]);
      const without = SAFE_REFERENCES.filter((s) => s.id !== id);
      expect(unorderedReferences(plan, without)).to.have.length.greaterThan(0);
    };

    it("self: a service's own URL in its environment", () => {
      safeBy(
        "self",
        planOf([
          resource(SERVICE, "feed", {
            name: "feed-worker",
            location: "us-east1",
            template: {
              containers: [
                {
                  envs: [
                    { name: "SELF", value: "https://feed-worker-123456789012.us-east1.run.app" },
                  ],
                },
              ],
            },
          }),
        ]),
      );
    });

    it("own-name: one service name in two regions, a subnetwork named like a Redis instance", () => {
      safeBy(
        "own-name",
        planOf([
          resource(SERVICE, "feed-east", { name: "feed-worker", location: "us-east1" }),
          resource(SERVICE, "feed-west", { name: "feed-worker", location: "us-west1" }),
          resource("gcp:compute/subnetwork:Subnetwork", "subnet", { name: "avalo-us-east" }),
          resource("gcp:redis/instance:Instance", "cache", { name: "avalo-us-east" }),
        ]),
      );
    });

    it("project: a project id equal to the name of the project's network", () => {
      safeBy(
        "project",
        planOf([
          resource("gcp:compute/network:Network", "net", { name: "avalo-us", project: "avalo-us" }),
          resource("gcp:pubsub/topic:Topic", "t", { name: "avalo-t", project: "avalo-us" }),
        ]),
      );
    });

    it("metadata: a label or object metadata holding a service's name", () => {
      safeBy(
        "metadata",
        planOf([
          resource(SERVICE, "feed", { name: "feed-worker", location: "us-east1" }),
          resource("gcp:storage/bucketObject:BucketObject", "bundle", {
            name: "feed.zip",
            bucket: "bundles",
            metadata: { service: "feed-worker" },
            labels: { service: "feed-worker" },
          }),
        ]),
      );
    });

    it("monitoring-filter: an alert policy selecting a subscription by name", () => {
      safeBy(
        "monitoring-filter",
        planOf([
          resource("gcp:pubsub/subscription:Subscription", "sub", { name: "avalo-orders-us-east" }),
          resource("gcp:monitoring/alertPolicy:AlertPolicy", "backlog", {
            conditions: [
              {
                conditionThreshold: {
                  filter: "projects/avalo-us/subscriptions/avalo-orders-us-east",
                },
              },
            ],
          }),
        ]),
      );
    });

    it("push-invoker-identity: a consumer's push invoker email, compared with token signers only", () => {
      safeBy(
        "push-invoker-identity",
        planOf([
          resource("gcp:serviceaccount/account:Account", "invoker", {
            accountId: "user-created-push",
            project: "avalo-us",
          }),
          resource(SERVICE, "user-worker", {
            name: "user-worker",
            location: "us-east1",
            template: {
              containers: [
                {
                  envs: [
                    {
                      name: "AVALO_PUSH_INVOKER_EMAIL",
                      value: "user-created-push@avalo-us.iam.gserviceaccount.com",
                    },
                  ],
                },
              ],
            },
          }),
        ]),
      );
    });

    it("has a test for every listed exception", () => {
      expect([...tested].sort()).to.deep.equal(SAFE_REFERENCES.map((s) => s.id).sort());
    });
  });

  it("passes on the shipped us-east stack: every reference is ordered or listed as safe", async () => {
    const bundles = await buildBundles();
    const plan = await planOfProgramWithConfig(() => defineStack(loadStackConfig(), bundles));
    expect(
      unorderedReferences(plan).map(
        (u) => `${u.from.type} ${u.from.name} ${u.path} -> ${u.to.name}`,
      ),
    ).to.deep.equal([]);
  });
});

async function planOfProgramWithConfig(program: () => unknown): Promise<Plan> {
  const { resources } = await runOffline(
    { project: "avalo", stack: "us-east", config: readStackFile("us-east") },
    program,
  );
  return buildPlan(resources, { project: "avalo", stack: "us-east", geography: "us", roots: [] });
}
