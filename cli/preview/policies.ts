import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type {
  EnforcementLevel,
  PolicyPackConfig,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import type { PlanResource, PlanResourceOptions } from "../../plan/record";
import { rules as packRules, type AvaloPolicy } from "../../policies/rules";
import {
  allowDestroyEntries,
  STATEFUL_RULE,
  type StatefulGuardConfig,
} from "../../policies/rules/stateful";
import type { Finding } from "./findings";

/**
 * Evaluates the policy pack's rules offline, calling each `validateResource` / `validateStack`
 * with the arguments the engine would pass (type, props, urn, name, opts, isType, asType,
 * getConfig, notApplicable), and the enforcement level and settings from the stack's policy
 * config (policies/config/<stack>.json, the file given to `--policy-pack-config`).
 */

/** A plan resource as the rules see it; its options may be absent (they then take defaults). */
type EvaluatedResource = Omit<PlanResource, "options"> & Partial<Pick<PlanResource, "options">>;

/** The policy config of a stack, or an empty config when the stack has none. */
export function readPolicyConfig(dir: string, stack: string): PolicyPackConfig {
  const file = join(dir, `${stack}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as PolicyPackConfig) : {};
}

/** The budget rule's name (policies/rules/budget.ts). */
const BUDGET_RULE = "monthly-cost-within-budget";

/**
 * Gives the budget rule the stack's own budget (`avalo:budgetMonthlyUsd` in Pulumi.<stack>.yaml),
 * geography and usage model (`avalo:usageModel`, so traffic counts against the budget), so each
 * is declared once; settings in the policy config win.
 */
export function withStackBudget(
  config: PolicyPackConfig,
  stackConfig: Readonly<Record<string, unknown>>,
  geography: string,
  usageFile?: string,
): PolicyPackConfig {
  const budget = Number(stackConfig["avalo:budgetMonthlyUsd"]);
  const current = config[BUDGET_RULE];
  if (!Number.isFinite(budget) || typeof current === "string") return config;
  const settings = (current ?? {}) as Record<string, unknown>;
  return {
    ...config,
    [BUDGET_RULE]: {
      geography,
      budgetMonthlyUsd: budget,
      ...(usageFile ? { budgetUsageFile: usageFile } : {}),
      ...settings,
    },
  };
}

/**
 * Gives the stateful-destroy rule the base plan's resources (`--base`) and the stack's
 * `avalo:allowDestroy` entries, which the stack file alone declares (they replace any in the
 * policy config). Without a base plan the rule has nothing to compare and reports nothing.
 */
export function withStatefulGuard(
  config: PolicyPackConfig,
  stackConfig: Readonly<Record<string, unknown>>,
  base: { readonly resources: StatefulGuardConfig["baseResources"] } | undefined,
): PolicyPackConfig {
  const current = config[STATEFUL_RULE];
  if (typeof current === "string") return config;
  const settings: StatefulGuardConfig = {
    ...((current ?? {}) as StatefulGuardConfig),
    allowDestroy: allowDestroyEntries(stackConfig),
    ...(base ? { baseResources: base.resources } : {}),
  };
  return { ...config, [STATEFUL_RULE]: settings as Record<string, unknown> };
}

class NotApplicable extends Error {}

function settings(config: PolicyPackConfig, name: string): Record<string, unknown> {
  const entry = config[name];
  return typeof entry === "string" ? { enforcementLevel: entry } : { ...(entry ?? {}) };
}

function levelOf(policy: AvaloPolicy, config: PolicyPackConfig): EnforcementLevel {
  const level = settings(config, policy.name).enforcementLevel as EnforcementLevel | undefined;
  return level ?? policy.enforcementLevel ?? "advisory";
}

const typeOf = (resourceClass: unknown) =>
  (resourceClass as { __pulumiType?: string }).__pulumiType;

function optionsOf(r: EvaluatedResource, given?: PlanResourceOptions): PolicyResourceOptions {
  const recorded = given ?? r.options;
  return {
    protect: recorded?.protect ?? false,
    ignoreChanges: [...(recorded?.ignoreChanges ?? [])],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [...(recorded?.additionalSecretOutputs ?? [])],
    ...(recorded?.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
    ...(r.parent ? { parent: r.parent } : {}),
  };
}

/**
 * Runs every enabled rule over the resources; returns one finding per reported violation.
 * `options` overrides, by URN, the options a resource carries.
 */
export async function evaluatePolicies(
  resources: readonly EvaluatedResource[],
  config: PolicyPackConfig,
  options: ReadonlyMap<string, PlanResourceOptions> = new Map(),
  policies: readonly AvaloPolicy[] = packRules,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const stackTags: ReadonlyMap<string, string> = new Map();
  const notApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
  };
  for (const policy of policies) {
    const level = levelOf(policy, config);
    if (level === "disabled") continue;
    const { enforcementLevel: _ignored, ...policySettings } = settings(config, policy.name);
    const getConfig = <T extends object>() => ({ ...policySettings }) as T;
    const report = (urn: string) => (message: string, stackUrn?: string) =>
      findings.push({
        rule: policy.name,
        source: "policy",
        description: policy.description,
        level: level === "advisory" ? "advisory" : "mandatory",
        urn: stackUrn ?? urn,
        message,
      });
    const run = async (fn: () => unknown) => {
      try {
        await fn();
      } catch (err) {
        if (!(err instanceof NotApplicable)) throw err;
      }
    };
    if ("validateResource" in policy && policy.validateResource) {
      const validations = [policy.validateResource].flat();
      for (const r of resources.filter((x) => x.custom)) {
        const props = { ...r.inputs } as Record<string, unknown>;
        const args: ResourceValidationArgs = {
          type: r.type,
          props,
          urn: r.urn,
          name: r.name,
          opts: optionsOf(r, options.get(r.urn)),
          stackTags,
          isType: (cls) => typeOf(cls) === r.type,
          asType: ((cls: unknown) =>
            typeOf(cls) === r.type ? props : undefined) as ResourceValidationArgs["asType"],
          getConfig,
          notApplicable,
        };
        for (const validate of validations) await run(() => validate(args, report(r.urn)));
      }
    }
    if ("validateStack" in policy) {
      const args: StackValidationArgs = {
        resources: policyResources(resources, options),
        stackTags,
        getConfig,
        notApplicable,
      };
      await run(() => policy.validateStack(args, report("")));
    }
  }
  return findings;
}

/** The stack's resources linked to their parents and dependencies, as `validateStack` sees them. */
function policyResources(
  resources: readonly EvaluatedResource[],
  options: ReadonlyMap<string, PlanResourceOptions>,
): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  for (const r of resources) {
    const props = { ...r.inputs } as Record<string, unknown>;
    byUrn.set(r.urn, {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      opts: optionsOf(r, options.get(r.urn)),
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => typeOf(cls) === r.type,
      asType: ((cls: unknown) =>
        typeOf(cls) === r.type ? props : undefined) as PolicyResource["asType"],
    });
  }
  const linked = (urns: readonly string[]) =>
    urns.map((u) => byUrn.get(u)).filter((x): x is PolicyResource => x !== undefined);
  for (const r of resources) {
    const target = byUrn.get(r.urn)!;
    target.parent = byUrn.get(r.parent);
    target.dependencies = linked(r.dependencies);
    target.propertyDependencies = Object.fromEntries(
      Object.entries(r.propertyDependencies).map(([k, urns]) => [k, linked(urns)]),
    );
  }
  return [...byUrn.values()];
}
