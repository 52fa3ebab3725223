import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { Apis } from "./apis";
import type { PlatformArgs } from "./context";
import { gcpName } from "./naming";
import { checkPlatformArgs } from "./validation";

/** Arguments of {@link BuildIdentity}. */
export interface BuildIdentityArgs extends PlatformArgs {
  /** Enabled APIs; every child depends on them. */
  readonly apis: Apis;
}

/** Project roles the source build needs: write its logs and push the image it builds. */
export const BUILD_PROJECT_ROLES = [
  "roles/logging.logWriter",
  "roles/artifactregistry.writer",
] as const;

/**
 * The service account that Cloud Run's source builds (`buildConfig.serviceAccount`) run as, with
 * only what a build needs: log writing and image pushing in the project. Read access to the
 * bundles comes from `RuntimeBundle.grantRead`, and act-as on each runtime account from `Service`.
 */
export class BuildIdentity extends pulumi.ComponentResource {
  readonly account: gcp.serviceaccount.Account;
  /** `projects/<project>/serviceAccounts/<email>`, as `buildConfig.serviceAccount` takes it. */
  readonly id: pulumi.Output<string>;
  /** `serviceAccount:<email>`. */
  readonly member: pulumi.Output<string>;

  constructor(name: string, args: BuildIdentityArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("avalo:deploy:BuildIdentity", name, {}, opts);
    checkPlatformArgs(this, args);
    const childOpts = { parent: this, dependsOn: args.apis.services };
    this.account = new gcp.serviceaccount.Account(
      name,
      {
        project: args.project,
        accountId: gcpName("serviceAccount", "avalo", "builder"),
        displayName: "Cloud Run source builds",
      },
      childOpts,
    );
    const grants = BUILD_PROJECT_ROLES.map(
      (role) =>
        new gcp.projects.IAMMember(
          `${name}-${role.split("/")[1].replace(/\./g, "-").toLowerCase()}`,
          { project: args.project, role, member: this.account.member },
          childOpts,
        ),
    );
    // Builds start only once the account may write logs and push images.
    this.id = pulumi.all([this.account.id, ...grants.map((g) => g.id)]).apply(([id]) => id);
    this.member = this.account.member;
    this.registerOutputs({ id: this.id });
  }
}
