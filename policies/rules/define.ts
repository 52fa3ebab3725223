import type {
  EnforcementLevel,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { anchor, frameworkRefsOf, type FrameworkRefs } from "../anchors";

/**
 * How Avalo's rules are declared: each names the applicable checks it implements (rows of
 * policies/anchors.ts, from which its Pulumi policy names, Checkov ids and framework references
 * follow), its enforcement level (an advisory rule says why), the resource types it inspects and
 * a check that reports violations naming the resource, the property, the value found and the
 * fix. The result is a plain `@pulumi/policy` policy carrying its references in `meta`, so the
 * same objects run in the engine (policies/index.ts), offline (cli/preview/policies.ts) and in
 * the coverage table (`avalo policies --coverage`).
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

/** Something a rule deliberately does not check, and why. */
export interface Exemption {
  readonly what: string;
  readonly reason: string;
}

interface RuleBase {
  readonly name: string;
  /**
   * Rows of policies/anchors.ts this rule implements. Absent for Avalo's own rules, which
   * neither Pulumi's packs nor Checkov have.
   */
  readonly checks?: readonly number[];
  /** A CIS Google Cloud Foundations Benchmark recommendation, only where it matches exactly. */
  readonly cisGcp?: string;
  /** Free-text note on an Avalo rule (`Avalo (CKV_GCP_102 covers Cloud Run v1 only)`). */
  readonly control?: string;
  /** What the rule requires, in one sentence. */
  readonly requirement: string;
  readonly enforcementLevel: Extract<EnforcementLevel, "mandatory" | "advisory">;
  /** Why the rule is advisory; required for advisory rules and shown with every finding. */
  readonly reason?: string;
  /** What the rule skips on purpose, each with its reason. */
  readonly exemptions?: readonly Exemption[];
}

/** A rule's references, as the coverage table and the tests read them. */
export interface RuleMeta {
  readonly name: string;
  readonly requirement: string;
  readonly enforcementLevel: "mandatory" | "advisory";
  readonly checks: readonly number[];
  /** Pulumi pre-built pack policy names of its checks. */
  readonly pulumi: readonly string[];
  /** Checkov ids of its checks. */
  readonly checkov: readonly string[];
  /** CIS Controls v8.1, NIST SP 800-53, PCI DSS, ISO 27001 references of its checks. */
  readonly frameworks: Required<FrameworkRefs>;
  readonly cisGcp?: string;
  readonly reason?: string;
  readonly exemptions: readonly Exemption[];
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

function metaOf(rule: RuleBase): RuleMeta {
  const checks = [...(rule.checks ?? [])];
  if (rule.enforcementLevel === "advisory" && !rule.reason) {
    throw new Error(`advisory rule "${rule.name}" must give its reason`);
  }
  const anchors = checks.map(anchor);
  return {
    name: rule.name,
    requirement: rule.requirement,
    enforcementLevel: rule.enforcementLevel,
    checks,
    pulumi: [...new Set(anchors.flatMap((a) => a.pulumi.map((p) => p.name)))],
    checkov: [...new Set(anchors.flatMap((a) => a.checkov))],
    frameworks: frameworkRefsOf(checks),
    ...(rule.cisGcp ? { cisGcp: rule.cisGcp } : {}),
    ...(rule.reason ? { reason: rule.reason } : {}),
    exemptions: [...(rule.exemptions ?? [])],
  };
}

/** The bracketed reference list that starts a rule's description. */
function referenceLabel(meta: RuleMeta): string {
  if (meta.checks.length === 0) return "Avalo";
  const f = meta.frameworks;
  return [
    ...meta.checkov,
    ...(meta.pulumi.length > 0 ? [`Pulumi ${meta.pulumi.join(", ")}`] : []),
    ...(f.cis ? [`CIS Controls v8.1 ${f.cis}`] : []),
    ...(f.nist ? [`NIST 800-53 ${f.nist}`] : []),
    ...(f.pci ? [`PCI DSS ${f.pci}`] : []),
    ...(f.iso ? [`ISO 27001 ${f.iso}`] : []),
    ...(meta.cisGcp ? [`CIS GCP ${meta.cisGcp}`] : []),
  ].join("; ");
}

function describe(rule: RuleBase, meta: RuleMeta): string {
  const label = meta.checks.length === 0 && rule.control ? rule.control : referenceLabel(meta);
  const exemptions = meta.exemptions.map((e) => ` Exempt: ${e.what} (${e.reason}).`).join("");
  const reason = meta.reason ? ` Advisory because: ${meta.reason}` : "";
  return `[${label}] ${rule.requirement}${exemptions}${reason}`;
}

/** Appends the advisory reason to a violation message, so every advisory finding says why. */
function withReason(meta: RuleMeta, message: string): string {
  return meta.enforcementLevel === "advisory" && meta.reason
    ? `${message} (advisory: ${meta.reason})`
    : message;
}

/** A rule of the pack: a plain `@pulumi/policy` policy plus its references. */
export type AvaloResourcePolicy = ResourceValidationPolicy & { readonly meta: RuleMeta };
export type AvaloStackPolicy = StackValidationPolicy & { readonly meta: RuleMeta };

/** Renders a found value for a message. */
export function shown(value: unknown): string {
  if (value === undefined) return "not set";
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 120 ? `${s.slice(0, 119)}…` : s;
}

/** A rule on single resources of the given types. */
export function resourceRule(spec: ResourceRuleSpec): AvaloResourcePolicy {
  const { types } = spec;
  const applies = typeof types === "function" ? types : (t: string) => types.includes(t);
  const meta = metaOf(spec);
  return {
    name: spec.name,
    description: describe(spec, meta),
    enforcementLevel: spec.enforcementLevel,
    configSchema: CONFIG_SCHEMA,
    meta,
    validateResource: (args, reportViolation) => {
      if (!applies(args.type)) return;
      const flag: Flag = (property, found, fix) =>
        reportViolation(
          withReason(
            meta,
            `${args.type} "${args.name}": ${property} is ${shown(found)}. Fix: ${fix}`,
          ),
        );
      spec.check(args.props as Props, flag, args, args.getConfig<RuleConfig>());
    },
  };
}

/** A rule over the whole stack (relations between resources). */
export function stackRule(spec: StackRuleSpec): AvaloStackPolicy {
  const meta = metaOf(spec);
  return {
    name: spec.name,
    description: describe(spec, meta),
    enforcementLevel: spec.enforcementLevel,
    configSchema: CONFIG_SCHEMA,
    meta,
    validateStack: (args, reportViolation) =>
      spec.check(
        args,
        (message, urn) => reportViolation(withReason(meta, message), urn),
        args.getConfig<RuleConfig>(),
      ),
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
const PUBLIC_MEMBERS = ["allUsers", "allAuthenticatedUsers"] as const;

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

/** Resource types that grant IAM roles (`...IAMMember`, `...IamBinding`, `...IamPolicy`). */
export const IAM_GRANT = /\/(iAM|iam|Iam)(Member|Binding|Policy):/;

/** Roles granted by an IAM member/binding, or by the bindings of a policy document. */
export function rolesOf(props: Props): string[] {
  const inline = typeof props.role === "string" ? [props.role] : [];
  let fromPolicy: string[] = [];
  if (typeof props.policyData === "string" && props.policyData.startsWith("{")) {
    try {
      const doc = JSON.parse(props.policyData) as { bindings?: Array<{ role?: string }> };
      fromPolicy = list(doc.bindings).map((b) => String((b as { role?: string }).role));
    } catch {
      fromPolicy = [];
    }
  }
  return [...inline, ...fromPolicy];
}

/** Members of an IAM member/binding (`member`, `members`). */
export function membersOf(props: Props): string[] {
  return [props.member, ...list(props.members)].filter((m): m is string => typeof m === "string");
}

/** Roles that administer, own or edit: basic roles and any predefined `*.admin` / `*Admin` role. */
export function isAdminRole(role: string): boolean {
  return (
    role === "roles/owner" ||
    role === "roles/editor" ||
    (role.startsWith("roles/") && /(admin|Admin)$/.test(role))
  );
}

/** Admin roles, plus any predefined `*.editor` role: what least-privilege resource IAM refuses. */
export function isBroadRole(role: string): boolean {
  return isAdminRole(role) || (role.startsWith("roles/") && /\.editor$/.test(role));
}

/** Seconds of a duration string (`"604800s"`), or NaN. */
export function seconds(value: unknown): number {
  return typeof value === "string" && /^\d+(\.\d+)?s$/.test(value)
    ? Number(value.slice(0, -1))
    : NaN;
}
