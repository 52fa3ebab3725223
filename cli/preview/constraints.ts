import { existsSync, statSync } from "node:fs";
import type { Plan, PlanResource } from "../../plan/record";
import { archiveFileNames } from "../../build/archive";
import { NAME_RULES, isValidName, type NameKind } from "../../components/naming";
import {
  cloudRunContainers,
  deployViolations,
  startedScript,
  type DeployedResource,
} from "../../policies/rules/deploy";
import { allowedList, locationsOutside } from "../../policies/rules/placement";
import { GEOGRAPHIES, type GeographyId } from "../../runtime/topology";
import type { Finding } from "./findings";
import { checkReferences } from "./references";

/**
 * GCP input constraints checked offline, before any API would reject them: physical name lengths
 * and patterns, locations inside the stack's geography, every API enabled before use, and every
 * Cloud Run container running code the plan ships (looking inside the archives it uploads), and
 * no input naming another resource ordered after it (references.ts).
 */

/** Which input carries the physical name of a resource type, and GCP's rule for it. */
const NAMED_INPUTS: Readonly<Record<string, { field: string; kind: NameKind }>> = {
  "gcp:serviceaccount/account:Account": { field: "accountId", kind: "serviceAccount" },
  "gcp:cloudrunv2/service:Service": { field: "name", kind: "cloudRunService" },
  // Jobs allow 63 characters; the service rule (49) is the stricter one the program names them by.
  "gcp:cloudrunv2/job:Job": { field: "name", kind: "cloudRunService" },
  "gcp:pubsub/topic:Topic": { field: "name", kind: "pubsub" },
  "gcp:pubsub/subscription:Subscription": { field: "name", kind: "pubsub" },
  "gcp:redis/instance:Instance": { field: "name", kind: "redisInstance" },
  "gcp:compute/network:Network": { field: "name", kind: "compute" },
  "gcp:compute/subnetwork:Subnetwork": { field: "name", kind: "compute" },
  "gcp:compute/globalAddress:GlobalAddress": { field: "name", kind: "compute" },
  "gcp:compute/firewall:Firewall": { field: "name", kind: "compute" },
  "gcp:compute/router:Router": { field: "name", kind: "compute" },
  "gcp:kms/keyRing:KeyRing": { field: "name", kind: "kms" },
  "gcp:kms/cryptoKey:CryptoKey": { field: "name", kind: "kms" },
  "gcp:secretmanager/secret:Secret": { field: "secretId", kind: "secret" },
  "gcp:storage/bucket:Bucket": { field: "name", kind: "bucket" },
  "gcp:bigquery/dataset:Dataset": { field: "datasetId", kind: "bigquery" },
  "gcp:bigquery/table:Table": { field: "tableId", kind: "bigquery" },
};

/** The API each provider module calls (`gcp:<module>/...`). */
const MODULE_APIS: Readonly<Record<string, string>> = {
  artifactregistry: "artifactregistry.googleapis.com",
  bigquery: "bigquery.googleapis.com",
  cloudbuild: "cloudbuild.googleapis.com",
  cloudrun: "run.googleapis.com",
  cloudrunv2: "run.googleapis.com",
  compute: "compute.googleapis.com",
  firebaserules: "firebaserules.googleapis.com",
  firestore: "firestore.googleapis.com",
  kms: "cloudkms.googleapis.com",
  logging: "logging.googleapis.com",
  monitoring: "monitoring.googleapis.com",
  projects: "cloudresourcemanager.googleapis.com",
  pubsub: "pubsub.googleapis.com",
  redis: "redis.googleapis.com",
  secretmanager: "secretmanager.googleapis.com",
  serviceaccount: "iam.googleapis.com",
  servicenetworking: "servicenetworking.googleapis.com",
  storage: "storage.googleapis.com",
  vpcaccess: "vpcaccess.googleapis.com",
};

const SERVICE_TYPE = "gcp:projects/service:Service";
const SERVICE_IDENTITY_TYPE = "gcp:projects/serviceIdentity:ServiceIdentity";
const DESCRIPTIONS = {
  "gcp-name": "Physical names satisfy GCP's length and character rules for their kind",
  "gcp-location": "Every location input lies inside the stack's geography (data residency)",
  "gcp-api-enabled":
    "Every resource depends, directly or through its parents, on the service enabling its API",
  "cloudrun-runs-own-bundle":
    "Every Cloud Run container runs an archive or image the plan builds, whose entry script exists",
} as const;

type ConstraintRule = keyof typeof DESCRIPTIONS;

/** Runs every constraint check over a plan. */
export function checkConstraints(plan: Plan): Finding[] {
  const geography = plan.geography in GEOGRAPHIES ? (plan.geography as GeographyId) : undefined;
  return [
    ...plan.resources.flatMap(checkName),
    ...(geography ? plan.resources.flatMap((r) => checkLocations(r, geography)) : []),
    ...checkApis(plan),
    ...checkDeployedCode(plan),
    ...checkReferences(plan),
  ];
}

function finding(rule: ConstraintRule, r: PlanResource | undefined, message: string): Finding {
  return {
    rule,
    source: "constraint",
    description: DESCRIPTIONS[rule],
    level: "mandatory",
    urn: r?.urn ?? "",
    message,
  };
}

function label(r: PlanResource): string {
  return `${r.type} "${r.name}"`;
}

function checkName(r: PlanResource): Finding[] {
  const named = NAMED_INPUTS[r.type];
  const value = named ? r.inputs[named.field] : undefined;
  if (!named || typeof value !== "string" || value === "[unknown]") return [];
  if (isValidName(named.kind, value)) return [];
  const rule = NAME_RULES[named.kind];
  return [
    finding(
      "gcp-name",
      r,
      `${label(r)}: ${named.field} "${value}" (${value.length} characters) is not a valid ` +
        `${named.kind} name; GCP allows ${rule.min}–${rule.max} characters matching ${rule.pattern}. ` +
        `Fix: build the name with gcpName("${named.kind}", ...).`,
    ),
  ];
}

function checkLocations(r: PlanResource, geography: GeographyId): Finding[] {
  if (!r.custom || !r.type.startsWith("gcp:")) return [];
  const g = GEOGRAPHIES[geography];
  return locationsOutside(r.inputs, g, r.type).map((l) =>
    finding(
      "gcp-location",
      r,
      `${label(r)}: ${l.path} "${l.value}" is outside geography ${geography}; allowed: ` +
        `${allowedList(g)} (and their zones). Fix: use a region of the geography in the stack config.`,
    ),
  );
}

/** The API a resource needs enabled, or undefined when it needs none we track. */
function requiredApi(r: PlanResource): string | undefined {
  if (!r.custom || !r.type.startsWith("gcp:") || r.type === SERVICE_TYPE) return undefined;
  if (r.type === SERVICE_IDENTITY_TYPE) {
    return typeof r.inputs.service === "string" ? r.inputs.service : undefined;
  }
  return MODULE_APIS[r.type.slice(4).split("/")[0]];
}

/**
 * An API counts as enabled before a resource when the resource reaches the service enabling it
 * through its dependencies (a dependency on a component covers the component's children) or
 * through what its ancestors waited for.
 */
function checkApis(plan: Plan): Finding[] {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const children = new Map<string, PlanResource[]>();
  for (const r of plan.resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const beforeMemo = new Map<string, ReadonlySet<string>>();
  const providesMemo = new Map<string, ReadonlySet<string>>();
  const EMPTY: ReadonlySet<string> = new Set();

  const before = (r: PlanResource): ReadonlySet<string> => {
    const memo = beforeMemo.get(r.urn);
    if (memo) return memo;
    beforeMemo.set(r.urn, EMPTY);
    const apis = new Set<string>();
    for (const d of r.dependencies) {
      const dep = byUrn.get(d);
      if (dep) for (const a of provides(dep)) apis.add(a);
    }
    const parent = byUrn.get(r.parent);
    if (parent) for (const a of before(parent)) apis.add(a);
    beforeMemo.set(r.urn, apis);
    return apis;
  };
  const provides = (r: PlanResource): ReadonlySet<string> => {
    const memo = providesMemo.get(r.urn);
    if (memo) return memo;
    providesMemo.set(r.urn, EMPTY);
    const apis = new Set(before(r));
    if (r.type === SERVICE_TYPE && typeof r.inputs.service === "string") apis.add(r.inputs.service);
    if (!r.custom)
      for (const c of children.get(r.urn) ?? []) for (const a of provides(c)) apis.add(a);
    providesMemo.set(r.urn, apis);
    return apis;
  };

  return plan.resources.flatMap((r) => {
    const api = requiredApi(r);
    if (!api || before(r).has(api)) return [];
    return [
      finding(
        "gcp-api-enabled",
        r,
        `${label(r)} uses ${api} but does not depend on the ${SERVICE_TYPE} enabling it. ` +
          `Fix: pass dependsOn: apis.services (or create it under a component that does).`,
      ),
    ];
  });
}

const OBJECT = "gcp:storage/bucketObject:BucketObject";
const IMAGE_BUILD = "docker-build:index:Image";

/**
 * What each Cloud Run container runs, as the plan says: the structural rule of the policy pack
 * (`deployViolations`), then a look inside the archive the container gets — the uploaded object's
 * file, or the archive in the image build's context — for the script its command starts.
 */
function checkDeployedCode(plan: Plan): Finding[] {
  const resources: DeployedResource[] = plan.resources.map((r) => ({ ...r, props: r.inputs }));
  const findings = deployViolations(resources).map((v) =>
    finding(
      "cloudrun-runs-own-bundle",
      plan.resources.find((r) => r.urn === v.urn),
      v.message,
    ),
  );
  for (const r of resources) {
    cloudRunContainers(r).forEach((c, i) => {
      const where = `${r.type} "${r.name}" container ${i}`;
      const archive = archiveOf(resources, c);
      if (!archive) return;
      const script = archive.script;
      const names = archiveListing(archive.path);
      if (!names || !script || !names.includes(script)) {
        findings.push(
          finding(
            "cloudrun-runs-own-bundle",
            plan.resources.find((p) => p.urn === r.urn),
            `${where}: starts ${JSON.stringify(script)}, which ${names ? "is not in" : "cannot be read from"} ` +
              `its archive ${archive.path}. Fix: run \`npm run bundle\` and deploy SERVICE_CONTAINER's command.`,
          ),
        );
      }
    });
  }
  return findings;
}

/**
 * The file names of an archive, read once per file version in this process: the services of
 * both regions, and the stacks a worker previews, share the same archives.
 */
const listings = new Map<string, readonly string[]>();
function archiveListing(path: string): readonly string[] | undefined {
  if (!existsSync(path)) return undefined;
  const { size, mtimeMs } = statSync(path);
  const key = `${path}\0${size}\0${mtimeMs}`;
  let names = listings.get(key);
  if (!names) {
    names = archiveFileNames(path);
    listings.set(key, names);
  }
  return names;
}

/** The archive file a container runs, and the script its command starts, when the plan names them. */
function archiveOf(
  resources: readonly DeployedResource[],
  container: Record<string, unknown>,
): { path: string; script: string | undefined } | undefined {
  const source = (container.sourceCode as { cloudStorageSource?: Record<string, unknown> })
    ?.cloudStorageSource;
  if (source) {
    const object = resources.find((o) => o.type === OBJECT && o.props.name === source.object);
    const asset = (object?.props.source as { "@asset"?: { path?: string } } | undefined)?.[
      "@asset"
    ];
    return asset?.path ? { path: asset.path, script: startedScript(container) } : undefined;
  }
  const image = typeof container.image === "string" ? container.image : "";
  const name = image.split("@")[0];
  const build = resources.find(
    (b) =>
      b.type === IMAGE_BUILD &&
      (b.props.tags as unknown[] | undefined)?.some((t) => String(t).startsWith(`${name}:`)),
  );
  if (!build) return undefined;
  const dockerfile = String(
    (build.props.dockerfile as { inline?: string } | undefined)?.inline ?? "",
  );
  const add = /^ADD (\S+) /m.exec(dockerfile);
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile);
  const context = (build.props.context as { location?: string } | undefined)?.location;
  if (!add || !entrypoint || !context) return { path: String(context), script: undefined };
  const words = JSON.parse(entrypoint[1]) as string[];
  return {
    path: `${context}/${add[1]}`,
    script: startedScript({ commands: words.slice(0, 1), args: words.slice(1) }),
  };
}
