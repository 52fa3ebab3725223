import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { RegionId } from "../runtime/topology";
import type { Apis } from "./apis";
import type { PlatformArgs } from "./context";
import { NETWORK } from "./defaults";
import { platformLabels } from "./labels";
import { gcpName } from "./naming";
import { checkPlatformArgs } from "./validation";

/** Arguments of {@link Network}. */
export interface NetworkArgs extends PlatformArgs {
  /** Enabled APIs; every child depends on them. */
  readonly apis: Apis;
}

/** Priority of the deny-all ingress rule: the lowest a rule can have, so any allowance wins. */
const DENY_ALL_INGRESS_PRIORITY = 65534;

/**
 * The geography's VPC: one subnet per region with Private Google Access and flow logs (Cloud Run
 * reaches it through Direct VPC egress), a private service access range peered with
 * Service Networking for Memorystore, and a logged deny-all ingress firewall rule.
 *
 * The rule has no allowance, because nothing in the platform receives connections from the VPC:
 * Cloud Run services and jobs do not support Direct VPC ingress (they only send through it);
 * Memorystore sits in the producer network behind the peering and only answers connections the
 * services open, which the stateful firewall lets back in; and Google's health checkers
 * (35.191.0.0/16, 130.211.0.0/22) probe load-balancer backends, of which this VPC has none. A
 * workload that does need ingress adds its own rule, above this one, for exactly its sources.
 */
export class Network extends pulumi.ComponentResource {
  readonly network: gcp.compute.Network;
  /** Subnet per region. */
  readonly subnets: Readonly<Partial<Record<RegionId, gcp.compute.Subnetwork>>>;
  /** Internal range reserved for Google-managed producer services. */
  readonly privateServiceRange: gcp.compute.GlobalAddress;
  /** Service Networking peering; private-service-access resources depend on it. */
  readonly connection: gcp.servicenetworking.Connection;
  /** Lowest-priority rule denying all ingress, logged. */
  readonly denyAllIngress: gcp.compute.Firewall;

  constructor(name: string, args: NetworkArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("avalo:network:Network", name, {}, opts);
    checkPlatformArgs(this, args);
    const childOpts = { parent: this, dependsOn: args.apis.services };
    this.network = new gcp.compute.Network(
      name,
      {
        project: args.project,
        name: gcpName("compute", "avalo", args.geography.id),
        autoCreateSubnetworks: false,
        routingMode: "REGIONAL",
      },
      childOpts,
    );
    const subnets: Partial<Record<RegionId, gcp.compute.Subnetwork>> = {};
    args.regions.forEach((region, index) => {
      subnets[region.id] = new gcp.compute.Subnetwork(
        `${name}-${region.id}`,
        {
          project: args.project,
          name: gcpName("compute", "avalo", region.id),
          region: region.gcpRegion,
          network: this.network.id,
          ipCidrRange: NETWORK.subnetCidr(index),
          privateIpGoogleAccess: true,
          stackType: "IPV4_ONLY",
          logConfig: {
            aggregationInterval: "INTERVAL_10_MIN",
            flowSampling: 0.5,
            metadata: "INCLUDE_ALL_METADATA",
          },
        },
        childOpts,
      );
    });
    this.subnets = subnets;
    this.privateServiceRange = new gcp.compute.GlobalAddress(
      `${name}-psa`,
      {
        project: args.project,
        name: gcpName("compute", "avalo", args.geography.id, "psa"),
        purpose: "VPC_PEERING",
        addressType: "INTERNAL",
        address: NETWORK.privateServiceAccessAddress,
        prefixLength: NETWORK.privateServiceAccessPrefixLength,
        network: this.network.id,
        labels: platformLabels(args),
      },
      childOpts,
    );
    // ABANDON: deleting the peering fails while producers (Memorystore) still hold addresses.
    this.connection = new gcp.servicenetworking.Connection(
      `${name}-psa-peering`,
      {
        network: this.network.id,
        service: "servicenetworking.googleapis.com",
        reservedPeeringRanges: [this.privateServiceRange.name],
        deletionPolicy: "ABANDON",
      },
      childOpts,
    );
    this.denyAllIngress = new gcp.compute.Firewall(
      `${name}-deny-all-ingress`,
      {
        project: args.project,
        name: gcpName("compute", "avalo", args.geography.id, "deny-all-ingress"),
        network: this.network.id,
        description: "Deny by default: nothing in the platform takes ingress from the VPC",
        direction: "INGRESS",
        priority: DENY_ALL_INGRESS_PRIORITY,
        denies: [{ protocol: "all" }],
        sourceRanges: ["0.0.0.0/0"],
        logConfig: { metadata: "INCLUDE_ALL_METADATA" },
      },
      childOpts,
    );
    this.registerOutputs({ network: this.network.id });
  }
}
