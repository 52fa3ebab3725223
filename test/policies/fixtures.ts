import * as dockerBuild from "@pulumi/docker-build";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/**
 * Two small programs for the policy tests, run under the mock runtime: `compliantProgram` passes
 * every rule of the pack and `violatingProgram` breaks every rule at least once.
 */
const project = "avalo-us";
const labels = { app: "avalo", geography: "us", region: "us-east", env: "prod" };
const agent = "serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com";
const sa = "serviceAccount:ai-inference@avalo-us.iam.gserviceaccount.com";
const key = "projects/avalo-us/locations/us-east1/keyRings/avalo/cryptoKeys/pubsub";
const dlpAgent = "serviceAccount:service-123456789012@dlp-api.iam.gserviceaccount.com";

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
    messageRetentionDuration: "604800s",
    pushConfig: {
      pushEndpoint: "https://user-worker.a.run.app/pubsub/push",
      oidcToken: { serviceAccountEmail: "invoker@avalo-us.iam.gserviceaccount.com" },
    },
    labels,
  });
  // The named exemption of pubsub-subscription-dead-letter-policy: no dead-letter policy of its own.
  const hold = new gcp.pubsub.Subscription("hold", {
    project,
    name: "avalo-user-created-dlq-hold",
    topic: dlq.id,
    messageRetentionDuration: "604800s",
    labels,
  });
  const subscriber = new gcp.pubsub.SubscriptionIAMMember("subscriber", {
    project,
    subscription: sub.name,
    role: "roles/pubsub.subscriber",
    member: agent,
  });
  const bundle = new gcp.storage.BucketObject("bundle", {
    bucket: "avalo-us-bundles",
    name: `ai-inference/${"a".repeat(64)}.tar.gz`,
    source: new pulumi.asset.StringAsset("archive"),
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
          image: "scratch",
          baseImageUri:
            "us-east1-docker.pkg.dev/serverless-runtimes/google-24-full/runtimes/nodejs24",
          sourceCode: {
            cloudStorageSource: { bucket: bundle.bucket, object: bundle.name, generation: "1" },
          },
          commands: ["node"],
          args: ["index.js"],
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
  const repository = new gcp.artifactregistry.Repository("artifacts", {
    project,
    location: "us-east1",
    repositoryId: "avalo-images",
    format: "DOCKER",
    labels,
  });
  const image = new dockerBuild.Image("job-image", {
    push: true,
    tags: ["us-east1-docker.pkg.dev/avalo-us/avalo-images/load-generator:aaaa"],
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
            image: `us-east1-docker.pkg.dev/avalo-us/avalo-images/load-generator@sha256:${"b".repeat(64)}`,
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
    defaultPartitionExpirationMs: 400 * 86_400_000,
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
  const fcmRole = new gcp.projects.IAMCustomRole("fcm-role", {
    project,
    roleId: "avaloFcmSender",
    title: "Avalo FCM sender",
    permissions: ["cloudmessaging.messages.create"],
  });
  const fcmGrant = new gcp.projects.IAMMember("fcm-sender", {
    project,
    role: "projects/avalo-us/roles/avaloFcmSender",
    member: sa,
  });
  const ring = new gcp.kms.KeyRing("ring", { project, name: "avalo", location: "us-east1" });
  const cryptoKey = new gcp.kms.CryptoKey(
    "key",
    {
      name: "pubsub",
      keyRing: ring.id,
      purpose: "ENCRYPT_DECRYPT",
      rotationPeriod: "7776000s",
      destroyScheduledDuration: "2592000s",
      versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" },
      deletionPolicy: "PREVENT",
      labels: { ...labels, purpose: "pubsub" },
    },
    { protect: true },
  );
  const globalRing = new gcp.kms.KeyRing("global-ring", {
    project,
    name: "avalo-us-global",
    location: "global",
  });
  const globalKey = new gcp.kms.CryptoKey(
    "global-key",
    {
      name: "pubsub",
      keyRing: "projects/avalo-us/locations/global/keyRings/avalo-us-global",
      purpose: "ENCRYPT_DECRYPT",
      rotationPeriod: "7776000s",
      destroyScheduledDuration: "2592000s",
      versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" },
      deletionPolicy: "PREVENT",
      labels: { ...labels, purpose: "pubsub" },
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
  const backups = new gcp.firestore.BackupSchedule("backups", {
    project,
    database: "(default)",
    retention: "604800s",
    dailyRecurrence: {},
  });
  const secret = new gcp.secretmanager.Secret("secret", {
    project,
    secretId: "redis-auth",
    replication: {
      userManaged: {
        replicas: [{ location: "us-east1", customerManagedEncryption: { kmsKeyName: key } }],
      },
    },
    labels,
  });
  const secretVersion = new gcp.secretmanager.SecretVersion("secret-version", {
    secret: secret.id,
    secretData: "generated-by-the-program",
  });
  const audits = ["firestore", "pubsub", "bigquery", "secretmanager"].map(
    (service) =>
      new gcp.projects.IAMAuditConfig(`audit-${service}`, {
        project,
        service: `${service}.googleapis.com`,
        auditLogConfigs: [{ logType: "DATA_READ" }, { logType: "DATA_WRITE" }],
      }),
  );
  const auditBucket = new gcp.logging.ProjectBucketConfig("audit-bucket", {
    project,
    location: "us-east1",
    bucketId: "avalo-cloud-audit",
    retentionDays: 400,
    locked: true,
  });
  const auditSink = new gcp.logging.ProjectSink("audit-sink", {
    project,
    name: "avalo-cloud-audit-to-locked-bucket",
    destination:
      "logging.googleapis.com/projects/avalo-us/locations/us-east1/buckets/avalo-cloud-audit",
    filter: 'logName:"cloudaudit.googleapis.com"',
  });
  const trail = new gcp.logging.OrganizationSink("org-trail", {
    orgId: "123456789",
    name: "avalo-us-audit-trail",
    destination:
      "logging.googleapis.com/projects/avalo-us/locations/us-east1/buckets/avalo-cloud-audit",
    filter: 'logName:"cloudaudit.googleapis.com"',
    includeChildren: true,
  });
  const orgServices = ["securitycenter", "websecurityscanner"].map(
    (api) =>
      new gcp.projects.Service(`service-${api}`, { project, service: `${api}.googleapis.com` }),
  );
  const bucketBase = {
    project,
    location: "US",
    uniformBucketLevelAccess: true,
    publicAccessPrevention: "enforced",
    versioning: { enabled: true },
    softDeletePolicy: { retentionDurationSeconds: 604800 },
    encryption: { defaultKmsKeyName: key },
    lifecycleRules: [{ action: { type: "Delete" }, condition: { age: 400 } }],
    labels,
  };
  const logBucket = new gcp.storage.Bucket("log-bucket", {
    ...bucketBase,
    name: "avalo-us-media-logs",
  });
  const bucket = new gcp.storage.Bucket("bucket", {
    ...bucketBase,
    name: "avalo-us-media",
    logging: { logBucket: "avalo-us-media-logs", logObjectPrefix: "avalo-us-media" },
    cors: [{ origins: ["https://us.avalo.app"], methods: ["POST"], maxAgeSeconds: 3600 }],
  });
  const bucketGrants = [
    [
      "log-writer",
      "avalo-us-media-logs",
      "roles/storage.objectCreator",
      "group:cloud-storage-analytics@google.com",
    ],
    ["media-rw", "avalo-us-media", "roles/storage.objectUser", sa],
    ["dlp-logs", "avalo-us-media-logs", "roles/storage.objectViewer", dlpAgent],
    ["dlp-media", "avalo-us-media", "roles/storage.objectViewer", dlpAgent],
  ].map(
    ([name, b, role, member]) => new gcp.storage.BucketIAMMember(name, { bucket: b, role, member }),
  );
  const network = new gcp.compute.Network("network", {
    project,
    name: "avalo-us",
    autoCreateSubnetworks: false,
  });
  const subnet = new gcp.compute.Subnetwork("subnet", {
    project,
    name: "avalo-us-east",
    region: "us-east1",
    network: network.id,
    ipCidrRange: "10.0.0.0/18",
    privateIpGoogleAccess: true,
    logConfig: { aggregationInterval: "INTERVAL_10_MIN", flowSampling: 0.5 },
  });
  const denyAll = new gcp.compute.Firewall("deny-all", {
    project,
    name: "avalo-us-deny-all-ingress",
    network: network.id,
    direction: "INGRESS",
    priority: 65534,
    denies: [{ protocol: "all" }],
    sourceRanges: ["0.0.0.0/0"],
    logConfig: { metadata: "INCLUDE_ALL_METADATA" },
  });
  const psa = new gcp.compute.GlobalAddress("psa", {
    project,
    name: "avalo-us-psa",
    purpose: "VPC_PEERING",
    addressType: "INTERNAL",
    prefixLength: 16,
    network: network.id,
  });
  const appCheck = new gcp.firebase.AppCheckServiceConfig("firestore-app-check", {
    project,
    serviceId: "firestore.googleapis.com",
    enforcementMode: "ENFORCED",
  });
  return [
    hold,
    fcmRole,
    fcmGrant,
    globalRing,
    globalKey,
    backups,
    secret,
    secretVersion,
    ...audits,
    auditBucket,
    auditSink,
    trail,
    ...orgServices,
    logBucket,
    bucket,
    ...bucketGrants,
    network,
    subnet,
    denyAll,
    psa,
    topic,
    dlq,
    publisher,
    sub,
    subscriber,
    bundle,
    service,
    invoker,
    repository,
    image,
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
  // Priced (Basic M3 in us-central1: 20 GB x 730 h x $0.023 = $335.80), so the budget rule
  // has a cost to exceed.
  const pricey = new gcp.redis.Instance("pricey-redis", {
    project,
    name: "avalo-pricey",
    region: "us-central1",
    tier: "BASIC",
    memorySizeGb: 20,
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
    "roles/iam.workloadIdentityUser",
    "roles/firebasecloudmessaging.admin",
  ].map(
    (role) =>
      new gcp.projects.IAMMember(`project-${role.split("/")[1].replace(/\./g, "-")}`, {
        project,
        role,
        member: sa,
      }),
  );
  const adminRole = new gcp.projects.IAMCustomRole("admin-role", {
    project,
    roleId: "avaloTooMuch",
    title: "Too much",
    permissions: ["cloudmessaging.messages.create", "resourcemanager.projects.setIamPolicy"],
  });
  const adminRoleGrant = new gcp.projects.IAMMember("admin-role-grant", {
    project,
    role: "projects/avalo-us/roles/avaloTooMuch",
    member: sa,
  });
  const defaultSaGrant = new gcp.projects.IAMMember("default-sa-grant", {
    project,
    role: "roles/datastore.user",
    member: "serviceAccount:123456789012-compute@developer.gserviceaccount.com",
  });
  const userGrant = new gcp.projects.IAMMember("user-grant", {
    project,
    role: "roles/datastore.viewer",
    member: "user:dev@avalo.app",
  });
  const genericAccount = new gcp.serviceaccount.Account("generic-account", {
    project,
    accountId: "default",
  });
  const topicEditor = new gcp.pubsub.TopicIAMMember("topic-editor", {
    project,
    topic: topic.name,
    role: "roles/pubsub.editor",
    member: sa,
  });
  const saKey = new gcp.serviceaccount.Key("sa-key", {
    serviceAccountId:
      "projects/avalo-us/serviceAccounts/ai-inference@avalo-us.iam.gserviceaccount.com",
  });
  const cryptoKey = new gcp.kms.CryptoKey("bad-key", {
    name: "pubsub",
    keyRing: "projects/avalo-us/locations/us-east1/keyRings/avalo",
    purpose: "ENCRYPT_DECRYPT",
    rotationPeriod: "31536000s",
    destroyScheduledDuration: "86400s",
    skipInitialVersionCreation: true,
    deletionPolicy: "DELETE",
    labels,
  });
  const keyAdmin = new gcp.kms.CryptoKeyIAMMember("key-admin", {
    cryptoKeyId: cryptoKey.id,
    role: "roles/cloudkms.admin",
    member: sa,
  });
  const destroyed = new gcp.kms.CryptoKeyVersion("destroyed-version", {
    cryptoKey: cryptoKey.id,
    state: "DESTROY_SCHEDULED",
  });
  const globalKey = new gcp.kms.CryptoKey("global-redis-key", {
    name: "redis",
    keyRing: "projects/avalo-us/locations/global/keyRings/avalo-us-global",
    rotationPeriod: "7776000s",
    labels: { ...labels, purpose: "redis" },
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
    concurrencyMode: "PESSIMISTIC",
  });
  const regionalDatabase = new gcp.firestore.Database("regional-database", {
    project,
    name: "regional",
    locationId: "us-east1",
    type: "DATASTORE_MODE",
  });
  const secret = new gcp.secretmanager.Secret("bad-secret", {
    project,
    secretId: "plain",
    replication: { userManaged: { replicas: [{ location: "us-east1" }] } },
    labels,
  });
  const channel = new gcp.monitoring.NotificationChannel("bad-channel", {
    project,
    type: "webhook_basicauth",
    labels: { url: "https://hooks.avalo.example", username: "ops", password: "hunter2" },
  });
  const bucket = new gcp.storage.Bucket("bad-bucket", {
    project,
    name: "avalo-us-bad",
    location: "us-east1",
    uniformBucketLevelAccess: false,
    website: { mainPageSuffix: "index.html" },
    logging: { logBucket: "avalo-us-bad" },
    labels: { ...labels, env: "dev" },
  });
  const bucketPublic = new gcp.storage.BucketIAMMember("public-bucket", {
    bucket: "avalo-us-bad",
    role: "roles/storage.objectViewer",
    member: "allUsers",
  });
  const bucketAdmin = new gcp.storage.BucketIAMMember("bucket-admin", {
    bucket: "avalo-us-bad",
    role: "roles/storage.admin",
    member: sa,
  });
  const network = new gcp.compute.Network("bad-network", { project, name: "avalo-bad" });
  const subnet = new gcp.compute.Subnetwork("bad-subnet", {
    project,
    name: "avalo-bad-east",
    region: "us-east1",
    network: network.id,
    ipCidrRange: "10.0.0.0/18",
  });
  const openFirewall = new gcp.compute.Firewall("open-firewall", {
    project,
    name: "avalo-bad-allow-ssh",
    network: network.id,
    allows: [{ protocol: "tcp", ports: ["22"] }],
    sourceRanges: ["0.0.0.0/0"],
  });
  const externalIp = new gcp.compute.GlobalAddress("external-ip", {
    project,
    name: "avalo-bad-ip",
  });
  const wrongSink = new gcp.logging.ProjectSink("unlocked-sink", {
    project,
    name: "avalo-cloud-audit-unlocked",
    destination: "logging.googleapis.com/projects/avalo-us/locations/us-east1/buckets/unlocked",
    filter: 'logName:"cloudaudit.googleapis.com"',
  });
  const unlocked = new gcp.logging.ProjectBucketConfig("unlocked-bucket", {
    project,
    location: "us-east1",
    bucketId: "unlocked",
    retentionDays: 30,
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
    adminRole,
    adminRoleGrant,
    defaultSaGrant,
    userGrant,
    genericAccount,
    topicEditor,
    keyAdmin,
    destroyed,
    globalKey,
    regionalDatabase,
    secret,
    channel,
    bucket,
    bucketPublic,
    bucketAdmin,
    network,
    subnet,
    openFirewall,
    externalIp,
    wrongSink,
    unlocked,
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
