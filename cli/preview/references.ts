import type { Plan, PlanResource } from "../../plan/record";
import type { Finding } from "./findings";
import { PUSH_INVOKER_VARIABLE } from "../../runtime/services/container";

/**
 * The reference check: an input string that names another resource of the plan (its physical
 * name, id, URL, email or `projects/.../secrets/...` path) while the referencing resource does not
 * wait for that resource is a race on a first `pulumi up`, which creates resources in parallel
 * wherever the graph allows. A reference to a Secret Manager secret also reads the secret's
 * versions, so it must wait for the SecretVersion that writes its data.
 */

/** How a type's physical name appears in other resources' inputs. */
interface Naming {
  /** Input holding the physical name. */
  readonly field: string;
  /** Collection segment of its resource path (`secrets` in `projects/p/secrets/<name>`). */
  readonly collection?: string;
  /** Further forms naming it, built from the name and inputs (an email, a URL). */
  readonly forms?: (name: string, inputs: Readonly<Record<string, unknown>>) => RegExp[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The resource types whose physical names the check looks for, and how they appear. */
const REFERENCE_NAMING: Readonly<Record<string, Naming>> = {
  "gcp:secretmanager/secret:Secret": { field: "secretId", collection: "secrets" },
  "gcp:pubsub/topic:Topic": { field: "name", collection: "topics" },
  "gcp:pubsub/subscription:Subscription": { field: "name", collection: "subscriptions" },
  "gcp:cloudrunv2/service:Service": {
    field: "name",
    collection: "services",
    // Both URL forms: `https://<name>-<hash>-<region>.a.run.app` and `https://<name>-<number>.<region>.run.app`.
    forms: (n, inputs) => {
      const region = escape(typeof inputs.location === "string" ? inputs.location : "[a-z0-9-]+");
      return [
        new RegExp(`https://${escape(n)}-[a-z0-9]+-${region}\\.a\\.run\\.app`),
        new RegExp(`https://${escape(n)}-\\d+\\.${region}\\.run\\.app`),
      ];
    },
  },
  "gcp:cloudrunv2/job:Job": { field: "name", collection: "jobs" },
  "gcp:redis/instance:Instance": { field: "name", collection: "instances" },
  "gcp:kms/keyRing:KeyRing": { field: "name", collection: "keyRings" },
  "gcp:bigquery/dataset:Dataset": { field: "datasetId", collection: "datasets" },
  "gcp:bigquery/table:Table": { field: "tableId", collection: "tables" },
  "gcp:storage/bucket:Bucket": {
    field: "name",
    collection: "b",
    forms: (n) => [new RegExp(`gs://${escape(n)}(?![\\w.-])`)],
  },
  "gcp:serviceaccount/account:Account": {
    field: "accountId",
    forms: (n) => [new RegExp(`(?<![\\w.-])${escape(n)}@[a-z0-9-]+\\.iam\\.gserviceaccount\\.com`)],
  },
  "gcp:compute/network:Network": { field: "name", collection: "networks" },
  "gcp:compute/subnetwork:Subnetwork": { field: "name", collection: "subnetworks" },
  "gcp:firestore/database:Database": { field: "name", collection: "databases" },
};

/** A reference that is known not to race, and why. */
export interface SafeReference {
  readonly id: string;
  readonly reason: string;
  /** Whether the reference from `from` at input `path` to `to` is this safe kind. */
  readonly matches: (from: PlanResource, path: string, to: PlanResource) => boolean;
}

/** References that cannot race, each with its reason (each has a test in test/cli/references.test.ts). */
export const SAFE_REFERENCES: readonly SafeReference[] = [
  {
    id: "self",
    reason:
      "a resource naming itself (a service's own URL or name in its environment) is the resource being created; nothing else has to exist first",
    matches: (from, _path, to) => from.urn === to.urn,
  },
  {
    id: "own-name",
    reason:
      "the input holding a resource's own physical name may equal another resource's name in another namespace (a subnetwork and a Redis instance, one service name in two regions); it names itself",
    matches: (from, path) => path === REFERENCE_NAMING[from.type]?.field,
  },
  {
    id: "project",
    reason:
      "a project id that equals a resource's name (the VPC network is named after the project) names the project, which exists before the stack",
    matches: (_from, path) => path === "project" || path.endsWith(".project"),
  },
  {
    id: "metadata",
    reason:
      "labels, annotations and object metadata are free-form; GCP never resolves a name written there",
    matches: (_from, path) => /(^|\.)(labels|annotations|metadata)\./.test(path),
  },
  {
    id: "push-invoker-identity",
    reason:
      "a consumer's AVALO_PUSH_INVOKER_EMAIL names the pipeline's invoker account only to compare it with the signer of a push token; the service never calls or reads the account, and no push can arrive before the subscription, which waits for the account, exists",
    matches: (from, path, to) =>
      from.type === "gcp:cloudrunv2/service:Service" &&
      to.type === "gcp:serviceaccount/account:Account" &&
      envNameAt(from, path) === PUSH_INVOKER_VARIABLE,
  },
  {
    id: "monitoring-filter",
    reason:
      "alert policies and dashboards select time series by label; Cloud Monitoring accepts names of resources that do not exist yet and matches them once they report",
    matches: (from) =>
      from.type === "gcp:monitoring/alertPolicy:AlertPolicy" ||
      from.type === "gcp:monitoring/dashboard:Dashboard",
  },
];

/** The name of the container variable whose value sits at `path`, if `path` is one. */
function envNameAt(r: PlanResource, path: string): string | undefined {
  const m = /^template\.containers\[(\d+)\]\.envs\[(\d+)\]\.value$/.exec(path);
  if (!m) return undefined;
  const containers = (
    r.inputs.template as { containers?: Array<{ envs?: Array<{ name?: string }> }> }
  )?.containers;
  return containers?.[Number(m[1])]?.envs?.[Number(m[2])]?.name;
}

/** One input string naming another resource without waiting for it. */
export interface UnorderedReference {
  readonly from: PlanResource;
  readonly path: string;
  readonly value: string;
  readonly to: PlanResource;
  /** Set when the reference reaches `to` through a secret it names (a SecretVersion). */
  readonly via?: PlanResource;
}

const SECRET = "gcp:secretmanager/secret:Secret";
const SECRET_VERSION = "gcp:secretmanager/secretVersion:SecretVersion";

/** A resource other inputs may name: its physical name and the patterns that name it. */
interface Target {
  readonly r: PlanResource;
  readonly name: string;
  readonly patterns: readonly RegExp[];
}

function targetOf(r: PlanResource): Target | undefined {
  const naming = REFERENCE_NAMING[r.type];
  const name = naming ? r.inputs[naming.field] : undefined;
  if (!naming || typeof name !== "string" || name.length < 3 || name === "[unknown]")
    return undefined;
  const n = escape(name);
  const patterns = [
    new RegExp(`^${n}$`),
    ...(naming.collection
      ? [new RegExp(`(?:^|/)${escape(naming.collection)}/${n}(?![\\w.-])`)]
      : []),
    ...(naming.forms?.(name, r.inputs) ?? []),
  ];
  return { r, name, patterns };
}

/** Every string leaf of `value` with its dotted path. */
function strings(value: unknown, path: string, out: Array<[string, string]>): void {
  if (typeof value === "string") out.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${path}[${i}]`, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) strings(v, path ? `${path}.${k}` : k, out);
  }
}

/**
 * What each resource waits for before it is created: its dependencies (a component stands for all
 * its descendants), what they wait for, and what its ancestors wait for.
 */
function waitsFor(plan: Plan): (r: PlanResource) => ReadonlySet<string> {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const children = new Map<string, PlanResource[]>();
  for (const r of plan.resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const before = new Map<string, Set<string>>();
  const closed = new Map<string, Set<string>>();
  const EMPTY = new Set<string>();

  /** `x` and everything finished when `x` is: its descendants and what they wait for. */
  const finished = (x: PlanResource): Set<string> => {
    const memo = closed.get(x.urn);
    if (memo) return memo;
    closed.set(x.urn, EMPTY);
    const out = new Set([x.urn, ...waits(x)]);
    if (!x.custom)
      for (const c of children.get(x.urn) ?? []) for (const u of finished(c)) out.add(u);
    closed.set(x.urn, out);
    return out;
  };
  const waits = (r: PlanResource): Set<string> => {
    const memo = before.get(r.urn);
    if (memo) return memo;
    before.set(r.urn, EMPTY);
    const out = new Set<string>();
    for (const d of r.dependencies) {
      const dep = byUrn.get(d);
      if (dep) for (const u of finished(dep)) out.add(u);
    }
    const parent = byUrn.get(r.parent);
    if (parent) for (const u of waits(parent)) out.add(u);
    before.set(r.urn, out);
    return out;
  };
  return waits;
}

/** Every input string naming another resource of the plan that its resource does not wait for. */
export function unorderedReferences(
  plan: Plan,
  safe: readonly SafeReference[] = SAFE_REFERENCES,
): UnorderedReference[] {
  const waits = waitsFor(plan);
  const targets = plan.resources
    .filter((r) => r.custom)
    .map(targetOf)
    .filter((t): t is Target => t !== undefined);
  const versionsOf = (secret: PlanResource) =>
    plan.resources.filter((v) => v.type === SECRET_VERSION && v.dependencies.includes(secret.urn));
  const found: UnorderedReference[] = [];
  for (const from of plan.resources.filter((r) => r.custom)) {
    const leaves: Array<[string, string]> = [];
    strings(from.inputs, "", leaves);
    const waited = waits(from);
    for (const [path, value] of leaves) {
      const named = targets
        .filter((t) => value.includes(t.name) && t.patterns.some((p) => p.test(value)))
        .map((t) => t.r)
        .filter((to) => !safe.some((s) => s.matches(from, path, to)));
      // One name may belong to several resources (a service per region): waiting for one is enough.
      const ordered = named.some((to) => waited.has(to.urn));
      for (const to of named) {
        if (!ordered) found.push({ from, path, value, to });
        if (to.type !== SECRET) continue;
        const versions = versionsOf(to).filter((v) => v.urn !== from.urn);
        if (versions.length > 0 && !versions.some((v) => waited.has(v.urn))) {
          found.push({ from, path, value, to: versions[0], via: to });
        }
      }
    }
  }
  return found;
}

/** The reference check's description (constraint `unordered-reference`). */
const REFERENCE_DESCRIPTION =
  "An input naming another resource of the plan (name, id, URL, secret path) depends on it, directly or through its parents";

/** The reference check as constraint findings. */
export function checkReferences(plan: Plan): Finding[] {
  return unorderedReferences(plan).map((u) => ({
    rule: "unordered-reference",
    source: "constraint",
    description: REFERENCE_DESCRIPTION,
    level: "mandatory",
    urn: u.from.urn,
    message: u.via
      ? `${u.from.type} "${u.from.name}": ${u.path} "${u.value}" reads secret "${u.via.name}", whose data ` +
        `${u.to.type} "${u.to.name}" writes, without depending on it: on a first up the secret may have no version yet. ` +
        `Fix: reference the version's output (SecretVersion.version) instead of "latest" or a literal.`
      : `${u.from.type} "${u.from.name}": ${u.path} "${u.value}" names ${u.to.type} "${u.to.name}" without depending on it: ` +
        `on a first up it may not exist yet. Fix: use the resource's output (name, id, url) instead of a literal, or add dependsOn.`,
  }));
}
