import { PIPELINES } from "../catalog/pipelines";
import type { RegionId } from "../topology";
import type { ServiceResource, ServiceSpec } from "../catalog/services";

/**
 * The deploy contract of every service bundle, in one place: how its container starts and which
 * environment variables it gets. The Service component gives Cloud Run exactly this, and the
 * local platform starts the same archives the same way, so `npm start` runs what Cloud Run runs.
 */
export const SERVICE_CONTAINER = {
  /**
   * Node.js major of the managed base image. Node.js 20 reached its end of life in April 2026;
   * 24 is the active LTS line with the longest support (to April 2028).
   */
  nodeMajor: 24,
  /** File at the archive root that the container starts. */
  entryFile: "index.js",
  /** Entrypoint, not run through a shell; `node` is on the base image's PATH. */
  command: ["node"],
  /** Arguments, relative to the archive root (the working directory). */
  args: ["index.js"],
  port: 8080,
  healthPath: "/healthz",
} as const;

/**
 * Google's managed Node.js base image (google-24-full stack) in `gcpRegion`: what the no-build
 * source deploy layers the archive on, and what automatic base-image updates patch.
 */
export function serviceBaseImage(gcpRegion: string): string {
  const major = SERVICE_CONTAINER.nodeMajor;
  return `${gcpRegion}-docker.pkg.dev/serverless-runtimes/google-${major}-full/runtimes/nodejs${major}`;
}

/** Variables read from Secret Manager rather than set in the clear: the cache's AUTH and CA. */
export const SERVICE_SECRET_VARIABLES = ["REDIS_PASSWORD", "REDIS_TLS_CA"] as const;

/** A variable read from Secret Manager. */
export type SecretVariable = (typeof SERVICE_SECRET_VARIABLES)[number];

/** The secret variables of one service: the cache's, for the services that use `redis`. */
export function serviceSecretVariables(spec: ServiceSpec): readonly SecretVariable[] {
  return spec.uses.includes("redis") ? SERVICE_SECRET_VARIABLES : [];
}

/**
 * The secrets of one service, picked from `values` (Secret Manager references on Cloud Run, the
 * local values on the local platform): those of {@link serviceSecretVariables}.
 */
export function serviceSecrets<T>(
  spec: ServiceSpec,
  values: Readonly<Record<SecretVariable, T>>,
): Record<string, T> {
  return Object.fromEntries(serviceSecretVariables(spec).map((v) => [v, values[v]]));
}

/** Environment variable holding the push identity the service accepts for its pipeline. */
export const PUSH_INVOKER_VARIABLE = "AVALO_PUSH_INVOKER_EMAIL";

/**
 * Where a service's variables get their values: deployed resources for Cloud Run (values of type
 * `T`, e.g. Pulumi outputs), local processes for the local platform.
 */
export interface ServiceEnvSources<T> {
  readonly region: RegionId;
  readonly geography: string;
  readonly environment: string;
  readonly project: string;
  /** `google-oidc` on Cloud Run, `local` on the local platform. */
  readonly auth: "google-oidc" | "local";
  /** URL of a service in this region: the service's own (its ID-token audience) and its callees'. */
  readonly serviceUrl: (service: string) => T;
  readonly redis: { readonly host: T; readonly port: T; readonly tls: boolean };
  /** Email of the push subscription's invoker account of a pipeline. */
  readonly pushInvoker: (pipeline: string) => T;
  /** BigQuery dataset id (Cloud Run) or the local NDJSON directory standing in for it. */
  readonly analytics: { readonly dataset: T } | { readonly ndjsonDir: string };
  /** Media bucket (Cloud Run) or the local directory standing in for it. */
  readonly media: { readonly bucket: T } | { readonly dir: string };
  /**
   * Where clients upload media with a signed policy: the media bucket (Cloud Run, signed through
   * IAM signBlob), or the local upload endpoint with the key of the run.
   */
  readonly uploads:
    | { readonly bucket: T }
    | { readonly bucket: string; readonly url: string; readonly signerKeyFile: string };
  /** Vertex AI in the service's region (Cloud Run) or the local stub model. */
  readonly ai: { readonly vertexLocation: string } | "local";
  /** Firebase Cloud Messaging (Cloud Run) or pushes recorded in Firestore (local). */
  readonly notifications: "fcm" | "recorded";
}

/**
 * The plain environment of one service (secrets excluded: see {@link serviceSecretVariables}).
 * Throws if the service consumes more than one pipeline of `pipelines`: it has one push identity
 * variable, and a second pipeline's pushes would be refused and dead-lettered.
 */
export function serviceEnvironment<T>(
  spec: ServiceSpec,
  sources: ServiceEnvSources<T>,
  pipelines: readonly { readonly name: string; readonly consumer: string }[] = PIPELINES,
): Record<string, T | string> {
  const consumed = pipelines.filter((p) => p.consumer === spec.name);
  if (consumed.length > 1) {
    throw new Error(
      `service ${spec.name} consumes ${consumed.length} pipelines (${consumed.map((p) => p.name).join(", ")}), ` +
        `but a service accepts pushes from one invoker (${PUSH_INVOKER_VARIABLE}); ` +
        "give each pipeline its own consumer service",
    );
  }
  const env: Record<string, T | string> = {
    AVALO_REGION: sources.region,
    AVALO_GEOGRAPHY: sources.geography,
    AVALO_ENVIRONMENT: sources.environment,
    AVALO_AUTH: sources.auth,
    AVALO_SERVICE_URL: sources.serviceUrl(spec.name),
    GOOGLE_CLOUD_PROJECT: sources.project,
  };
  for (const pipeline of consumed) env[PUSH_INVOKER_VARIABLE] = sources.pushInvoker(pipeline.name);
  for (const use of spec.uses) Object.assign(env, RESOURCE_ENVIRONMENT[use](sources));
  return env;
}

type Variables<T> = Record<string, T | string>;

/**
 * The variables each platform resource of a service's `uses` adds, on Cloud Run and locally: the
 * environment half of the resource table (Geography holds the grant half, keyed the same way).
 */
const RESOURCE_ENVIRONMENT: {
  readonly [R in ServiceResource]: <T>(sources: ServiceEnvSources<T>) => Variables<T>;
} = {
  redis: <T>({ redis }: ServiceEnvSources<T>): Variables<T> => ({
    REDIS_HOST: redis.host,
    REDIS_PORT: redis.port,
    REDIS_TLS: String(redis.tls),
  }),
  "analytics-dataset": <T>({ analytics }: ServiceEnvSources<T>): Variables<T> =>
    "dataset" in analytics
      ? { ANALYTICS_DATASET: analytics.dataset }
      : { ANALYTICS_NDJSON_DIR: analytics.ndjsonDir },
  "media-bucket": <T>({ media }: ServiceEnvSources<T>): Variables<T> =>
    "bucket" in media ? { MEDIA_BUCKET: media.bucket } : { MEDIA_DIR: media.dir },
  "vertex-ai": <T>({ ai }: ServiceEnvSources<T>): Variables<T> =>
    ai === "local"
      ? { AI_PROVIDER: "local" }
      : { AI_PROVIDER: "vertex", AI_VERTEX_LOCATION: ai.vertexLocation },
  fcm: <T>({ notifications }: ServiceEnvSources<T>): Variables<T> => ({
    NOTIFICATION_PUSH_PROVIDER: notifications,
  }),
  "media-uploads": <T>({ uploads }: ServiceEnvSources<T>): Variables<T> =>
    "url" in uploads
      ? {
          MEDIA_UPLOAD_BUCKET: uploads.bucket,
          MEDIA_UPLOAD_URL: uploads.url,
          MEDIA_UPLOAD_SIGNER_KEY_FILE: uploads.signerKeyFile,
        }
      : { MEDIA_UPLOAD_BUCKET: uploads.bucket },
};
