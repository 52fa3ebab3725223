import type { ResourceValidationPolicy } from "@pulumi/policy";
import { resourceRule } from "./define";
import { allowedList, geographyOf, locationsOutside } from "./placement";

/** Resource types that take labels, and the labels every one of them must carry. */
export const LABELED_TYPES = [
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
export const REQUIRED_LABELS = ["app", "geography", "region", "env"] as const;

export const placementRules: ResourceValidationPolicy[] = [
  resourceRule({
    name: "data-residency",
    control: "Avalo",
    requirement: "Every location of every resource lies inside the stack's geography.",
    enforcementLevel: "mandatory",
    types: (type) => type.startsWith("gcp:"),
    check: (props, flag, args, config) => {
      const geography = geographyOf(config, props);
      if (!geography) return args.notApplicable("no geography in policy config or labels");
      for (const l of locationsOutside(props, geography)) {
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
    control: "Avalo",
    requirement: `Every labelable resource carries the ${REQUIRED_LABELS.join(", ")} labels.`,
    enforcementLevel: "advisory",
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
];
