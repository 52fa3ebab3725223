import type { PlanResource } from "../../plan/record";
import { at, list, stackRule, type AvaloStackPolicy, type Props } from "./define";

const SERVICE = "gcp:cloudrunv2/service:Service";
const JOB = "gcp:cloudrunv2/job:Job";
const OBJECT = "gcp:storage/bucketObject:BucketObject";
const REPOSITORY = "gcp:artifactregistry/repository:Repository";
const IMAGE_BUILD = "docker-build:index:Image";

/**
 * Images that serve a demo page instead of code: every path answers 200, so a Pub/Sub push to
 * one is acknowledged and lost.
 */
const PLACEHOLDER_IMAGES: readonly string[] = [
  "us-docker.pkg.dev/cloudrun/container/hello",
  "us-docker.pkg.dev/cloudrun/container/job",
  "gcr.io/cloudrun/hello",
  "gcr.io/cloudrun/placeholder",
];

/** `<region>-docker.pkg.dev/<project>/<repository>/<image>@sha256:<64 hex>`. */
const BY_DIGEST = /^([a-z0-9-]+-docker\.pkg\.dev)\/([^/]+)\/([^/]+)\/([^@:]+)@sha256:[0-9a-f]{64}$/;

/** A resource of the plan as both the engine and the offline preview present it to a rule. */
export type DeployedResource = Pick<PlanResource, "urn" | "type" | "name"> & {
  readonly props: Props;
};

/** One container that does not run code the plan ships. */
export interface DeployViolation {
  readonly urn: string;
  /** `<type> "<name>" container <index>`. */
  readonly where: string;
  readonly message: string;
}

/** The containers of a Cloud Run service or job (a job nests its task template). */
export function cloudRunContainers(r: DeployedResource): Props[] {
  const path = r.type === JOB ? "template.template.containers" : "template.containers";
  return list(at(r.props, path)) as Props[];
}

/** The script a container starts: the first of `commands[1..]` and `args` not an option. */
export function startedScript(container: Props): string | undefined {
  const words = [
    ...(list(container.commands) as string[]).slice(1),
    ...(list(container.args) as string[]),
  ];
  return words.find((w) => typeof w === "string" && !w.startsWith("-"));
}

const unknown = (v: unknown) => v === undefined || v === "[unknown]";

/**
 * Every Cloud Run service and job container must run code this plan ships: either the no-build
 * source deploy (`sourceCode` naming a bucket object the plan uploads, a `baseImageUri`, and a
 * command that starts a script), or an image pinned by digest in an Artifact Registry repository
 * the plan declares and built by the plan. A known placeholder image, a tag, or an image from
 * elsewhere is a violation.
 */
export function deployViolations(resources: readonly DeployedResource[]): DeployViolation[] {
  const objects = resources.filter((r) => r.type === OBJECT);
  const repositories = resources.filter((r) => r.type === REPOSITORY);
  const builds = resources.filter((r) => r.type === IMAGE_BUILD);
  const out: DeployViolation[] = [];
  for (const r of resources.filter((x) => x.type === SERVICE || x.type === JOB)) {
    cloudRunContainers(r).forEach((c, i) => {
      const where = `${r.type} "${r.name}" container ${i}`;
      const flag = (message: string) =>
        out.push({ urn: r.urn, where, message: `${where}: ${message}` });
      const source = at(c, "sourceCode.cloudStorageSource") as Props | undefined;
      const image = c.image;
      if (typeof image === "string" && PLACEHOLDER_IMAGES.includes(image)) {
        flag(
          `runs the placeholder image ${image}, which answers 200 to everything and runs none of our code. Fix: deploy the service's bundle (sourceCode) or an image built by the plan, by digest.`,
        );
        return;
      }
      if (source) {
        const match = objects.find(
          (o) =>
            o.props.name === source.object &&
            (unknown(source.bucket) || o.props.bucket === source.bucket),
        );
        if (!match)
          flag(
            `sourceCode names gs://${String(source.bucket)}/${String(source.object)}, which this plan does not upload. Fix: pass RuntimeBundle.sourceOf(service).`,
          );
        if (!c.baseImageUri)
          flag(
            "sourceCode is set without baseImageUri, so nothing provides the Node.js runtime. Fix: set baseImageUri to a managed runtime base image.",
          );
        if (image !== "scratch")
          flag(
            `sourceCode is set but image is ${JSON.stringify(image)}; the no-build source deploy takes image "scratch".`,
          );
        if (!startedScript(c))
          flag(
            "commands/args start no script from the archive. Fix: use SERVICE_CONTAINER's command and args.",
          );
        return;
      }
      if (unknown(image) && builds.length > 0) return;
      const m = typeof image === "string" ? BY_DIGEST.exec(image) : null;
      if (!m) {
        flag(
          `runs image ${JSON.stringify(image)}, which is neither the no-build source deploy nor an image pinned by digest (…@sha256:…). Fix: deploy a bundle archive (sourceCode) or a ContainerImage's imageRef.`,
        );
        return;
      }
      const [, host, project, repositoryId, name] = m;
      const declared = repositories.some(
        (repo) =>
          repo.props.repositoryId === repositoryId &&
          repo.props.project === project &&
          host === `${String(repo.props.location)}-docker.pkg.dev`,
      );
      if (!declared)
        flag(
          `image ${image} is in repository ${host}/${project}/${repositoryId}, which this plan does not declare.`,
        );
      const prefix = `${host}/${project}/${repositoryId}/${name}:`;
      const built = builds.some((b) =>
        (list(b.props.tags) as unknown[]).some(
          (t) => typeof t === "string" && t.startsWith(prefix),
        ),
      );
      if (!built)
        flag(
          `image ${image} is not built by this plan (no ${IMAGE_BUILD} tags ${prefix}…), so nothing ties it to our code.`,
        );
    });
  }
  return out;
}

export const deployRules: AvaloStackPolicy[] = [
  stackRule({
    name: "cloudrun-runs-own-bundle",
    control: "Avalo",
    requirement:
      "Every Cloud Run service and job container runs code the plan ships: a bundle object it uploads (no-build source deploy) or an image it builds, pinned by digest in a repository it declares; never a placeholder.",
    enforcementLevel: "mandatory",
    check: (args, report) => {
      for (const v of deployViolations(args.resources)) report(v.message, v.urn);
    },
  }),
];
