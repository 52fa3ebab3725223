import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { Apis } from "./apis";
import type { PlatformArgs } from "./context";
import { agentKey } from "./agent-key";
import { ARTIFACTS, DAY_SECONDS } from "./defaults";
import { platformLabels } from "./labels";
import { gcpName } from "./naming";
import { checkPlatformArgs } from "./validation";

/** Arguments of {@link ArtifactRepository}. */
export interface ArtifactRepositoryArgs extends PlatformArgs {
  /** Enabled APIs (artifactregistry, cloudkms); every child depends on them. */
  readonly apis: Apis;
  /** The project's number, for the Artifact Registry service agent. */
  readonly projectNumber: pulumi.Input<string>;
  /** Key ring of the home region (`Kms.keyRings[home]`), which gets the repository's CMEK key. */
  readonly keyRing: pulumi.Input<string>;
  /** Key protection; set explicitly per environment. */
  readonly deletionProtection: boolean;
}

/**
 * The geography's Docker repository in Artifact Registry, in the home region: images of the
 * platform's jobs, deployed by digest. Tags are immutable, images are encrypted with the
 * repository's own CMEK key (used by the Artifact Registry service agent only), and a cleanup
 * policy keeps the newest versions and deletes the rest once they are old.
 */
export class ArtifactRepository extends pulumi.ComponentResource {
  readonly repository: gcp.artifactregistry.Repository;
  readonly key: gcp.kms.CryptoKey;
  /** `<region>-docker.pkg.dev/<project>/<repository>`, the prefix of every image name. */
  readonly url: pulumi.Output<string>;
  /** The registry host, `<region>-docker.pkg.dev`. */
  readonly host: string;

  constructor(
    name: string,
    args: ArtifactRepositoryArgs,
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    super("avalo:deploy:ArtifactRepository", name, {}, opts);
    checkPlatformArgs(this, args);
    const home = args.regions[0];
    const childOpts = { parent: this, dependsOn: args.apis.services };
    const labels = platformLabels(args, home.id, { purpose: "images" });
    this.host = `${home.gcpRegion}-docker.pkg.dev`;

    const { projectNumber } = args;
    const { key, grant: keyGrant } = agentKey(
      name,
      {
        keyRing: args.keyRing,
        keyName: "artifacts",
        agent: pulumi.interpolate`serviceAccount:service-${projectNumber}@gcp-sa-artifactregistry.iam.gserviceaccount.com`,
        labels,
        deletionProtection: args.deletionProtection,
      },
      childOpts,
    );
    this.key = key;
    const repositoryId = gcpName("artifactRepository", "avalo", "images");
    this.repository = new gcp.artifactregistry.Repository(
      name,
      {
        project: args.project,
        location: home.gcpRegion,
        repositoryId,
        format: "DOCKER",
        description: "Images of the platform's Cloud Run jobs, deployed by digest",
        kmsKeyName: this.key.id,
        dockerConfig: { immutableTags: true },
        cleanupPolicyDryRun: false,
        cleanupPolicies: [
          {
            id: "keep-newest",
            action: "KEEP",
            mostRecentVersions: { keepCount: ARTIFACTS.keepNewestVersions },
          },
          {
            id: "delete-old",
            action: "DELETE",
            condition: {
              tagState: "ANY",
              olderThan: `${ARTIFACTS.deleteAfterDays * DAY_SECONDS}s`,
            },
          },
        ],
        labels,
      },
      { ...childOpts, dependsOn: [...args.apis.services, keyGrant] },
    );
    this.url = pulumi.interpolate`${this.host}/${this.repository.project}/${this.repository.repositoryId}`;
    this.registerOutputs({ url: this.url });
  }
}
