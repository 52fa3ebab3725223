import { expect } from "chai";
import { Apis } from "../../components/apis";
import { REQUIRED_APIS } from "../../components/defaults";
import { MOCK_PROJECT_NUMBER } from "../../stacks/offline/mocks";
import { isResourceError, ofType, runComponent, runFailing } from "./fixtures";

describe("Apis component", () => {
  it("enables every platform API once, never disabling it on destroy", async () => {
    const { resources } = await runComponent(() => new Apis("apis", { project: "avalo-us" }));
    const services = ofType(resources, "gcp:projects/service:Service");
    expect(services.map((s) => s.inputs.service)).to.have.members([...REQUIRED_APIS]);
    expect(services).to.have.length(REQUIRED_APIS.length);
    for (const s of services) {
      expect(s.inputs).to.include({ project: "avalo-us", disableOnDestroy: false });
    }
    const component = resources.find((r) => r.type === "avalo:platform:Apis");
    expect(services.every((s) => s.parent === component?.urn)).to.equal(true);
  });

  it("creates service identities after the APIs and exposes each agent's member", async () => {
    const { resources, result } = await runComponent(() => {
      const apis = new Apis("apis", { project: "avalo-us" });
      return {
        apis,
        members: (
          ["pubsub", "secretmanager", "firestore", "redis", "bigquery", "storage"] as const
        ).map((a) => apis.serviceAgent(a)),
      };
    });
    const identities = ofType(resources, "gcp:projects/serviceIdentity:ServiceIdentity");
    expect(identities.map((i) => i.inputs.service)).to.have.members([
      "pubsub.googleapis.com",
      "secretmanager.googleapis.com",
      "firestore.googleapis.com",
    ]);
    const serviceUrns = ofType(resources, "gcp:projects/service:Service").map((s) => s.urn);
    for (const identity of identities)
      expect(identity.dependencies).to.include.members(serviceUrns);
    const values = await Promise.all(
      result.members.map((m) => new Promise<string>((resolve) => m.apply(resolve))),
    );
    const n = MOCK_PROJECT_NUMBER;
    expect(values).to.deep.equal([
      `serviceAccount:service-${n}@gcp-sa-pubsub.iam.gserviceaccount.com`,
      `serviceAccount:service-${n}@gcp-sa-secretmanager.iam.gserviceaccount.com`,
      `serviceAccount:service-${n}@gcp-sa-firestore.iam.gserviceaccount.com`,
      `serviceAccount:service-${n}@cloud-redis.iam.gserviceaccount.com`,
      `serviceAccount:bq-${n}@bigquery-encryption.iam.gserviceaccount.com`,
      `serviceAccount:service-${n}@gs-project-accounts.iam.gserviceaccount.com`,
    ]);
  });

  it("adds extra services and rejects a malformed service name before enabling anything", async () => {
    const { resources } = await runComponent(
      () => new Apis("apis", { project: "avalo-us", extraServices: ["dns.googleapis.com"] }),
    );
    expect(
      ofType(resources, "gcp:projects/service:Service").map((s) => s.inputs.service),
    ).to.include("dns.googleapis.com");
    const failed = await runFailing(
      () => new Apis("apis", { project: "avalo-us", extraServices: ["DNS"] }),
    );
    expect(isResourceError(failed.error)).to.equal(true);
    expect(failed.error.message).to.equal(
      '`extraServices[]` must be a service name such as "dns.googleapis.com", but "DNS" was provided',
    );
    expect(failed.resources.filter((r) => r.custom)).to.deep.equal([]);
  });
});
