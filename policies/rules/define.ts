import type {
  EnforcementLevel,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";

/**
 * How Avalo's rules are declared: each names the control it implements (a Checkov id, a CIS
 * Google Cloud Foundations control, or "Avalo" for our own), its enforcement level, the resource
 * types it inspects and a check that reports violations naming the resource, the property, the
 * value found and the fix. The result is a plain `@pulumi/policy` policy, so the same objects
 * run in the engine (policies/index.ts) and offline (cli/preview/policies.ts).
 */
export type Props = Record<string, unknown>;

/** Settings every rule may read from the policy config (per stack, see policies/config/). */
export interface RuleConfig {
  /** The stack's geography id (`us`, `eu`, `asia`). */
  readonly geography?: string;
  /** The stack's environment (`prod`, `staging`, `dev`). */
  readonly environment?: string;
}

/** Reports one violation of `property` on the resource under check. */
export type Flag = (property: string, found: unknown, fix: string) => void;

interface RuleBase {
  readonly name: string;
  /** The control implemented: `CKV_GCP_83`, `CIS GCP 1.10`, or `Avalo` for our own rules. */
  readonly control: string;
  /** What the rule requires, in one sentence. */
  readonly requirement: string;
  readonly enforcementLevel: Extract<EnforcementLevel, "mandatory" | "advisory">;
}

export interface ResourceRuleSpec extends RuleBase {
  /** Resource type tokens checked (`gcp:pubsub/topic:Topic`), or a test on the token. */
  readonly types: readonly string[] | ((type: string) => boolean);
  readonly check: (
    props: Props,
    flag: Flag,
    args: ResourceValidationArgs,
    config: RuleConfig,
  ) => void;
}

export interface StackRuleSpec extends RuleBase {
  readonly check: (args: StackValidationArgs, report: ReportViolation, config: RuleConfig) => void;
}

const CONFIG_SCHEMA = {
  properties: {
    geography: { type: "string" as const, enum: ["us", "eu", "asia"] },
    environment: { type: "string" as const, enum: ["prod", "staging", "dev"] },
  },
};

function describe(rule: RuleBase): string {
  return `[${rule.control}] ${rule.requirement}`;
}

/** Renders a found value for a message. */
export function shown(value: unknown): string {
  if (value === undefined) return "not set";
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 120 ? `${s.slice(0, 119)}…` : s;
}

/** A rule on single resources of the given types. */
export function resourceRule(spec: ResourceRuleSpec): ResourceValidationPolicy {
  const { types } = spec;
  const applies = typeof types === "function" ? types : (t: string) => types.includes(t);
  return {
    name: spec.name,
    description: describe(spec),
    enforcementLevel: spec.enforcementLevel,
    configSchema: CONFIG_SCHEMA,
    validateResource: (args, reportViolation) => {
      if (!applies(args.type)) return;
      const flag: Flag = (property, found, fix) =>
        reportViolation(`${args.type} "${args.name}": ${property} is ${shown(found)}. Fix: ${fix}`);
      spec.check(args.props as Props, flag, args, args.getConfig<RuleConfig>());
    },
  };
}

/** A rule over the whole stack (relations between resources). */
export function stackRule(spec: StackRuleSpec): StackValidationPolicy {
  return {
    name: spec.name,
    description: describe(spec),
    enforcementLevel: spec.enforcementLevel,
    configSchema: CONFIG_SCHEMA,
    validateStack: (args, reportViolation) =>
      spec.check(args, reportViolation, args.getConfig<RuleConfig>()),
  };
}

/** The value at a dotted path (`template.scaling.maxInstanceCount`, `containers.0.env`). */
export function at(props: unknown, path: string): unknown {
  let v: unknown = props;
  for (const key of path.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** `value` as an array (an absent value is empty). */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Members that make a resource public. */
export const PUBLIC_MEMBERS = ["allUsers", "allAuthenticatedUsers"] as const;

/** The public members among an IAM resource's `member` / `members`, or in a policy document. */
export function publicMembers(props: Props): string[] {
  const members = [props.member, ...list(props.members)];
  const policy = typeof props.policyData === "string" ? props.policyData : "";
  const found = members.filter((m): m is string => PUBLIC_MEMBERS.includes(m as never));
  return [...found, ...PUBLIC_MEMBERS.filter((m) => policy.includes(`"${m}"`))];
}

/** The last path segment of a resource id (`projects/p/topics/t` → `t`). */
export function lastSegment(value: unknown): string {
  return typeof value === "string" ? (value.split("/").pop() ?? value) : "";
}
