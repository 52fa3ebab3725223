import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import * as dockerBuild from "@pulumi/docker-build";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { SERVICE_CONTAINER } from "../runtime/services/container";
import type { ArtifactRepository } from "./artifact-repository";
import { type Bundle, projectRelativePath } from "../build/bundles";

/** Arguments of {@link ContainerImage}. */
export interface ContainerImageArgs {
  /** The repository the image is pushed to. */
  readonly repository: ArtifactRepository;
  /** The bundle archive the image runs (`node index.js` at its root). */
  readonly bundle: Bundle;
  /** Where the build context is written. @default `<cwd>/out/images` */
  readonly contextRoot?: string;
}

/** The base image and the archive's place in every image built from a bundle. */
const IMAGE = {
  /** Node.js of the same major as the services' managed base image (`SERVICE_CONTAINER`). */
  baseImage: `node:${SERVICE_CONTAINER.nodeMajor}-bookworm-slim`,
  archiveFile: "bundle.tar.gz",
  workdir: "/app",
} as const;

/**
 * The Dockerfile of an image built from a bundle: the archive unpacked (`ADD` extracts a local
 * `.tar.gz`) into the working directory, run as the unprivileged `node` user with the same
 * command and args as a service container.
 */
export function bundleDockerfile(): string {
  const entrypoint = JSON.stringify([...SERVICE_CONTAINER.command, ...SERVICE_CONTAINER.args]);
  return [
    `FROM ${IMAGE.baseImage}`,
    `WORKDIR ${IMAGE.workdir}`,
    `ADD ${IMAGE.archiveFile} ${IMAGE.workdir}/`,
    "USER node",
    `ENTRYPOINT ${entrypoint}`,
    "",
  ].join("\n");
}

/**
 * A container image built from one bundle archive with `@pulumi/docker-build` (Docker with
 * buildx on the machine that runs `pulumi up`), pushed to the geography's Artifact Registry
 * repository and referenced by digest, so a deploy names exactly the bytes it built. The build
 * context holds only the archive, in a directory named after its hash.
 */
export class ContainerImage extends pulumi.ComponentResource {
  readonly image: dockerBuild.Image;
  /** `<repository url>/<name>@sha256:<digest>`: what a Cloud Run container deploys. */
  readonly imageRef: pulumi.Output<string>;

  constructor(name: string, args: ContainerImageArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("avalo:deploy:ContainerImage", name, {}, opts);
    const { bundle, repository } = args;
    const contextDir = join(
      args.contextRoot ?? join(process.cwd(), "out", "images"),
      bundle.service,
      bundle.sha256,
    );
    mkdirSync(contextDir, { recursive: true });
    const archive = join(contextDir, IMAGE.archiveFile);
    if (!existsSync(archive)) copyFileSync(bundle.archivePath, archive);
    const imageName = pulumi.interpolate`${repository.url}/${bundle.service}`;
    const token = gcp.organizations.getClientConfigOutput({ parent: this }).accessToken;
    this.image = new dockerBuild.Image(
      name,
      {
        context: { location: projectRelativePath(contextDir) },
        dockerfile: { inline: bundleDockerfile() },
        platforms: ["linux/amd64"],
        push: true,
        buildOnPreview: false,
        tags: [pulumi.interpolate`${imageName}:${bundle.sha256.slice(0, 16)}`],
        registries: [
          {
            address: repository.host,
            username: "oauth2accesstoken",
            password: pulumi.secret(token),
          },
        ],
        labels: { "dev.avalo.bundle-sha256": bundle.sha256 },
      },
      { parent: this, dependsOn: [repository] },
    );
    this.imageRef = pulumi.interpolate`${imageName}@${this.image.digest}`;
    this.registerOutputs({ imageRef: this.imageRef });
  }
}
