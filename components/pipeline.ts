import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { type IntRange, PUBSUB_LIMITS } from "../runtime/catalog/limits";
import type { PipelineSpec } from "../runtime/catalog/pipelines";
import type { RegionId } from "../runtime/topology";
import type { Apis } from "./apis";
import type { PlatformArgs } from "./context";
import { DEAD_LETTER_RETENTION_SECONDS, PUSH_PATH } from "./defaults";
import { platformLabels } from "./labels";
import { gcpName } from "./naming";
import { checkAll, checkKeys, checkOrdered, checkRange, platformChecks } from "./validation";
import { waitFor } from "./outputs";

/** Arguments of {@link Pipeline}. */
export interface PipelineArgs extends PlatformArgs {
  /** Enabled APIs and service agents; every child depends on the APIs. */
  readonly apis: Apis;
  /** The catalog entry (runtime/catalog/pipelines.ts): topic, delivery settings, consumer. */
  readonly spec: PipelineSpec;
  /** CMEK for both topics (`projects/*\/locations/*\/keyRings/*\/cryptoKeys/*`). */
  readonly kmsKeyName: pulumi.Input<string>;
  /** The consumer's Cloud Run URL in each region; one per region of `regions`. */
  readonly pushEndpoints: Readonly<Partial<Record<RegionId, pulumi.Input<string>>>>;
  /**
   * Service account whose OIDC token Pub/Sub attaches to pushes.
   * @default a dedicated invoker service account created by the pipeline
   */
  readonly invokerServiceAccountEmail?: pulumi.Input<string>;
  /**
   * `project.dataset.table` that a BigQuery subscription writes to, required when the spec names
   * a `bigQueryTable` (see `Analytics.subscriptionTable`).
   */
  readonly bigQueryTable?: pulumi.Input<string>;
}

const seconds = (value: number) => `${value}s`;

/** Id of the subscription that holds a pipeline's dead letters. */
export function holdSubscriptionId(spec: Pick<PipelineSpec, "deadLetterTopic">): string {
  return gcpName("pubsub", spec.deadLetterTopic, "hold");
}

/** Id of a pipeline's push subscription in one region. */
export function pushSubscriptionId(spec: Pick<PipelineSpec, "topic">, region: RegionId): string {
  return gcpName("pubsub", spec.topic, region);
}

/**
 * One Pub/Sub pipeline of the catalog: the topic, its `-dlq` dead-letter topic with a hold
 * subscription, and one push subscription per region that delivers only that region's messages
 * (filter on the `region` attribute) to the region's consumer, with an OIDC token, exponential
 * backoff and a dead-letter policy. Both topics keep messages in the geography's regions and are
 * encrypted with CMEK. The Pub/Sub service agent may publish to the dead-letter topic and
 * subscribe to the source subscriptions; without those grants dead-lettering fails silently.
 */
export class Pipeline extends pulumi.ComponentResource {
  readonly topic: gcp.pubsub.Topic;
  readonly deadLetterTopic: gcp.pubsub.Topic;
  /** Holds dead letters for 7 days, for inspection and replay. */
  readonly holdSubscription: gcp.pubsub.Subscription;
  /** Push subscription per region. */
  readonly subscriptions: Readonly<Partial<Record<RegionId, gcp.pubsub.Subscription>>>;
  /** BigQuery subscription, when the spec names a table. */
  readonly bigQuerySubscription?: gcp.pubsub.Subscription;
  /** Email of the service account that signs pushes; grant it `roles/run.invoker` on the consumer. */
  readonly invokerEmail: pulumi.Output<string>;
  /** `serviceAccount:<invokerEmail>`, the member to grant `roles/run.invoker`. */
  readonly invokerMember: pulumi.Output<string>;
  readonly topicName: pulumi.Output<string>;
  readonly deadLetterTopicName: pulumi.Output<string>;

  private readonly baseName: string;
  private readonly topicProject: string;
  private readonly childOpts: pulumi.CustomResourceOptions;

  constructor(name: string, args: PipelineArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("avalo:pubsub:Pipeline", name, {}, opts);
    validate(this, args);
    const { spec, project } = args;
    this.baseName = name;
    this.topicProject = project;
    this.childOpts = { parent: this, dependsOn: args.apis.services };
    const labels = platformLabels(args, "multi", { pipeline: spec.name });
    const agent = args.apis.serviceAgent("pubsub");
    const topicArgs = (topicName: string): gcp.pubsub.TopicArgs => ({
      project,
      name: topicName,
      kmsKeyName: args.kmsKeyName,
      messageStoragePolicy: { allowedPersistenceRegions: args.regions.map((r) => r.gcpRegion) },
      labels,
    });

    this.deadLetterTopic = new gcp.pubsub.Topic(
      `${name}-dlq`,
      topicArgs(gcpName("pubsub", spec.deadLetterTopic)),
      this.childOpts,
    );
    this.topic = new gcp.pubsub.Topic(
      name,
      topicArgs(gcpName("pubsub", spec.topic)),
      this.childOpts,
    );
    const dlqPublisher = new gcp.pubsub.TopicIAMMember(
      `${name}-dlq-agent-publisher`,
      { project, topic: this.deadLetterTopic.name, role: "roles/pubsub.publisher", member: agent },
      this.childOpts,
    );
    this.holdSubscription = new gcp.pubsub.Subscription(
      `${name}-dlq-hold`,
      {
        project,
        name: holdSubscriptionId(spec),
        topic: this.deadLetterTopic.id,
        messageRetentionDuration: seconds(DEAD_LETTER_RETENTION_SECONDS),
        retainAckedMessages: true,
        ackDeadlineSeconds: spec.ackDeadlineSeconds,
        expirationPolicy: { ttl: "" },
        labels,
      },
      this.childOpts,
    );

    this.invokerEmail = args.invokerServiceAccountEmail
      ? pulumi.output(args.invokerServiceAccountEmail)
      : this.createInvoker(name, args, agent);
    this.invokerMember = pulumi.interpolate`serviceAccount:${this.invokerEmail}`;

    const delivery = {
      project,
      topic: this.topic.id,
      ackDeadlineSeconds: spec.ackDeadlineSeconds,
      messageRetentionDuration: seconds(spec.messageRetentionSeconds),
      expirationPolicy: { ttl: "" },
      retryPolicy: {
        minimumBackoff: seconds(spec.retry.minimumBackoffSeconds),
        maximumBackoff: seconds(spec.retry.maximumBackoffSeconds),
      },
      deadLetterPolicy: {
        deadLetterTopic: this.deadLetterTopic.id,
        maxDeliveryAttempts: spec.maxDeliveryAttempts,
      },
    };
    const afterDlqGrant = { ...this.childOpts, dependsOn: [...args.apis.services, dlqPublisher] };
    const subscriptions: Partial<Record<RegionId, gcp.pubsub.Subscription>> = {};
    for (const region of args.regions) {
      const url = pulumi.output(args.pushEndpoints[region.id]!).apply((u) => u.replace(/\/$/, ""));
      subscriptions[region.id] = new gcp.pubsub.Subscription(
        `${name}-${region.id}`,
        {
          ...delivery,
          name: pushSubscriptionId(spec, region.id),
          filter: `attributes.region = "${region.id}"`,
          enableMessageOrdering: spec.orderingKeyField !== undefined,
          pushConfig: {
            pushEndpoint: pulumi.interpolate`${url}${PUSH_PATH}`,
            oidcToken: { serviceAccountEmail: this.invokerEmail, audience: url },
          },
          labels: platformLabels(args, region.id, { pipeline: spec.name }),
        },
        afterDlqGrant,
      );
    }
    this.subscriptions = subscriptions;
    if (spec.bigQueryTable && args.bigQueryTable) {
      this.bigQuerySubscription = new gcp.pubsub.Subscription(
        `${name}-bigquery`,
        {
          ...delivery,
          name: gcpName("pubsub", spec.topic, "bigquery"),
          bigqueryConfig: { table: args.bigQueryTable, writeMetadata: true },
          labels,
        },
        afterDlqGrant,
      );
    }
    const sources = Object.entries(subscriptions).concat(
      this.bigQuerySubscription ? [["bigquery", this.bigQuerySubscription]] : [],
    ) as [string, gcp.pubsub.Subscription][];
    const subscriberGrants = sources.map(
      ([key, subscription]) =>
        new gcp.pubsub.SubscriptionIAMMember(
          `${name}-${key}-agent-subscriber`,
          {
            project,
            subscription: subscription.name,
            role: "roles/pubsub.subscriber",
            member: agent,
          },
          this.childOpts,
        ),
    );
    // Consumers read the names only once the dead-letter grants exist.
    const afterGrants = [dlqPublisher, ...subscriberGrants];
    this.topicName = waitFor(this.topic.name, afterGrants);
    this.deadLetterTopicName = waitFor(this.deadLetterTopic.name, afterGrants);
    this.registerOutputs({
      topicName: this.topicName,
      deadLetterTopicName: this.deadLetterTopicName,
      invokerEmail: this.invokerEmail,
    });
  }

  /**
   * Lets `member` publish to the topic (`roles/pubsub.publisher`, nothing else).
   * @param key stable suffix of the grant's resource name, e.g. the publishing service's name
   */
  grantPublish(member: pulumi.Input<string>, key: string): gcp.pubsub.TopicIAMMember {
    return new gcp.pubsub.TopicIAMMember(
      `${this.baseName}-publish-${key}`,
      {
        project: this.topicProject,
        topic: this.topic.name,
        role: "roles/pubsub.publisher",
        member,
      },
      this.childOpts,
    );
  }

  private createInvoker(name: string, args: PipelineArgs, agent: pulumi.Output<string>) {
    const account = new gcp.serviceaccount.Account(
      `${name}-invoker`,
      {
        project: args.project,
        accountId: pushInvokerAccountId(args.spec.name),
        displayName: `Pub/Sub push invoker for ${args.spec.topic}`,
      },
      this.childOpts,
    );
    // Pub/Sub mints the push OIDC token as this account; older projects need the explicit grant.
    new gcp.serviceaccount.IAMMember(
      `${name}-invoker-agent-token-creator`,
      {
        serviceAccountId: account.name,
        role: "roles/iam.serviceAccountTokenCreator",
        member: agent,
      },
      this.childOpts,
    );
    return account.email;
  }
}

/**
 * Account id of the service account a pipeline creates to sign its pushes. Exported so the
 * consumer can be told, before the pipeline exists, which identity to accept.
 */
export function pushInvokerAccountId(pipeline: string): string {
  return gcpName("serviceAccount", pipeline, "push");
}

function validate(component: Pipeline, args: PipelineArgs): void {
  const { spec } = args;
  const range = (field: string, value: number, limit: IntRange, unit: string) => () =>
    checkRange(component, field, value, limit.min, limit.max, unit);
  const { minimumBackoffSeconds: min, maximumBackoffSeconds: max } = spec.retry;
  checkAll(component, [
    ...platformChecks(component, args),
    range(
      "ackDeadlineSeconds",
      spec.ackDeadlineSeconds,
      PUBSUB_LIMITS.ackDeadlineSeconds,
      "seconds",
    ),
    range(
      "maxDeliveryAttempts",
      spec.maxDeliveryAttempts,
      PUBSUB_LIMITS.maxDeliveryAttempts,
      "attempts",
    ),
    range("retry.minimumBackoffSeconds", min, PUBSUB_LIMITS.backoffSeconds, "seconds"),
    range("retry.maximumBackoffSeconds", max, PUBSUB_LIMITS.backoffSeconds, "seconds"),
    () =>
      checkOrdered(
        component,
        "retry.minimumBackoffSeconds",
        min,
        "retry.maximumBackoffSeconds",
        max,
      ),
    range(
      "messageRetentionSeconds",
      spec.messageRetentionSeconds,
      PUBSUB_LIMITS.messageRetentionSeconds,
      "seconds",
    ),
    () =>
      checkKeys(
        component,
        "pushEndpoints",
        args.pushEndpoints,
        args.regions.map((r) => r.id),
      ),
    () => {
      if (spec.bigQueryTable && args.bigQueryTable === undefined) {
        throw new pulumi.ResourceError(
          `\`bigQueryTable\` must be set because pipeline "${spec.name}" writes to BigQuery table ` +
            `"${spec.bigQueryTable}"; pass Analytics.subscriptionTable("${spec.bigQueryTable}")`,
          component,
        );
      }
    },
  ]);
}
