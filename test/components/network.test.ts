import { expect } from "chai";
import { Apis } from "../../components/apis";
import { Network } from "../../components/network";
import { named, ofType, platformArgs, runComponent } from "./fixtures";

describe("Network component", () => {
  it("creates a custom-mode VPC with a private-access subnet per region", async () => {
    const { resources } = await runComponent(() => {
      const base = platformArgs("asia");
      return new Network("net", { ...base, apis: new Apis("apis", { project: base.project }) });
    }, "asia");
    expect(named(resources, "net").inputs).to.deep.include({
      name: "avalo-asia",
      autoCreateSubnetworks: false,
      routingMode: "REGIONAL",
    });
    const subnets = ofType(resources, "gcp:compute/subnetwork:Subnetwork");
    expect(
      subnets.map((s) => [s.inputs.name, s.inputs.region, s.inputs.ipCidrRange]),
    ).to.deep.equal([
      ["avalo-asia-east", "asia-east1", "10.0.0.0/18"],
      ["avalo-asia-south", "asia-south1", "10.64.0.0/18"],
    ]);
    for (const s of subnets) {
      expect(s.inputs).to.deep.include({ privateIpGoogleAccess: true, network: "net-id" });
    }
  });

  it("denies all ingress by default, logged, with no allowance", async () => {
    const { resources } = await runComponent(() => {
      const base = platformArgs("eu");
      return new Network("net", { ...base, apis: new Apis("apis", { project: base.project }) });
    }, "eu");
    const firewalls = ofType(resources, "gcp:compute/firewall:Firewall");
    expect(firewalls.map((f) => f.inputs)).to.deep.equal([
      {
        project: "avalo-eu",
        name: "avalo-eu-deny-all-ingress",
        network: "net-id",
        description: "Deny by default: nothing in the platform takes ingress from the VPC",
        direction: "INGRESS",
        priority: 65534,
        denies: [{ protocol: "all" }],
        sourceRanges: ["0.0.0.0/0"],
        logConfig: { metadata: "INCLUDE_ALL_METADATA" },
      },
    ]);
    expect(firewalls[0].propertyDependencies.network).to.deep.equal([named(resources, "net").urn]);
  });

  it("reserves a private service access range and peers it with Service Networking", async () => {
    const { resources } = await runComponent(() => {
      const base = platformArgs("us");
      return new Network("net", { ...base, apis: new Apis("apis", { project: base.project }) });
    });
    const range = named(resources, "net-psa");
    expect(range.inputs).to.deep.include({
      name: "avalo-us-psa",
      purpose: "VPC_PEERING",
      addressType: "INTERNAL",
      address: "10.240.0.0",
      prefixLength: 16,
      network: "net-id",
      labels: { app: "avalo", geography: "us", region: "multi", env: "prod" },
    });
    expect(named(resources, "net-psa-peering").inputs).to.deep.equal({
      network: "net-id",
      service: "servicenetworking.googleapis.com",
      reservedPeeringRanges: ["avalo-us-psa"],
      deletionPolicy: "ABANDON",
    });
    const apis = ofType(resources, "gcp:projects/service:Service").map((s) => s.urn);
    expect(range.dependencies).to.include.members(apis);
  });
});
