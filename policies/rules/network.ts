import {
  at,
  lastSegment,
  list,
  resourceRule,
  stackRule,
  type AvaloResourcePolicy,
  type AvaloStackPolicy,
} from "./define";

const NETWORK = "gcp:compute/network:Network";
const SUBNETWORK = "gcp:compute/subnetwork:Subnetwork";
const FIREWALL = "gcp:compute/firewall:Firewall";
const ADDRESSES = ["gcp:compute/address:Address", "gcp:compute/globalAddress:GlobalAddress"];
const ANYWHERE = ["0.0.0.0/0", "::/0"];

const protocols = (rules: unknown) => list(rules).map((r) => String(at(r, "protocol")));

export const networkRules: Array<AvaloResourcePolicy | AvaloStackPolicy> = [
  resourceRule({
    name: "network-subnet-flow-logs",
    checks: [52],
    requirement: "Every subnet records VPC flow logs.",
    enforcementLevel: "mandatory",
    types: [SUBNETWORK],
    check: (props, flag) => {
      if (!props.logConfig) {
        flag(
          "logConfig",
          props.logConfig,
          "set logConfig (aggregationInterval, flowSampling, metadata).",
        );
      }
    },
  }),
  resourceRule({
    name: "network-subnet-private-google-access",
    checks: [53],
    requirement:
      "Every subnet reaches Google APIs through Private Google Access, so workloads need no external IP.",
    enforcementLevel: "mandatory",
    types: [SUBNETWORK],
    check: (props, flag) => {
      if (props.privateIpGoogleAccess !== true) {
        flag("privateIpGoogleAccess", props.privateIpGoogleAccess, "set it to true.");
      }
    },
  }),
  resourceRule({
    name: "network-custom-mode",
    checks: [54],
    requirement: "VPC networks are custom mode: subnets are declared, never auto-created.",
    enforcementLevel: "mandatory",
    types: [NETWORK],
    check: (props, flag) => {
      if (props.autoCreateSubnetworks !== false) {
        flag("autoCreateSubnetworks", props.autoCreateSubnetworks, "set it to false.");
      }
    },
  }),
  stackRule({
    name: "network-firewall-deny-by-default",
    checks: [55],
    requirement:
      "Every VPC network has its own firewall rules: a logged deny-all ingress rule, and no ingress allowed from anywhere (0.0.0.0/0).",
    enforcementLevel: "mandatory",
    check: (args, report) => {
      const firewalls = args.resources.filter((r) => r.type === FIREWALL);
      for (const fw of firewalls) {
        const sources = list(fw.props.sourceRanges).map(String);
        if (
          fw.props.direction !== "EGRESS" &&
          list(fw.props.allows).length > 0 &&
          sources.some((s) => ANYWHERE.includes(s))
        ) {
          report(
            `${fw.type} "${fw.name}": sourceRanges is ${JSON.stringify(sources)} on an allow rule. ` +
              "Fix: allow only the ranges that need it (Google health checkers, private service access).",
            fw.urn,
          );
        }
      }
      for (const net of args.resources.filter((r) => r.type === NETWORK)) {
        const own = firewalls.filter(
          (f) =>
            lastSegment(f.props.network) === net.props.name ||
            (f.propertyDependencies.network ?? []).includes(net),
        );
        const denyAll = own.some(
          (f) =>
            f.props.direction !== "EGRESS" &&
            protocols(f.props.denies).includes("all") &&
            list(f.props.sourceRanges).some((s) => ANYWHERE.includes(String(s))) &&
            !!f.props.logConfig,
        );
        if (!denyAll) {
          report(
            `${net.type} "${net.name}": no logged firewall rule denies all ingress from 0.0.0.0/0. ` +
              "Fix: add a deny-all INGRESS rule at the lowest priority with logConfig (Network does).",
            net.urn,
          );
        }
      }
    },
  }),
  resourceRule({
    name: "network-no-external-addresses",
    checks: [56],
    requirement:
      "No external IP address is reserved: the platform has no public endpoint of its own, and an unattached external address is waste and exposure.",
    enforcementLevel: "mandatory",
    types: ADDRESSES,
    check: (props, flag) => {
      if (props.addressType !== "INTERNAL") {
        flag("addressType", props.addressType, 'reserve "INTERNAL" addresses only.');
      }
    },
  }),
];
