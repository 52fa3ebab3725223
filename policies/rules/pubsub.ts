import { PUBSUB_LIMITS } from "../../runtime/catalog/limits";
import { PIPELINES } from "../../runtime/catalog/pipelines";
import {
  at,
  isBroadRole,
  lastSegment,
  list,
  publicMembers,
  resourceRule,
  rolesOf,
  seconds,
  stackRule,
  type AvaloResourcePolicy,
  type AvaloStackPolicy,
  type Props,
} from "./define";
import { allowedList, geographyOf } from "./placement";

const TOPIC = "gcp:pubsub/topic:Topic";
const SUBSCRIPTION = "gcp:pubsub/subscription:Subscription";
const TOPIC_IAM_MEMBER = "gcp:pubsub/topicIAMMember:TopicIAMMember";
const SUBSCRIPTION_IAM_MEMBER = "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember";
const IAM_TYPES = [
  TOPIC_IAM_MEMBER,
  "gcp:pubsub/topicIAMBinding:TopicIAMBinding",
  "gcp:pubsub/topicIAMPolicy:TopicIAMPolicy",
  SUBSCRIPTION_IAM_MEMBER,
  "gcp:pubsub/subscriptionIAMBinding:SubscriptionIAMBinding",
  "gcp:pubsub/subscriptionIAMPolicy:SubscriptionIAMPolicy",
];
const PIPELINE_TOPICS = new Set<string>(PIPELINES.map((p) => p.topic));
const PUBSUB_AGENT = /gcp-sa-pubsub\.iam\.gserviceaccount\.com$/;

const onPipelineTopic = (props: Record<string, unknown>) =>
  PIPELINE_TOPICS.has(lastSegment(props.topic));

/**
 * A dead-letter hold subscription (`<topic>-dlq-hold` on `<topic>-dlq`, components/pipeline.ts):
 * where a pipeline's dead letters wait for `avalo dlq inspect|replay`.
 */
function isHoldSubscription(props: Props): boolean {
  const topic = lastSegment(props.topic);
  return topic.endsWith("-dlq") && lastSegment(props.name) === `${topic}-hold`;
}

/** Delivery attempts Pub/Sub allows before dead-lettering (check #3). */
const ATTEMPTS = PUBSUB_LIMITS.maxDeliveryAttempts;
const ATTEMPTS_RANGE = `${ATTEMPTS.min}–${ATTEMPTS.max}`;

/**
 * Message retention bounds of check #4: from Pub/Sub's minimum to the check's 30 days (above
 * Pub/Sub's own 7-day subscription maximum, which the Pipeline component enforces).
 */
const RETENTION_SECONDS = { min: PUBSUB_LIMITS.messageRetentionSeconds.min, max: 30 * 86_400 };

export const pubsubRules: Array<AvaloResourcePolicy | AvaloStackPolicy> = [
  resourceRule({
    name: "pubsub-subscription-dead-letter-policy",
    checks: [3],
    requirement: `Every subscription has a dead-letter policy with ${ATTEMPTS_RANGE} delivery attempts.`,
    enforcementLevel: "mandatory",
    exemptions: [
      {
        what: "dead-letter hold subscriptions (<topic>-dlq-hold on <topic>-dlq)",
        reason:
          "they are the dead-letter queue: messages wait there for `avalo dlq inspect|replay`, nothing acknowledges them by failing, and a dead-letter topic of their own would only move them again",
      },
    ],
    types: [SUBSCRIPTION],
    check: (props, flag) => {
      if (isHoldSubscription(props)) return;
      const attempts = at(props, "deadLetterPolicy.maxDeliveryAttempts");
      if (!at(props, "deadLetterPolicy.deadLetterTopic")) {
        flag(
          "deadLetterPolicy",
          props.deadLetterPolicy,
          "set deadLetterPolicy.deadLetterTopic to the topic's <topic>-dlq topic (Pipeline does).",
        );
      } else if (
        typeof attempts !== "number" ||
        attempts < ATTEMPTS.min ||
        attempts > ATTEMPTS.max
      ) {
        flag(
          "deadLetterPolicy.maxDeliveryAttempts",
          attempts,
          `set it to ${ATTEMPTS_RANGE} (the catalog's maxDeliveryAttempts).`,
        );
      }
    },
  }),
  resourceRule({
    name: "pubsub-subscription-message-retention",
    checks: [4],
    requirement: "Every subscription sets a message retention of 10 minutes to 30 days.",
    enforcementLevel: "mandatory",
    types: [SUBSCRIPTION],
    check: (props, flag) => {
      const retention = seconds(props.messageRetentionDuration);
      if (!(retention >= RETENTION_SECONDS.min && retention <= RETENTION_SECONDS.max)) {
        flag(
          "messageRetentionDuration",
          props.messageRetentionDuration,
          `set it to ${RETENTION_SECONDS.min}s–${RETENTION_SECONDS.max}s (the catalog's messageRetentionSeconds).`,
        );
      }
    },
  }),
  resourceRule({
    name: "pubsub-subscription-retry-policy",
    requirement: "Every subscription on a pipeline topic has an exponential-backoff retry policy.",
    enforcementLevel: "mandatory",
    types: [SUBSCRIPTION],
    check: (props, flag) => {
      if (!onPipelineTopic(props)) return;
      if (!at(props, "retryPolicy.minimumBackoff") || !at(props, "retryPolicy.maximumBackoff")) {
        flag(
          "retryPolicy",
          props.retryPolicy,
          "set retryPolicy.minimumBackoff and maximumBackoff from the pipeline catalog.",
        );
      }
    },
  }),
  stackRule({
    name: "pubsub-dead-letter-topic-exists",
    requirement:
      "A subscription's dead-letter topic is <topic>-dlq, declared in the same stack and project.",
    enforcementLevel: "mandatory",
    check: (args, report) => {
      const topics = args.resources.filter((r) => r.type === TOPIC);
      for (const sub of args.resources.filter((r) => r.type === SUBSCRIPTION)) {
        const dlq = at(sub.props, "deadLetterPolicy.deadLetterTopic");
        if (!dlq) continue;
        const expected = `${lastSegment(sub.props.topic)}-dlq`;
        const match = topics.find((t) => t.props.name === lastSegment(dlq));
        if (lastSegment(dlq) !== expected || !match || match.props.project !== sub.props.project) {
          report(
            `${sub.type} "${sub.name}": deadLetterPolicy.deadLetterTopic is ${JSON.stringify(dlq)}, ` +
              `which is not a topic named "${expected}" declared in project ${JSON.stringify(sub.props.project)}. ` +
              `Fix: point it at the pipeline's own -dlq topic (Pipeline does this).`,
            sub.urn,
          );
        }
      }
    },
  }),
  stackRule({
    name: "pubsub-dead-letter-agent-grants",
    requirement:
      "The Pub/Sub service agent may publish to each dead-letter topic and subscribe to each source subscription.",
    enforcementLevel: "mandatory",
    check: (args, report) => {
      const grants = (type: string, role: string, key: string) =>
        new Set(
          args.resources
            .filter(
              (r) =>
                r.type === type &&
                r.props.role === role &&
                PUBSUB_AGENT.test(String(r.props.member)),
            )
            .map((r) => lastSegment(r.props[key])),
        );
      const publishers = grants(TOPIC_IAM_MEMBER, "roles/pubsub.publisher", "topic");
      const subscribers = grants(
        SUBSCRIPTION_IAM_MEMBER,
        "roles/pubsub.subscriber",
        "subscription",
      );
      for (const sub of args.resources.filter((r) => r.type === SUBSCRIPTION)) {
        const dlq = lastSegment(at(sub.props, "deadLetterPolicy.deadLetterTopic"));
        if (!dlq) continue;
        if (!publishers.has(dlq)) {
          report(
            `${sub.type} "${sub.name}": dead-letter topic "${dlq}" has no roles/pubsub.publisher grant to the Pub/Sub service agent. ` +
              `Fix: add a TopicIAMMember for the agent (apis.serviceAgent("pubsub")); without it dead-lettering fails silently.`,
            sub.urn,
          );
        }
        if (!subscribers.has(lastSegment(sub.props.name))) {
          report(
            `${sub.type} "${sub.name}": subscription ${JSON.stringify(sub.props.name)} has no roles/pubsub.subscriber grant to the Pub/Sub service agent. ` +
              `Fix: add a SubscriptionIAMMember for the agent so it can forward dead letters.`,
            sub.urn,
          );
        }
      }
    },
  }),
  resourceRule({
    name: "pubsub-topic-cmek",
    checks: [1],
    requirement: "Pub/Sub topics are encrypted with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    types: [TOPIC],
    check: (props, flag) => {
      if (!props.kmsKeyName)
        flag(
          "kmsKeyName",
          props.kmsKeyName,
          "set kmsKeyName to the region's Pub/Sub CMEK key (Kms component).",
        );
    },
  }),
  resourceRule({
    name: "pubsub-message-storage-residency",
    requirement: "Topics restrict message storage to regions of the stack's geography.",
    enforcementLevel: "mandatory",
    types: [TOPIC],
    check: (props, flag, args, config) => {
      const geography = geographyOf(config, props);
      if (!geography) return args.notApplicable("no geography in policy config or labels");
      const regions = list(at(props, "messageStoragePolicy.allowedPersistenceRegions"));
      const outside = regions.filter((r) => !geography.allowedGcpRegions.includes(String(r)));
      if (regions.length === 0 || outside.length > 0) {
        flag(
          "messageStoragePolicy.allowedPersistenceRegions",
          regions.length === 0 ? undefined : regions,
          `list only regions of geography ${geography.id} (${allowedList(geography)}).`,
        );
      }
    },
  }),
  resourceRule({
    name: "pubsub-no-public-iam",
    checks: [2],
    requirement:
      "No Pub/Sub topic or subscription IAM grants allUsers or allAuthenticatedUsers, or an owner, editor or admin role.",
    enforcementLevel: "mandatory",
    types: IAM_TYPES,
    check: (props, flag) => {
      const found = publicMembers(props);
      if (found.length > 0) flag("member", found.join(", "), "grant named service accounts only.");
      const broad = rolesOf(props).filter(isBroadRole);
      if (broad.length > 0) {
        flag(
          "role",
          broad.join(", "),
          "grant roles/pubsub.publisher, roles/pubsub.subscriber or roles/pubsub.viewer (Pipeline.grantPublish).",
        );
      }
    },
  }),
  resourceRule({
    name: "pubsub-push-oidc",
    requirement:
      "Push subscriptions deliver over HTTPS with an OIDC token from a dedicated service account.",
    enforcementLevel: "mandatory",
    types: [SUBSCRIPTION],
    check: (props, flag) => {
      const push = props.pushConfig;
      if (!push) return;
      if (!at(push, "oidcToken.serviceAccountEmail")) {
        flag(
          "pushConfig.oidcToken.serviceAccountEmail",
          at(push, "oidcToken.serviceAccountEmail"),
          "set pushConfig.oidcToken with the pipeline's invoker service account.",
        );
      }
      const endpoint = at(push, "pushEndpoint");
      if (
        typeof endpoint === "string" &&
        endpoint !== "[unknown]" &&
        !endpoint.startsWith("https://")
      ) {
        flag("pushConfig.pushEndpoint", endpoint, "push to the consumer's https:// Cloud Run URL.");
      }
    },
  }),
];
