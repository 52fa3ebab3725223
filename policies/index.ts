import { PolicyPack } from "@pulumi/policy";
import { rules } from "./rules";

/**
 * Avalo's CrossGuard policy pack: `pulumi preview --policy-pack policies
 * --policy-pack-config policies/config/<stack>.json`. The rules live in ./rules so that the
 * offline preview can evaluate them without this constructor, which starts the engine's server.
 */
new PolicyPack("avalo-gcp", {
  description:
    "Avalo's security, residency and hygiene rules for Google Cloud, covering every applicable check of Pulumi's pre-built Google Cloud packs and of Checkov (docs/policy-coverage.md)",
  enforcementLevel: "advisory",
  policies: [...rules],
});
