import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/** Arguments of {@link FcmSenderRole}. */
export interface FcmSenderRoleArgs {
  /** GCP project the custom role is defined in. */
  readonly project: pulumi.Input<string>;
  /** Resources the role waits for (the enabled APIs). @default [] */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** The one permission sending an FCM message needs (FCM HTTP v1 `messages:send`). */
const FCM_SEND_PERMISSION = "cloudmessaging.messages.create";

/** Id of the custom role; custom role ids are camelCase, 3–64 characters. */
const FCM_SENDER_ROLE_ID = "avaloFcmSender";

/**
 * A project custom role that may send Firebase Cloud Messaging messages and nothing else. GCP
 * has no narrower predefined role: `roles/firebasecloudmessaging.admin` also manages FCM
 * settings, which every pre-built policy pack flags as an administrative grant. Grant it with
 * {@link FcmSenderRole.grant}. A deleted custom role keeps its id reserved for 37 days, so the
 * role id never changes.
 */
export class FcmSenderRole extends pulumi.ComponentResource {
  readonly role: gcp.projects.IAMCustomRole;
  /** The role's resource name (`projects/<project>/roles/avaloFcmSender`), as IAM grants use it. */
  readonly roleName: pulumi.Output<string>;
  private readonly baseName: string;
  private readonly project: pulumi.Input<string>;
  private readonly childOpts: pulumi.CustomResourceOptions;

  constructor(name: string, args: FcmSenderRoleArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("avalo:iam:FcmSenderRole", name, {}, opts);
    this.baseName = name;
    this.project = args.project;
    this.childOpts = { parent: this, dependsOn: args.dependsOn ?? [] };
    this.role = new gcp.projects.IAMCustomRole(
      name,
      {
        project: args.project,
        roleId: FCM_SENDER_ROLE_ID,
        title: "Avalo FCM sender",
        description: "Sends Firebase Cloud Messaging messages; nothing else.",
        permissions: [FCM_SEND_PERMISSION],
        stage: "GA",
      },
      this.childOpts,
    );
    // Built from the role's inputs so the grant names the role at preview time and waits for it.
    this.roleName = pulumi.interpolate`projects/${this.role.project}/roles/${this.role.roleId}`;
    this.registerOutputs({ roleName: this.roleName });
  }

  /** Lets `member` send FCM messages (this role, at project level; FCM has no narrower resource). */
  grant(member: pulumi.Input<string>, key: string): gcp.projects.IAMMember {
    return new gcp.projects.IAMMember(
      `${this.baseName}-${key}`,
      { project: this.project, role: this.roleName, member },
      this.childOpts,
    );
  }
}
