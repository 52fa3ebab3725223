import { readFileSync } from "node:fs";
import type { PolicyResource } from "@pulumi/policy";
import { parse } from "yaml";
import type { Plan } from "../../plan/record";
import { compareResources, type ComparedResource, type PropertyChange } from "../changes/classify";
import { statefulType } from "../changes/stateful";
import { shown, stackRule, type AvaloStackPolicy, type RuleConfig } from "./define";

/** The stateful-destroy rule's name. */
export const STATEFUL_RULE = "stateful-no-destroy";

/** Stack config key listing the stateful resources a change may replace or delete. */
const ALLOW_DESTROY_KEY = "avalo:allowDestroy";

/**
 * What the stateful-destroy rule reads from its policy config. The engine gives a stack policy
 * the resources of the new state only, so the rule compares them with a base plan (an
 * `avalo preview` plan of what is deployed): given inline by the offline preview, or as a file
 * under `pulumi preview --policy-pack`.
 */
export interface StatefulGuardConfig extends RuleConfig {
  /** Resources of the base plan (the offline preview passes its `--base` plan here). */
  readonly baseResources?: readonly ComparedResource[];
  /** Path of a base plan JSON (`out/base/<stack>.json`), read when `baseResources` is absent. */
  readonly basePlanFile?: string;
  /**
   * Path of the deployed state (`pulumi stack export --file <path>`), read when neither of the
   * above is given: the engine shows a stack policy the resources' outputs, which the state's
   * outputs match, so this is the base to use under `pulumi preview --policy-pack`.
   */
  readonly baseStateFile?: string;
  /** The stack config's `avalo:allowDestroy` entries (URNs or resource names). */
  readonly allowDestroy?: readonly string[];
  /** Path of `Pulumi.<stack>.yaml`, read for `avalo:allowDestroy` when `allowDestroy` is absent. */
  readonly stackConfigFile?: string;
}

/** A replacement or delete of a stateful resource that the policy fails. */
export interface StatefulDestroy {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly op: "replace" | "delete";
  /** Inputs forcing the replacement, with their values (empty for a delete). */
  readonly forcedBy: readonly PropertyChange[];
  /** Whether the existing resource is protected (`protect: true`). */
  readonly protected: boolean;
  /** The `avalo:allowDestroy` entry that allows it, when one does. */
  readonly allowedBy?: string;
}

/** Reads `avalo:allowDestroy` from a parsed stack config map (`namespace:key` → value). */
export function allowDestroyEntries(config: Readonly<Record<string, unknown>>): string[] {
  const value = config[ALLOW_DESTROY_KEY];
  const list = typeof value === "string" ? (JSON.parse(value) as unknown) : value;
  return Array.isArray(list) ? list.filter((x): x is string => typeof x === "string") : [];
}

/**
 * The replacements and deletes of stateful resources between `base` and `current`, each with the
 * allow-list entry that allows it (never for a protected resource).
 */
export function statefulDestroys(
  base: readonly ComparedResource[],
  current: readonly ComparedResource[],
  allowDestroy: readonly string[],
): StatefulDestroy[] {
  const { removed, changed } = compareResources(base, current);
  const allowedBy = (urn: string, name: string, isProtected: boolean) =>
    isProtected ? undefined : allowDestroy.find((e) => e === urn || e === name);
  const deletes = removed
    .filter((r) => statefulType(r.type) && r.options?.retainOnDelete !== true)
    .map((r): StatefulDestroy => {
      const isProtected = r.options?.protect === true;
      const allowed = allowedBy(r.urn, r.name, isProtected);
      return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        op: "delete",
        forcedBy: [],
        protected: isProtected,
        ...(allowed ? { allowedBy: allowed } : {}),
      };
    });
  const replaces = changed
    .filter((c) => c.op === "replace" && statefulType(c.type))
    .map((c): StatefulDestroy => {
      const isProtected = c.optionsBefore.protect || c.optionsAfter.protect;
      const allowed = allowedBy(c.urn, c.name, isProtected);
      return {
        urn: c.urn,
        type: c.type,
        name: c.name,
        op: "replace",
        forcedBy: c.properties.filter((p) => c.forcedBy.includes(p.path)),
        protected: isProtected,
        ...(allowed ? { allowedBy: allowed } : {}),
      };
    });
  return [...deletes, ...replaces];
}

/** The violation message for a destroy that no entry allows. */
function destroyMessage(d: StatefulDestroy): string {
  const kind = statefulType(d.type);
  const what =
    d.op === "delete"
      ? "would be deleted (it is gone from the program)"
      : `would be replaced: ${d.forcedBy
          .map((p) => `${p.path} ${shown(p.before)} → ${shown(p.after)}`)
          .join(", ")} forces a new resource`;
  const fix = d.protected
    ? "it is protected (protect: true), so avalo:allowDestroy does not apply; revert the change, or turn protect off in a reviewed change of its own first."
    : `revert the change, or, if losing the data is intended, add "${d.name}" (or its URN) to ${ALLOW_DESTROY_KEY} in Pulumi.<stack>.yaml in a reviewed change.`;
  return `${d.type} "${d.name}" (${kind?.kind ?? "stateful resource"}) ${what}; data at risk: ${kind?.dataAtRisk ?? "its data"}. Fix: ${fix}`;
}

function fromPolicyResource(r: PolicyResource): ComparedResource {
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    inputs: r.props,
    options: {
      protect: r.opts.protect,
      ignoreChanges: r.opts.ignoreChanges,
      deleteBeforeReplace: r.opts.deleteBeforeReplace ?? false,
    },
  };
}

/** One resource of a `pulumi stack export` file (the fields the rule reads). */
interface StateResource {
  readonly urn: string;
  readonly type: string;
  readonly inputs?: Record<string, unknown>;
  readonly outputs?: Record<string, unknown>;
  readonly protect?: boolean;
  readonly retainOnDelete?: boolean;
}

/** The resources of a `pulumi stack export` file, compared by their outputs. */
function stateResources(exported: unknown): ComparedResource[] {
  const resources =
    (exported as { deployment?: { resources?: StateResource[] } }).deployment?.resources ?? [];
  return resources.map((r) => ({
    urn: r.urn,
    type: r.type,
    name: r.urn.split("::").pop() ?? r.urn,
    inputs: r.outputs ?? r.inputs ?? {},
    options: { protect: r.protect === true, retainOnDelete: r.retainOnDelete === true },
  }));
}

function baseOf(config: StatefulGuardConfig): readonly ComparedResource[] | undefined {
  if (config.baseResources) return config.baseResources;
  const read = (file: string): unknown => JSON.parse(readFileSync(file, "utf8"));
  if (config.basePlanFile) return (read(config.basePlanFile) as Pick<Plan, "resources">).resources;
  if (config.baseStateFile) return stateResources(read(config.baseStateFile));
  return undefined;
}

function allowListOf(config: StatefulGuardConfig): readonly string[] {
  if (config.allowDestroy) return config.allowDestroy;
  if (!config.stackConfigFile) return [];
  const doc = parse(readFileSync(config.stackConfigFile, "utf8")) as {
    config?: Record<string, unknown>;
  } | null;
  return allowDestroyEntries(doc?.config ?? {});
}

export const statefulRules: AvaloStackPolicy[] = [
  stackRule({
    name: STATEFUL_RULE,
    control: "Avalo",
    requirement:
      "No change replaces or deletes a stateful resource (Memorystore, Firestore, BigQuery, KMS, Pub/Sub, Storage, Secret Manager) unless avalo:allowDestroy names it and it is not protected.",
    enforcementLevel: "mandatory",
    check: (args, report, config) => {
      const guard = config as StatefulGuardConfig;
      const base = baseOf(guard);
      if (!base) return;
      const current = args.resources.map(fromPolicyResource);
      for (const d of statefulDestroys(base, current, allowListOf(guard))) {
        if (!d.allowedBy) report(destroyMessage(d), d.urn);
      }
    },
  }),
];
