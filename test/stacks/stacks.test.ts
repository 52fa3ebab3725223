import { expect } from "chai";
import type { PlanResource } from "../../plan/record";
import { type Bundle, buildBundles } from "../../build/bundles";
import { PUSH_PATH } from "../../components/defaults";
import { loadStackConfig, readStackFile } from "../../stacks/config";
import { runOffline } from "../../stacks/offline/mocks";
import { type StackOutputs, defineStack } from "../../stacks/program";
import { PIPELINES } from "../../runtime/catalog/pipelines";
import { SERVICES } from "../../runtime/catalog/services";
import {
  REGIONS,
  type RegionId,
  STACK_NAMES,
  allowedLocations,
  geographyForStack,
} from "../../runtime/topology";
import { GLOBAL_LOCATION_EXEMPTIONS } from "../../policies/rules/placement";

/** Input keys that place a resource somewhere; each value must lie inside the geography. */
const LOCATION_KEYS = new Set([
  "location",
  "region",
  "locationId",
  "alternativeLocationId",
  "allowedPersistenceRegions",
]);

type Inputs = Record<string, unknown>;

/** Every `key: value` pair anywhere inside `value`, with its path. */
function* entries(value: unknown, path = ""): Generator<[string, string, unknown]> {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) yield* entries(v, `${path}[${i}]`);
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      yield [`${path}.${k}`, k, v];
      yield* entries(v, `${path}.${k}`);
    }
  }
}

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

const ofType = (resources: readonly PlanResource[], type: string) =>
  resources.filter((r) => r.custom && r.type === type);

interface StackRun {
  readonly resources: readonly PlanResource[];
  readonly outputs: StackOutputs;
}

describe("stacks under the mock runtime", function () {
  // The bundles are built once per test run (and reused from out/bundles when fresh).
  this.timeout(300_000);
  let bundles: Bundle[];
  const runs = new Map<string, StackRun>();

  before(async () => {
    bundles = await buildBundles();
    for (const stack of STACK_NAMES) {
      const { resources, result } = await runOffline(
        { project: "avalo", stack, config: readStackFile(stack) },
        () => defineStack(loadStackConfig(), bundles),
      );
      runs.set(stack, { resources, outputs: result });
    }
  });

  for (const stack of STACK_NAMES) {
    const geography = geographyForStack(stack)!;
    const run = () => runs.get(stack)!;
    const services = () => ofType(run().resources, "gcp:cloudrunv2/service:Service");

    describe(`stack ${stack}`, () => {
      it("registers all eight pipelines with their topics, dead-letter topics and a push subscription per region", () => {
        const { resources } = run();
        expect(resources.filter((r) => r.type === "avalo:pubsub:Pipeline")).to.have.length(8);
        const topics = ofType(resources, "gcp:pubsub/topic:Topic").map((t) => t.inputs.name);
        expect([...topics].sort()).to.deep.equal(
          PIPELINES.flatMap((p) => [p.topic, p.deadLetterTopic]).sort(),
        );
        const subscriptions = ofType(resources, "gcp:pubsub/subscription:Subscription");
        for (const pipeline of PIPELINES) {
          for (const region of geography.regions) {
            const push = subscriptions.filter(
              (s) => s.inputs.name === `${pipeline.topic}-${region}`,
            );
            expect(push, `${pipeline.name} in ${region}`).to.have.length(1);
            const gcpRegion = loadRegion(stack, region);
            const url = `https://${pipeline.consumer}-123456789012.${gcpRegion}.run.app`;
            expect(push[0].inputs.pushConfig).to.deep.equal({
              pushEndpoint: `${url}${PUSH_PATH}`,
              oidcToken: {
                serviceAccountEmail: `${pipeline.name}-push@${geography.projectId}.iam.gserviceaccount.com`,
                audience: url,
              },
            });
          }
        }
      });

      it("registers every service of the table in both regions with the table's memory, timeout and max instances", () => {
        expect(services()).to.have.length(SERVICES.length * geography.regions.length);
        for (const spec of SERVICES) {
          for (const region of geography.regions) {
            const location = loadRegion(stack, region);
            const found = services().filter(
              (s) => s.inputs.name === spec.name && s.inputs.location === location,
            );
            expect(found, `${spec.name} in ${region}`).to.have.length(1);
            const template = found[0].inputs.template as Inputs;
            const container = (template.containers as Inputs[])[0];
            expect((container.resources as Inputs).limits).to.deep.equal({
              memory: `${spec.memoryMiB}Mi`,
              cpu: String(spec.cpu),
            });
            expect(template.timeout).to.equal(`${spec.timeoutSeconds}s`);
            expect(template.scaling).to.deep.equal({
              minInstanceCount: 0,
              maxInstanceCount: spec.maxInstances,
            });
            expect(template.maxInstanceRequestConcurrency).to.equal(spec.concurrency);
          }
        }
      });

      it("sets deletion protection, launch stage, scaling and labels explicitly on every service", () => {
        for (const s of services()) {
          const spec = SERVICES.find((x) => x.name === s.inputs.name)!;
          expect(s.inputs).to.include({
            deletionProtection: true,
            launchStage: "BETA",
            ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY",
          });
          expect(s.inputs.scaling).to.deep.equal({
            scalingMode: "AUTOMATIC",
            minInstanceCount: 0,
            maxInstanceCount: spec.maxInstances,
          });
          const labels = s.inputs.labels as Inputs;
          expect(labels).to.include({
            app: "avalo",
            geography: geography.id,
            env: "prod",
            service: spec.name,
          });
          expect(geography.regions).to.include(labels.region);
          expect((s.inputs.template as Inputs).labels).to.deep.equal(labels);
        }
      });

      it("deploys each service from the object named by its bundle's sha256, with no build and no placeholder", () => {
        for (const s of services()) {
          const bundle = bundles.find((b) => b.service === s.inputs.name)!;
          expect(s.inputs).not.to.have.property("buildConfig");
          const container = ((s.inputs.template as Inputs).containers as Inputs[])[0];
          expect(container.image).to.equal("scratch");
          expect(container.sourceCode).to.deep.include({
            cloudStorageSource: {
              bucket: `${geography.projectId}-bundles`,
              object: `${bundle.service}/${bundle.sha256}.tar.gz`,
              generation: (container.sourceCode as { cloudStorageSource: Inputs })
                .cloudStorageSource.generation,
            },
          });
          expect(container.commands).to.deep.equal(["node"]);
          expect(container.args).to.deep.equal(["index.js"]);
        }
        expect(run().outputs.bundleObjects).to.have.keys(SERVICES.map((s) => s.name));
      });

      it("grants no allUsers or allAuthenticatedUsers anywhere", () => {
        for (const r of run().resources) {
          for (const value of strings(r.inputs)) {
            expect(value, `${r.type} ${r.name}`).to.not.match(/allUsers|allAuthenticatedUsers/);
          }
        }
      });

      it("lets only each pipeline's invoker (and declared callers) invoke a service", () => {
        const invokers = ofType(
          run().resources,
          "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
        );
        const expected = PIPELINES.flatMap((p) =>
          geography.regions.map((region) => ({
            name: p.consumer,
            location: loadRegion(stack, region),
            role: "roles/run.invoker",
            member: `serviceAccount:${p.name}-push@${geography.projectId}.iam.gserviceaccount.com`,
          })),
        );
        expect(invokers).to.have.length(expected.length);
        for (const grant of expected) {
          expect(
            invokers.filter(
              (i) =>
                i.inputs.name === grant.name &&
                i.inputs.location === grant.location &&
                i.inputs.member === grant.member &&
                i.inputs.role === grant.role,
            ),
            `${grant.member} on ${grant.name} in ${grant.location}`,
          ).to.have.length(1);
        }
      });

      it("keeps every location input inside the geography", () => {
        const allowed = new Set(allowedLocations(geography.id));
        let checked = 0;
        for (const r of run().resources) {
          for (const [path, key, value] of entries(r.inputs)) {
            if (!LOCATION_KEYS.has(key) || /labels\./i.test(path)) continue;
            for (const location of strings(value)) {
              checked += 1;
              const exempt = location === "global" && r.type in GLOBAL_LOCATION_EXEMPTIONS;
              expect(
                allowed.has(location.toLowerCase()) || exempt,
                `${r.type} ${r.name}${path} = ${location}`,
              ).to.equal(true);
            }
          }
        }
        expect(checked).to.be.greaterThan(50);
      });

      it("exports service URLs per region, topic names, Redis hosts and the dataset id", async () => {
        const { outputs } = run();
        const value = <T>(o: { apply<U>(f: (v: T) => U): unknown }) =>
          new Promise<T>((resolve) => o.apply((v) => resolve(v)));
        const home = geography.regions[0];
        const url = await value<string>(outputs.serviceUrls[home]!["fraud-analyzer"]);
        expect(url).to.equal(
          `https://fraud-analyzer-123456789012.${loadRegion(stack, home)}.run.app`,
        );
        expect(Object.keys(outputs.serviceUrls)).to.deep.equal([...geography.regions]);
        expect(await value<string>(outputs.topicNames["fraud-check"])).to.equal(
          "avalo-fraud-check",
        );
        expect(Object.keys(outputs.redisHosts)).to.deep.equal([...geography.regions]);
        expect(await value<string>(outputs.datasetId))
          .to.be.a("string")
          .and.not.equal("");
      });
    });
  }

  it("applies config overrides: max instances and deletion protection off outside prod", async () => {
    const config = {
      ...readStackFile("eu-west"),
      "avalo:environment": "dev",
      "avalo:maxInstances": { "ranking-engine": 3 },
      "avalo:regions": { "eu-central": "europe-west4" },
    };
    const { resources } = await runOffline({ project: "avalo", stack: "eu-west", config }, () =>
      defineStack(loadStackConfig(), bundles),
    );
    const runServices = ofType(resources, "gcp:cloudrunv2/service:Service");
    expect(runServices.every((s) => s.inputs.deletionProtection === false)).to.equal(true);
    const ranking = runServices.filter((s) => s.inputs.name === "ranking-engine");
    expect(ranking.map((s) => s.inputs.location).sort()).to.deep.equal([
      "europe-west1",
      "europe-west4",
    ]);
    for (const s of ranking) {
      expect(((s.inputs.template as Inputs).scaling as Inputs).maxInstanceCount).to.equal(3);
    }
  });
});

/** GCP region of an Avalo region in a stack's committed config (defaults from the topology). */
function loadRegion(stack: string, region: RegionId): string {
  const overrides = readStackFile(stack)["avalo:regions"] as Record<string, string> | undefined;
  return overrides?.[region] ?? REGIONS[region].gcpRegion;
}
