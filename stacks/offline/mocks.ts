import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { PlanResource, PlanResourceOptions } from "../../plan/record";

/**
 * Runs Pulumi programs offline under the SDK's own mock runtime and records every resource they
 * register: type, name, URN, parent, inputs, dependencies and resource options. Used by the unit tests of the
 * components and stacks and by the offline preview.
 */

/**
 * A storage object generation that, like GCP's, differs for every object written: derived from
 * the object's path (which holds its content hash), so plans stay deterministic.
 */
function mockGeneration(path: string): number {
  return (
    1_700_000_000_000_000 +
    (parseInt(createHash("sha256").update(path).digest("hex").slice(0, 12), 16) % 1_000_000_000_000)
  );
}

/** A project number the mocks hand out wherever GCP would compute one. */
export const MOCK_PROJECT_NUMBER = "123456789012";

type State = Record<string, unknown>;

function str(v: unknown, fallback: string): string {
  return typeof v === "string" && v.length > 0 ? v : fallback;
}

/**
 * Computed outputs that GCP fills in and that programs read (emails, URLs, hosts). Everything
 * else echoes the inputs.
 */
const COMPUTED: Record<string, (name: string, inputs: State) => State> = {
  "gcp:serviceaccount/account:Account": (name, i) => {
    const project = str(i.project, "mock-project");
    const email = `${str(i.accountId, name)}@${project}.iam.gserviceaccount.com`;
    return { email, member: `serviceAccount:${email}`, uniqueId: `1${name.length}0000` };
  },
  "gcp:cloudrunv2/service:Service": (name, i) => ({
    uri: `https://${str(i.name, name)}-mock-${str(i.location, "region")}.a.run.app`,
  }),
  "gcp:redis/instance:Instance": (name) => ({
    host: `10.10.0.${(name.length % 200) + 3}`,
    port: 6378,
    serverCaCerts: [{ cert: "-----BEGIN CERTIFICATE-----\nMOCK\n-----END CERTIFICATE-----" }],
    authString: "mock-auth-string",
  }),
  "gcp:pubsub/topic:Topic": (name, i) => ({
    id: `projects/${str(i.project, "mock-project")}/topics/${str(i.name, name)}`,
  }),
  "gcp:pubsub/subscription:Subscription": (name, i) => ({
    id: `projects/${str(i.project, "mock-project")}/subscriptions/${str(i.name, name)}`,
  }),
  "gcp:kms/keyRing:KeyRing": (name, i) => ({
    id: `projects/${str(i.project, "mock-project")}/locations/${str(i.location, "global")}/keyRings/${str(i.name, name)}`,
  }),
  "gcp:kms/cryptoKey:CryptoKey": (name, i) => ({
    id: `${str(i.keyRing, "keyRing")}/cryptoKeys/${str(i.name, name)}`,
  }),
  "gcp:secretmanager/secret:Secret": (name, i) => ({
    name: `projects/${MOCK_PROJECT_NUMBER}/secrets/${str(i.secretId, name)}`,
  }),
  "docker-build:index:Image": (name, i) => {
    const digest = `sha256:${createHash("sha256")
      .update(JSON.stringify([i.context, i.dockerfile, i.platforms]))
      .digest("hex")}`;
    const tag = Array.isArray(i.tags) && typeof i.tags[0] === "string" ? i.tags[0] : name;
    return { digest, ref: `${tag.split(":")[0]}@${digest}`, contextHash: digest.slice(7) };
  },
  "gcp:storage/bucketObject:BucketObject": (name, i) => ({
    generation: mockGeneration(`${str(i.bucket, "bucket")}/${str(i.name, name)}`),
  }),
  "gcp:secretmanager/secretVersion:SecretVersion": (_name, i) => ({
    version: "1",
    name: `${str(i.secret, "secret")}/versions/1`,
  }),
  "gcp:projects/serviceIdentity:ServiceIdentity": (_name, i) => ({
    email: `service-${MOCK_PROJECT_NUMBER}@gcp-sa-${str(i.service, "svc").split(".")[0]}.iam.gserviceaccount.com`,
    member: `serviceAccount:service-${MOCK_PROJECT_NUMBER}@gcp-sa-${str(i.service, "svc").split(".")[0]}.iam.gserviceaccount.com`,
  }),
  "gcp:compute/network:Network": (name, i) => ({
    selfLink: `https://www.googleapis.com/compute/v1/projects/${str(i.project, "mock-project")}/global/networks/${str(i.name, name)}`,
  }),
  "gcp:compute/subnetwork:Subnetwork": (name, i) => ({
    selfLink: `https://www.googleapis.com/compute/v1/projects/${str(i.project, "mock-project")}/regions/${str(i.region, "region")}/subnetworks/${str(i.name, name)}`,
  }),
  "gcp:bigquery/dataset:Dataset": (name, i) => ({
    id: `projects/${str(i.project, "mock-project")}/datasets/${str(i.datasetId, name)}`,
  }),
  "gcp:logging/projectSink:ProjectSink": () => ({
    writerIdentity: `serviceAccount:service-${MOCK_PROJECT_NUMBER}@gcp-sa-logging.iam.gserviceaccount.com`,
  }),
  "gcp:firebase/androidApp:AndroidApp": (name) => ({
    appId: `1:${MOCK_PROJECT_NUMBER}:android:${name.length}0a1b2c3d`,
  }),
  "gcp:firebase/appleApp:AppleApp": (name) => ({
    appId: `1:${MOCK_PROJECT_NUMBER}:ios:${name.length}0a1b2c3d`,
  }),
  "gcp:firebase/webApp:WebApp": (name) => ({
    appId: `1:${MOCK_PROJECT_NUMBER}:web:${name.length}0a1b2c3d`,
  }),
  "gcp:recaptcha/enterpriseKey:EnterpriseKey": (name) => ({
    name: `6Lmock${name.length}AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`,
  }),
  "gcp:monitoring/notificationChannel:NotificationChannel": (name, i) => ({
    name: `projects/${str(i.project, "mock-project")}/notificationChannels/${name.length}0`,
  }),
};

/** Answers for data-source invokes that programs make. */
const INVOKES: Record<string, (inputs: State) => State> = {
  "gcp:organizations/getProject:getProject": (i) => ({
    projectId: str(i.projectId, "mock-project"),
    number: MOCK_PROJECT_NUMBER,
    name: str(i.projectId, "mock-project"),
  }),
  "gcp:bigquery/getDefaultServiceAccount:getDefaultServiceAccount": () => ({
    email: `bq-${MOCK_PROJECT_NUMBER}@bigquery-encryption.iam.gserviceaccount.com`,
    member: `serviceAccount:bq-${MOCK_PROJECT_NUMBER}@bigquery-encryption.iam.gserviceaccount.com`,
  }),
  "gcp:organizations/getClientConfig:getClientConfig": () => ({
    accessToken: "mock-access-token",
    project: "mock-project",
  }),
  "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": () => ({
    emailAddress: `service-${MOCK_PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com`,
    member: `serviceAccount:service-${MOCK_PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com`,
  }),
};

class RecordingMocks implements pulumi.runtime.Mocks {
  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const computed = COMPUTED[args.type]?.(args.name, args.inputs as State) ?? {};
    const state: State = { name: args.name, ...args.inputs, ...computed };
    return { id: str(computed.id, `${args.name}-id`), state };
  }

  call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
    const answer = INVOKES[args.token];
    if (!answer) throw new Error(`offline mocks have no answer for invoke ${args.token}`);
    return answer(args.inputs as State);
  }
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): {
    forEach(fn: (value: { getUrnsList(): string[] }, key: string) => void): void;
  };
  getProtect(): boolean | undefined;
  getIgnorechangesList(): string[];
  getRetainondelete(): boolean | undefined;
  getDeletebeforereplace(): boolean;
  getReplaceonchangesList(): string[];
  getDeletedwith(): string;
  getAdditionalsecretoutputsList(): string[];
}

interface RegisterResponse {
  getUrn(): string;
}

type RegisterFn = (
  req: RegisterRequest,
  callback: (err: unknown, res?: RegisterResponse) => void,
) => Promise<void>;

export interface OfflineRunOptions {
  readonly project: string;
  readonly stack: string;
  /** Stack config as `namespace:key` → value (objects are JSON-encoded). */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Config keys to mark secret. */
  readonly secretKeys?: readonly string[];
}

/** Result of running a program under the mocks. */
export interface OfflineRun<T> {
  readonly resources: readonly PlanResource[];
  readonly result: T;
}

/**
 * Sets the mock runtime up for one program run: config, project and stack names, and a recorder
 * around the mock monitor. Returns the list that fills as resources register.
 */
async function installMocks(options: OfflineRunOptions): Promise<PlanResource[]> {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.config ?? {})) {
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  pulumi.runtime.setAllConfig(config, [...(options.secretKeys ?? [])]);
  const mocks = new RecordingMocks();
  await pulumi.runtime.setMocks(mocks, options.project, options.stack, true);
  const recorded: PlanResource[] = [];
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: RegisterFn };
  const inner = monitor.registerResource.bind(monitor);
  monitor.registerResource = async (req, callback) => {
    await inner(req, (err, res) => {
      if (!err && res) recorded.push(record(req, res.getUrn()));
      callback(err, res);
    });
  };
  return recorded;
}

function record(req: RegisterRequest, urn: string): PlanResource {
  const propertyDependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((value, key) => {
    propertyDependencies[key] = [...value.getUrnsList()].sort();
  });
  return {
    urn,
    type: req.getType(),
    name: req.getName(),
    custom: req.getCustom(),
    parent: req.getParent(),
    inputs: inputsOf(req),
    dependencies: [...new Set(req.getDependenciesList())].sort(),
    propertyDependencies,
    options: optionsOf(req),
  };
}

function optionsOf(req: RegisterRequest): PlanResourceOptions {
  return {
    protect: req.getProtect() === true,
    ignoreChanges: [...req.getIgnorechangesList()].sort(),
    retainOnDelete: req.getRetainondelete() === true,
    deleteBeforeReplace: req.getDeletebeforereplace(),
    replaceOnChanges: [...req.getReplaceonchangesList()].sort(),
    deletedWith: req.getDeletedwith(),
    additionalSecretOutputs: [...req.getAdditionalsecretoutputsList()].sort(),
  };
}

function inputsOf(req: RegisterRequest): Record<string, unknown> {
  const withObject = req as unknown as { getObject(): { toJavaScript(): Record<string, unknown> } };
  const raw = withObject.getObject().toJavaScript();
  return unwrapSecrets(raw);
}

const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Replaces serialized secrets with their plaintext marked `[secret]` and unknowns with a tag. */
function unwrapSecrets(value: unknown): Record<string, unknown> {
  const walk = (v: unknown): unknown => {
    if (v === UNKNOWN) return "[unknown]";
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (o[SIG_KEY] === SECRET_SIG) return "[secret]";
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return walk(value) as Record<string, unknown>;
}

/**
 * Runs `program` under the mocks and waits until every resource it registered has resolved.
 * The Pulumi runtime is global to a process: run one program per process, or run them one
 * after another (never concurrently).
 */
export async function runOffline<T>(
  options: OfflineRunOptions,
  program: () => T | Promise<T>,
): Promise<OfflineRun<T>> {
  const resources = await installMocks(options);
  const result = await program();
  await settle(result);
  await waitForRpcs();
  return { resources, result };
}

/** Waits until the SDK's queue of registrations to the (mock) monitor has drained. */
async function waitForRpcs(): Promise<void> {
  // waitForRPCs is exported by the SDK's settings module but stripped from its typings.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
  await settings.waitForRPCs();
}

/** Resolves every Output reachable from `value` so that registration has finished. */
async function settle(value: unknown): Promise<void> {
  const pending: Promise<unknown>[] = [];
  const seen = new Set<unknown>();
  const walk = (v: unknown) => {
    if (v === null || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    if (pulumi.Output.isInstance(v)) {
      pending.push(outputPromise(v));
      return;
    }
    if (pulumi.Resource.isInstance(v)) {
      pending.push(outputPromise(v.urn));
      for (const [key, x] of Object.entries(v)) if (!key.startsWith("__")) walk(x);
      return;
    }
    for (const x of Object.values(v as Record<string, unknown>)) walk(x);
  };
  walk(value);
  await Promise.all(pending);
}

/** An Output's value, resolving (to undefined) even when the value is unknown in preview. */
function outputPromise(o: pulumi.Output<unknown>): Promise<unknown> {
  // `promise(withUnknowns)` is the SDK's internal accessor; apply() never fires for unknowns.
  return (o as unknown as { promise(withUnknowns: boolean): Promise<unknown> }).promise(true);
}
