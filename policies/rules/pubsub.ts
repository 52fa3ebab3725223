import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { PIPELINES } from "../../runtime/catalog/pipelines";
import { at, lastSegment, list, publicMembers, resourceRule, stackRule } from "./define";
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

export const pubsubRules: Array<ResourceValidationPolicy | StackValidationPolicy> = [
  resourceRule({
    name: "pubsub-subscription-dead-letter-policy",
    control: "Avalo",
    requirement:
      "Every subscription on a pipeline topic has a dead-letter policy with 5–100 attempts.",
    enforcementLevel: "mandatory",
    types: [SUBSCRIPTION],
    check: (props, flag) => {
      if (!onPipelineTopic(props)) return;
      const attempts = at(props, "deadLetterPolicy.maxDeliveryAttempts");
      if (!at(props, "deadLetterPolicy.deadLetterTopic")) {
        flag(
          "deadLetterPolicy",
          props.deadLetterPolicy,
          "set deadLetterPolicy.deadLetterTopic to the pipeline's <topic>-dlq topic.",
        );
      } else if (typeof attempts !== "number" || attempts < 5 || attempts > 100) {
        flag(
          "deadLetterPolicy.maxDeliveryAttempts",
          attempts,
          "set it to 5–100 (the catalog's maxDeliveryAttempts).",
        );
      }
    },
  }),
  resourceRule({
    name: "pubsub-subscription-retry-policy",
    control: "Avalo",
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
    control: "Avalo",
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
    control: "Avalo",
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
    control: "CKV_GCP_83",
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
    control: "Avalo",
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
    control: "CKV_GCP_99",
    requirement: "No Pub/Sub topic or subscription IAM grants allUsers or allAuthenticatedUsers.",
    enforcementLevel: "mandatory",
    types: IAM_TYPES,
    check: (props, flag) => {
      const found = publicMembers(props);
      if (found.length > 0) flag("member", found.join(", "), "grant named service accounts only.");
    },
  }),
  resourceRule({
    name: "pubsub-push-oidc",
    control: "Avalo",
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
