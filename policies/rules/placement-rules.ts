import {
  at,
  resourceRule,
  stackRule,
  type AvaloResourcePolicy,
  type AvaloStackPolicy,
} from "./define";
import { allowedList, geographyOf, locationsOutside } from "./placement";

/** Resource types that take labels, and the labels every one of them must carry. */
const LABELED_TYPES = [
  "gcp:pubsub/topic:Topic",
  "gcp:pubsub/subscription:Subscription",
  "gcp:cloudrunv2/service:Service",
  "gcp:cloudrunv2/job:Job",
  "gcp:redis/instance:Instance",
  "gcp:bigquery/dataset:Dataset",
  "gcp:bigquery/table:Table",
  "gcp:kms/cryptoKey:CryptoKey",
  "gcp:secretmanager/secret:Secret",
  "gcp:storage/bucket:Bucket",
];
const REQUIRED_LABELS = ["app", "geography", "region", "env"] as const;

const CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey";
/** Purposes whose keys may live in a `global` key ring (see the exemption below). */
const GLOBAL_KEY_PURPOSES = ["pubsub"];

export const placementRules: Array<AvaloResourcePolicy | AvaloStackPolicy> = [
  resourceRule({
    name: "data-residency",
    requirement: "Every location of every resource lies inside the stack's geography.",
    enforcementLevel: "mandatory",
    exemptions: [
      {
        what: 'KMS key rings in location "global" holding Pub/Sub keys only',
        reason:
          "Pub/Sub recommends a global key for topics whose messages persist in several regions (cloud.google.com/pubsub/docs/cmek); a key ring stores key material, not messages, and message storage stays inside the geography (pubsub-message-storage-residency)",
      },
    ],
    types: (type) => type.startsWith("gcp:"),
    check: (props, flag, args, config) => {
      const geography = geographyOf(config, props);
      if (!geography) return args.notApplicable("no geography in policy config or labels");
      if (args.type === CRYPTO_KEY && String(props.keyRing).includes("/locations/global/")) {
        const purpose = at(props, "labels.purpose");
        if (!GLOBAL_KEY_PURPOSES.includes(String(purpose))) {
          flag(
            "keyRing",
            props.keyRing,
            `only ${GLOBAL_KEY_PURPOSES.join(", ")} keys may sit in a global key ring; put this ${String(purpose)} key in a ring of the geography.`,
          );
        }
      }
      for (const l of locationsOutside(props, geography, args.type)) {
        flag(
          l.path,
          l.value,
          `use a location of geography ${geography.id}: ${allowedList(geography)}.`,
        );
      }
    },
  }),
  resourceRule({
    name: "labels-required",
    checks: [59, 60],
    requirement: `Every labelable resource carries the ${REQUIRED_LABELS.join(", ")} labels.`,
    enforcementLevel: "advisory",
    reason:
      "Avalo's label set names the environment `env` (Pulumi's packs take the key as config) and the owner `app` (one team runs the platform); labels inventory resources but protect nothing, so a missing one warns",
    types: LABELED_TYPES,
    check: (props, flag) => {
      const labels = (props.labels ?? {}) as Record<string, unknown>;
      const missing = REQUIRED_LABELS.filter(
        (l) => typeof labels[l] !== "string" || labels[l] === "",
      );
      if (missing.length > 0) {
        flag(
          `labels (missing ${missing.join(", ")})`,
          props.labels,
          "build labels with platformLabels(args, region).",
        );
      }
    },
  }),
  stackRule({
    name: "single-environment-stack",
    checks: [61],
    requirement: "All resources of a stack carry the same `env` label: one environment per stack.",
    enforcementLevel: "mandatory",
    check: (args, report) => {
      const envs = new Map<string, string>();
      for (const r of args.resources) {
        const env = at(r.props, "labels.env");
        if (typeof env === "string" && !envs.has(env)) envs.set(env, r.name);
      }
      if (envs.size > 1) {
        const found = [...envs].map(([env, name]) => `${env} (first on "${name}")`).join(", ");
        report(
          `the stack mixes environments: ${found}. Fix: deploy each environment as its own stack.`,
        );
      }
    },
  }),
];
