import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { runOffline } from "../../../stacks/offline/mocks";

class Holder extends pulumi.ComponentResource {
  readonly topic: gcp.pubsub.Topic;
  readonly dlq: gcp.pubsub.Topic;
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("avalo:test:Holder", name, {}, opts);
    this.dlq = new gcp.pubsub.Topic(`${name}-dlq`, { name: `${name}-dlq` }, { parent: this });
    this.topic = new gcp.pubsub.Topic(
      name,
      { name, labels: { dlq: this.dlq.name } },
      { parent: this, dependsOn: [this.dlq] },
    );
    this.registerOutputs({});
  }
}

describe("offline mock runtime", () => {
  it("records type, parent, inputs and dependencies of every registered resource", async () => {
    const config = { "avalo:environment": "prod" };
    const { resources } = await runOffline({ project: "avalo", stack: "us-east", config }, () => {
      expect(new pulumi.Config("avalo").require("environment")).to.equal("prod");
      return new Holder("orders");
    });
    const holder = resources.find((r) => r.type === "avalo:test:Holder");
    const topic = resources.find((r) => r.name === "orders" && r.custom);
    const dlq = resources.find((r) => r.name === "orders-dlq");
    expect(holder?.custom).to.equal(false);
    expect(topic?.parent).to.equal(holder?.urn);
    expect(topic?.inputs).to.include({ name: "orders" });
    expect(topic?.inputs.labels).to.deep.equal({ dlq: "orders-dlq" });
    expect(topic?.dependencies).to.include(dlq?.urn);
    expect(topic?.propertyDependencies.labels).to.deep.equal([dlq?.urn]);
  });
});
