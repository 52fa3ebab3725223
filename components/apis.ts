import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { REQUIRED_APIS } from "./defaults";
import { checkPattern } from "./validation";

/** Arguments of {@link Apis}. */
export interface ApisArgs {
  /** GCP project id whose services are enabled. */
  readonly project: string;
  /**
   * Services to enable in addition to the platform's own list.
   * @default []
   */
  readonly extraServices?: readonly string[];
}

/** Google-managed service agents that platform resources grant roles to (KMS keys, topics...). */
export type ServiceAgentName =
  "pubsub" | "secretmanager" | "firestore" | "redis" | "bigquery" | "storage";

const SERVICE_NAME = /^[a-z][-a-z0-9]*(\.[a-z][-a-z0-9]*)+$/;

/**
 * Enables every project service the platform needs, once per project, and exposes the
 * Google-managed service agents. Every other resource of the platform passes
 * `dependsOn: apis.services`, so no API is used before it is enabled. Services are never
 * disabled on destroy: other workloads in the project may rely on them.
 */
export class Apis extends pulumi.ComponentResource {
  /** One enabled service per API; depend on all of them. */
  readonly services: gcp.projects.Service[];
  /** The project's number, for service agents' emails and Cloud Run URLs; read once. */
  readonly projectNumber: pulumi.Output<string>;
  private readonly members: Record<ServiceAgentName, pulumi.Output<string>>;

  constructor(name: string, args: ApisArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("avalo:platform:Apis", name, {}, opts);
    const extra = args.extraServices ?? [];
    for (const service of extra) {
      checkPattern(
        this,
        "extraServices[]",
        service,
        SERVICE_NAME,
        'a service name such as "dns.googleapis.com"',
      );
    }
    const all = [...new Set<string>([...REQUIRED_APIS, ...extra])].sort();
    this.services = all.map(
      (service) =>
        new gcp.projects.Service(
          `${name}-${service.split(".")[0]}`,
          {
            project: args.project,
            service,
            disableOnDestroy: false,
            disableDependentServices: false,
          },
          { parent: this },
        ),
    );
    const after: pulumi.CustomResourceOptions = { parent: this, dependsOn: this.services };
    // Service Usage creates these agents on demand, so a grant never races the agent's creation.
    const identity = (agent: ServiceAgentName) =>
      new gcp.projects.ServiceIdentity(
        `${name}-${agent}-agent`,
        { project: args.project, service: `${agent}.googleapis.com` },
        after,
      ).member;
    const project = gcp.organizations.getProjectOutput({ projectId: args.project }, after);
    this.projectNumber = project.number;
    this.members = {
      pubsub: identity("pubsub"),
      secretmanager: identity("secretmanager"),
      firestore: identity("firestore"),
      // Memorystore's agent exists once the API is enabled; its email has a documented format.
      redis: pulumi.interpolate`serviceAccount:service-${project.number}@cloud-redis.iam.gserviceaccount.com`,
      bigquery: gcp.bigquery.getDefaultServiceAccountOutput({ project: args.project }, after)
        .member,
      storage: gcp.storage.getProjectServiceAccountOutput({ project: args.project }, after).member,
    };
    this.registerOutputs({ services: this.services.map((s) => s.service) });
  }

  /** IAM member (`serviceAccount:...`) of a Google-managed service agent of the project. */
  serviceAgent(agent: ServiceAgentName): pulumi.Output<string> {
    return this.members[agent];
  }
}
