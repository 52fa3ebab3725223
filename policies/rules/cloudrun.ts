import { DELETION_PROTECTION } from "../../runtime/catalog/limits";
import { SERVICES } from "../../runtime/catalog/services";
import {
  at,
  list,
  publicMembers,
  resourceRule,
  type AvaloResourcePolicy,
  type Props,
} from "./define";

const SERVICE = "gcp:cloudrunv2/service:Service";
const JOB = "gcp:cloudrunv2/job:Job";
const IAM_TYPES = [
  "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
  "gcp:cloudrunv2/serviceIamBinding:ServiceIamBinding",
  "gcp:cloudrunv2/serviceIamPolicy:ServiceIamPolicy",
  // run.invoker on a job lets the member start executions of it.
  "gcp:cloudrunv2/jobIamMember:JobIamMember",
  "gcp:cloudrunv2/jobIamBinding:JobIamBinding",
  "gcp:cloudrunv2/jobIamPolicy:JobIamPolicy",
];
const DEFAULT_COMPUTE_SA = /-compute@developer\.gserviceaccount\.com$/;
/** Env var names that hold credentials, and values that look like keys. */
const SECRET_NAME =
  /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?|ACCESS_?KEY|AUTH_?STRING)$/i;
export const SECRET_VALUE =
  /^(AIza[0-9A-Za-z_-]{20,}|sk-[A-Za-z0-9]{16,}|-----BEGIN [A-Z ]*PRIVATE KEY-----|ghp_[A-Za-z0-9]{20,}|xox[bp]-)/;

/** The service-table entry a Cloud Run service deploys (label `service`, else its name). */
function specOf(props: Props) {
  const name = at(props, "labels.service") ?? props.name;
  return SERVICES.find((s) => s.name === name);
}

/** Path of the template holding the containers and the identity: a job nests its task template. */
function templatePath(type: string): string {
  return type === JOB ? "template.template" : "template";
}

function containers(props: Props, type: string = SERVICE): Props[] {
  return list(at(props, `${templatePath(type)}.containers`)) as Props[];
}

/** Whether stateful resources of `env` refuse deletion (DELETION_PROTECTION). */
const protectedIn = (env: unknown): boolean =>
  Object.entries(DELETION_PROTECTION).some(([name, on]) => on && name === env);

/** Parses Cloud Run quantities (`512Mi`, `4Gi`, `2G`) to MiB. */
export function memoryMiB(value: unknown): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Mi|Gi|M|G)$/.exec(String(value));
  if (!m) return undefined;
  const n = Number(m[1]);
  return { Mi: n, Gi: n * 1024, M: (n * 1e6) / 2 ** 20, G: (n * 1e9) / 2 ** 20 }[m[2]];
}

export const cloudRunRules: AvaloResourcePolicy[] = [
  resourceRule({
    name: "cloudrun-no-public-invoker",
    checks: [5],
    requirement:
      "No Cloud Run v2 service or job grants its invoker role to allUsers or allAuthenticatedUsers.",
    enforcementLevel: "mandatory",
    types: IAM_TYPES,
    check: (props, flag) => {
      const found = publicMembers(props);
      if (found.length > 0) {
        flag(
          "member",
          found.join(", "),
          "grant roles/run.invoker only to the calling services' and pipelines' service accounts.",
        );
      }
    },
  }),
  resourceRule({
    name: "cloudrun-internal-ingress",
    checks: [5],
    requirement: "Cloud Run services accept internal traffic only.",
    enforcementLevel: "mandatory",
    types: [SERVICE],
    check: (props, flag) => {
      if (props.ingress !== "INGRESS_TRAFFIC_INTERNAL_ONLY") {
        flag("ingress", props.ingress, 'set ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY".');
      }
    },
  }),
  resourceRule({
    name: "cloudrun-dedicated-service-account",
    requirement:
      "Each Cloud Run service and job runs as its own service account, never the default compute account.",
    enforcementLevel: "mandatory",
    types: [SERVICE, JOB],
    check: (props, flag, args) => {
      const path = `${templatePath(args.type)}.serviceAccount`;
      const sa = at(props, path);
      if (typeof sa !== "string" || sa === "" || DEFAULT_COMPUTE_SA.test(sa)) {
        flag(
          path,
          sa,
          args.type === JOB
            ? "set it to the job's own service account (LoadGenerator creates one)."
            : "set it to the service's own service account (Service creates one).",
        );
      }
    },
  }),
  resourceRule({
    name: "cloudrun-max-instances",
    requirement: "Cloud Run services set a maximum instance count.",
    enforcementLevel: "advisory",
    reason:
      "a cap bounds cost and downstream load; the service table gives one, but a stack may lift it",
    types: [SERVICE],
    check: (props, flag) => {
      const max =
        at(props, "template.scaling.maxInstanceCount") ?? at(props, "scaling.maxInstanceCount");
      if (typeof max !== "number" || max < 1) {
        flag(
          "template.scaling.maxInstanceCount",
          max,
          "set it from the service table (runtime/catalog/services.ts).",
        );
      }
    },
  }),
  resourceRule({
    name: "cloudrun-resources-within-service-table",
    requirement:
      "Cloud Run memory and timeout stay within the service table (runtime/catalog/services.ts).",
    enforcementLevel: "advisory",
    reason:
      "the service table is a sizing estimate; exceeding it costs money but breaks nothing, so it warns",
    types: [SERVICE],
    check: (props, flag) => {
      const spec = specOf(props);
      if (!spec) return;
      for (const [i, c] of containers(props).entries()) {
        const memory = at(c, "resources.limits.memory");
        const mib = memoryMiB(memory);
        if (mib === undefined || mib > spec.memoryMiB) {
          flag(
            `template.containers[${i}].resources.limits.memory`,
            memory,
            `use at most ${spec.memoryMiB}Mi, as the service table says for ${spec.name}.`,
          );
        }
      }
      const timeout = at(props, "template.timeout");
      const seconds = typeof timeout === "string" ? Number(timeout.replace(/s$/, "")) : NaN;
      if (!(seconds > 0 && seconds <= spec.timeoutSeconds)) {
        flag(
          "template.timeout",
          timeout,
          `use at most ${spec.timeoutSeconds}s, as the service table says for ${spec.name}.`,
        );
      }
    },
  }),
  resourceRule({
    name: "cloudrun-secrets-from-secret-manager",
    checks: [6],
    requirement:
      "Credentials reach services and jobs only as Secret Manager references, never as plain env values.",
    enforcementLevel: "mandatory",
    types: [SERVICE, JOB],
    check: (props, flag, args) => {
      for (const [i, c] of containers(props, args.type).entries()) {
        for (const [j, env] of (list(c.envs) as Props[]).entries()) {
          const value = env.value;
          if (typeof value !== "string" || value === "") continue;
          if (SECRET_NAME.test(String(env.name)) || SECRET_VALUE.test(value)) {
            flag(
              `${templatePath(args.type)}.containers[${i}].envs[${j}] (${String(env.name)})`,
              "a plain value",
              "store it in Secret Manager and reference it with valueSource.secretKeyRef.",
            );
          }
        }
      }
    },
  }),
  resourceRule({
    name: "cloudrun-deletion-protection-explicit",
    requirement:
      "Cloud Run services set deletionProtection explicitly: true in prod, false elsewhere.",
    enforcementLevel: "advisory",
    reason: "a service holds no data, so a deleted one is redeployed, not lost",
    types: [SERVICE],
    check: (props, flag, _args, config) => {
      const env = config.environment ?? at(props, "labels.env");
      if (typeof props.deletionProtection !== "boolean") {
        flag(
          "deletionProtection",
          props.deletionProtection,
          "set it explicitly (avalo:deletionProtection, default true in prod).",
        );
      } else if (protectedIn(env) && props.deletionProtection !== true) {
        flag(
          "deletionProtection",
          props.deletionProtection,
          `set it to true in the ${String(env)} environment.`,
        );
      }
    },
  }),
];
