import * as gcp from "@pulumi/gcp";

/**
 * Two small programs for the policy tests, run under the mock runtime: `compliantProgram` passes
 * every rule of the pack and `violatingProgram` breaks every rule at least once.
 */
const project = "avalo-us";
const labels = { app: "avalo", geography: "us", region: "us-east", env: "prod" };
const agent = "serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com";
const sa = "serviceAccount:ai-inference@avalo-us.iam.gserviceaccount.com";
const key = "projects/avalo-us/locations/us-east1/keyRings/avalo/cryptoKeys/pubsub";

export function compliantProgram(): unknown[] {
  const topic = new gcp.pubsub.Topic("topic", {
    project,
    name: "avalo-user-created",
    kmsKeyName: key,
    messageStoragePolicy: { allowedPersistenceRegions: ["us-east1", "us-west1"] },
    labels,
  });
  const dlq = new gcp.pubsub.Topic("dlq", {
    project,
    name: "avalo-user-created-dlq",
    kmsKeyName: key,
    messageStoragePolicy: { allowedPersistenceRegions: ["us-east1"] },
    labels,
  });
  const publisher = new gcp.pubsub.TopicIAMMember("dlq-publisher", {
    project,
    topic: dlq.name,
    role: "roles/pubsub.publisher",
    member: agent,
  });
  const sub = new gcp.pubsub.Subscription("push", {
    project,
    name: "avalo-user-created-us-east",
    topic: topic.id,
    deadLetterPolicy: { deadLetterTopic: dlq.id, maxDeliveryAttempts: 5 },
    retryPolicy: { minimumBackoff: "10s", maximumBackoff: "600s" },
    pushConfig: {
      pushEndpoint: "https://user-worker.a.run.app/pubsub/push",
      oidcToken: { serviceAccountEmail: "invoker@avalo-us.iam.gserviceaccount.com" },
    },
    labels,
  });
  const subscriber = new gcp.pubsub.SubscriptionIAMMember("subscriber", {
    project,
    subscription: sub.name,
    role: "roles/pubsub.subscriber",
    member: agent,
  });
  const service = new gcp.cloudrunv2.Service("service", {
    project,
    name: "ai-inference",
    location: "us-east1",
    ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY",
    deletionProtection: true,
    labels: { ...labels, service: "ai-inference" },
    template: {
      serviceAccount: "ai-inference@avalo-us.iam.gserviceaccount.com",
      timeout: "120s",
      scaling: { minInstanceCount: 0, maxInstanceCount: 50 },
      containers: [
        {
          image: "us-docker.pkg.dev/cloudrun/container/hello",
          resources: { limits: { memory: "8192Mi", cpu: "2" } },
          envs: [
            { name: "AVALO_AUTH", value: "google-oidc" },
            {
              name: "PROVIDER_API_KEY",
              valueSource: { secretKeyRef: { secret: "provider", version: "latest" } },
            },
          ],
        },
      ],
    },
  });
  const invoker = new gcp.cloudrunv2.ServiceIamMember("invoker", {
    project,
    location: "us-east1",
    name: service.name,
    role: "roles/run.invoker",
    member: "serviceAccount:invoker@avalo-us.iam.gserviceaccount.com",
  });
  const job = new gcp.cloudrunv2.Job("job", {
    project,
    name: "load-generator",
    location: "us-east1",
    deletionProtection: true,
    labels: { ...labels, purpose: "load-test" },
    template: {
      taskCount: 4,
      parallelism: 4,
      template: {
        serviceAccount: "load-generator-us-east@avalo-us.iam.gserviceaccount.com",
        maxRetries: 0,
        containers: [
          {
            image: "gcr.io/distroless/nodejs22-debian12",
            envs: [{ name: "AVALO_LOAD_URL", value: "https://staging.avalo.example" }],
          },
        ],
      },
    },
  });
  const jobRunner = new gcp.cloudrunv2.JobIamMember("job-runner", {
    project,
    location: "us-east1",
    name: job.name,
    role: "roles/run.invoker",
    member: "serviceAccount:load-tester@avalo-us.iam.gserviceaccount.com",
  });
  const redis = new gcp.redis.Instance("redis", {
    project,
    name: "avalo-us-east",
    region: "us-east1",
    tier: "STANDARD_HA",
    memorySizeGb: 5,
    authEnabled: true,
    transitEncryptionMode: "SERVER_AUTHENTICATION",
    customerManagedKey: key,
    labels,
  });
  const dataset = new gcp.bigquery.Dataset("dataset", {
    project,
    datasetId: "avalo_us",
    location: "US",
    defaultEncryptionConfiguration: { kmsKeyName: key },
    labels,
  });
  const datasetReader = new gcp.bigquery.DatasetIamMember("dataset-reader", {
    project,
    datasetId: "avalo_us",
    role: "roles/bigquery.dataViewer",
    member: sa,
  });
  const table = new gcp.bigquery.Table("table", {
    project,
    datasetId: "avalo_us",
    tableId: "events",
    deletionProtection: true,
    encryptionConfiguration: { kmsKeyName: key },
    timePartitioning: { type: "DAY", field: "occurred_at" },
    labels,
  });
  const tableReader = new gcp.bigquery.IamMember("table-reader", {
    project,
    datasetId: "avalo_us",
    tableId: "events",
    role: "roles/bigquery.dataViewer",
    member: sa,
  });
  const projectGrant = new gcp.projects.IAMMember("datastore-user", {
    project,
    role: "roles/datastore.user",
    member: sa,
  });
  const account = new gcp.serviceaccount.Account("account", { project, accountId: "ai-inference" });
  const ring = new gcp.kms.KeyRing("ring", { project, name: "avalo", location: "us-east1" });
  const cryptoKey = new gcp.kms.CryptoKey(
    "key",
    {
      name: "pubsub",
      keyRing: ring.id,
      purpose: "ENCRYPT_DECRYPT",
      rotationPeriod: "7776000s",
      deletionPolicy: "PREVENT",
      labels,
    },
    { protect: true },
  );
  const keyUser = new gcp.kms.CryptoKeyIAMMember("key-user", {
    cryptoKeyId: cryptoKey.id,
    role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
    member: agent,
  });
  const database = new gcp.firestore.Database("database", {
    project,
    name: "(default)",
    locationId: "nam5",
    type: "FIRESTORE_NATIVE",
    pointInTimeRecoveryEnablement: "POINT_IN_TIME_RECOVERY_ENABLED",
    deleteProtectionState: "DELETE_PROTECTION_ENABLED",
  });
  const appCheck = new gcp.firebase.AppCheckServiceConfig("firestore-app-check", {
    project,
    serviceId: "firestore.googleapis.com",
    enforcementMode: "ENFORCED",
  });
  const media = new gcp.storage.Bucket("media", {
    project,
    name: "avalo-us-media",
    location: "us-east1",
    uniformBucketLevelAccess: true,
    publicAccessPrevention: "enforced",
    cors: [{ origins: ["https://us.avalo.app"], methods: ["POST"], maxAgeSeconds: 3600 }],
    labels,
  });
  return [
    topic,
    dlq,
    publisher,
    sub,
    subscriber,
    service,
    invoker,
    job,
    jobRunner,
    redis,
    dataset,
    datasetReader,
    table,
    tableReader,
    projectGrant,
    account,
    ring,
    cryptoKey,
    keyUser,
    database,
    appCheck,
    media,
  ];
}

export function violatingProgram(): unknown[] {
  const topic = new gcp.pubsub.Topic("bad-topic", {
    project,
    name: "avalo-match-created",
    messageStoragePolicy: { allowedPersistenceRegions: ["europe-west1"] },
  });
  const noPolicies = new gcp.pubsub.Subscription("bad-sub", {
    project,
    name: "avalo-match-created-us-east",
    topic: topic.id,
    pushConfig: { pushEndpoint: "http://match-worker.internal/pubsub/push" },
    labels,
  });
  const wrongDlq = new gcp.pubsub.Subscription("bad-dlq-sub", {
    project,
    name: "avalo-match-created-us-west",
    topic: topic.id,
    deadLetterPolicy: {
      deadLetterTopic: "projects/avalo-us/topics/elsewhere",
      maxDeliveryAttempts: 3,
    },
    retryPolicy: { minimumBackoff: "10s", maximumBackoff: "600s" },
    labels,
  });
  const publicTopic = new gcp.pubsub.TopicIAMMember("public-topic", {
    project,
    topic: topic.name,
    role: "roles/pubsub.publisher",
    member: "allUsers",
  });
  const service = new gcp.cloudrunv2.Service("bad-service", {
    project,
    name: "ai-inference",
    location: "us-east1",
    ingress: "INGRESS_TRAFFIC_ALL",
    labels: { ...labels, service: "ai-inference" },
    template: {
      serviceAccount: "123456789012-compute@developer.gserviceaccount.com",
      timeout: "900s",
      containers: [
        {
          image: "us-docker.pkg.dev/cloudrun/container/hello",
          resources: { limits: { memory: "16Gi" } },
          envs: [{ name: "PROVIDER_API_KEY", value: "AIzaSyA-plain-key-in-env-0123456789" }],
        },
      ],
    },
  });
  const publicInvoker = new gcp.cloudrunv2.ServiceIamMember("public-invoker", {
    project,
    location: "us-east1",
    name: service.name,
    role: "roles/run.invoker",
    member: "allUsers",
  });
  const redis = new gcp.redis.Instance("bad-redis", {
    project,
    name: "avalo-bad",
    region: "europe-west1",
    tier: "BASIC",
    memorySizeGb: 1,
    authEnabled: false,
    transitEncryptionMode: "DISABLED",
    labels,
  });
  // Priced (Basic M1 in us-central1: 4 GB x 730 h), so the budget rule has a cost to exceed.
  const pricey = new gcp.redis.Instance("pricey-redis", {
    project,
    name: "avalo-pricey",
    region: "us-central1",
    tier: "BASIC",
    memorySizeGb: 4,
    authEnabled: true,
    transitEncryptionMode: "SERVER_AUTHENTICATION",
    labels,
  });
  const dataset = new gcp.bigquery.Dataset("bad-dataset", {
    project,
    datasetId: "avalo_bad",
    location: "US",
    accesses: [{ role: "READER", specialGroup: "allAuthenticatedUsers" }],
    labels,
  });
  const datasetPublic = new gcp.bigquery.DatasetIamMember("public-dataset", {
    project,
    datasetId: "avalo_bad",
    role: "roles/bigquery.dataViewer",
    member: "allUsers",
  });
  const table = new gcp.bigquery.Table("bad-table", {
    project,
    datasetId: "avalo_bad",
    tableId: "events",
    deletionProtection: false,
    labels,
  });
  const tablePublic = new gcp.bigquery.IamMember("public-table", {
    project,
    datasetId: "avalo_bad",
    tableId: "events",
    role: "roles/bigquery.dataViewer",
    member: "allAuthenticatedUsers",
  });
  const grants = [
    "roles/editor",
    "roles/iam.serviceAccountUser",
    "roles/iam.serviceAccountTokenCreator",
  ].map(
    (role) =>
      new gcp.projects.IAMMember(`project-${role.split("/")[1].replace(/\./g, "-")}`, {
        project,
        role,
        member: sa,
      }),
  );
  const saKey = new gcp.serviceaccount.Key("sa-key", {
    serviceAccountId:
      "projects/avalo-us/serviceAccounts/ai-inference@avalo-us.iam.gserviceaccount.com",
  });
  const cryptoKey = new gcp.kms.CryptoKey("bad-key", {
    name: "pubsub",
    keyRing: "projects/avalo-us/locations/us-east1/keyRings/avalo",
    purpose: "ENCRYPT_DECRYPT",
    rotationPeriod: "31536000s",
    deletionPolicy: "DELETE",
    labels,
  });
  const keyPublic = new gcp.kms.CryptoKeyIAMMember("public-key", {
    cryptoKeyId: cryptoKey.id,
    role: "roles/cloudkms.cryptoKeyDecrypter",
    member: "allUsers",
  });
  const job = new gcp.cloudrunv2.Job("bad-job", {
    project,
    name: "load-generator",
    location: "europe-west1",
    template: {
      template: {
        serviceAccount: "123456789012-compute@developer.gserviceaccount.com",
        containers: [
          {
            image: "gcr.io/distroless/nodejs22-debian12",
            envs: [{ name: "LOAD_API_TOKEN", value: "plain-token" }],
          },
        ],
      },
    },
  });
  const publicRunner = new gcp.cloudrunv2.JobIamMember("public-job-runner", {
    project,
    location: "us-east1",
    name: job.name,
    role: "roles/run.invoker",
    member: "allAuthenticatedUsers",
  });
  const database = new gcp.firestore.Database("bad-database", {
    project,
    name: "(default)",
    locationId: "nam5",
    type: "FIRESTORE_NATIVE",
    pointInTimeRecoveryEnablement: "POINT_IN_TIME_RECOVERY_DISABLED",
    deleteProtectionState: "DELETE_PROTECTION_DISABLED",
  });
  const appCheck = new gcp.firebase.AppCheckServiceConfig("monitor-only-app-check", {
    project,
    serviceId: "firestore.googleapis.com",
    enforcementMode: "UNENFORCED",
  });
  const openCors = new gcp.storage.Bucket("open-cors-bucket", {
    project,
    name: "avalo-us-open",
    location: "us-east1",
    uniformBucketLevelAccess: true,
    publicAccessPrevention: "enforced",
    cors: [{ origins: ["*", "http://us.avalo.app"], methods: ["POST"] }],
    labels,
  });
  return [
    topic,
    noPolicies,
    wrongDlq,
    publicTopic,
    service,
    publicInvoker,
    redis,
    pricey,
    dataset,
    datasetPublic,
    table,
    tablePublic,
    ...grants,
    saKey,
    cryptoKey,
    keyPublic,
    job,
    publicRunner,
    database,
    appCheck,
    openCors,
  ];
}
