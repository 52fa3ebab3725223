import type { ResourceValidationPolicy } from "@pulumi/policy";
import { list, resourceRule, type Props } from "./define";

const PROJECT_IAM = [
  "gcp:projects/iAMMember:IAMMember",
  "gcp:projects/iAMBinding:IAMBinding",
  "gcp:projects/iAMPolicy:IAMPolicy",
];
const BASIC_ROLES = ["roles/owner", "roles/editor", "roles/viewer"];
const IAM_GRANT = /\/(iAM|iam|Iam)(Member|Binding|Policy):/;

/** Roles granted by an IAM member/binding, or by the bindings of a policy document. */
function rolesOf(props: Props): string[] {
  const inline = typeof props.role === "string" ? [props.role] : [];
  let fromPolicy: string[] = [];
  if (typeof props.policyData === "string" && props.policyData.startsWith("{")) {
    try {
      const doc = JSON.parse(props.policyData) as { bindings?: Array<{ role?: string }> };
      fromPolicy = list(doc.bindings).map((b) => String((b as { role?: string }).role));
    } catch {
      fromPolicy = [];
    }
  }
  return [...inline, ...fromPolicy];
}

function projectRoleRule(
  name: string,
  control: string,
  role: string,
  what: string,
): ResourceValidationPolicy {
  return resourceRule({
    name,
    control,
    requirement: `No ${what} (${role}) granted at project level.`,
    enforcementLevel: "mandatory",
    types: PROJECT_IAM,
    check: (props, flag) => {
      if (rolesOf(props).includes(role)) {
        flag(
          "role",
          role,
          "grant it on the one service account that needs it (serviceaccount.IAMMember), not on the project.",
        );
      }
    },
  });
}

export const iamRules: ResourceValidationPolicy[] = [
  resourceRule({
    name: "iam-no-basic-roles",
    control: "CKV_GCP_117",
    requirement: "No IAM grant uses a basic role (owner, editor, viewer).",
    enforcementLevel: "mandatory",
    types: (type) => type.startsWith("gcp:") && IAM_GRANT.test(type),
    check: (props, flag) => {
      const basic = rolesOf(props).filter((r) => BASIC_ROLES.includes(r));
      if (basic.length > 0)
        flag(
          "role",
          basic.join(", "),
          "grant the predefined role that covers exactly what is needed.",
        );
    },
  }),
  resourceRule({
    name: "iam-no-user-managed-service-account-keys",
    control: "CKV2_GCP_3",
    requirement: "No user-managed service account keys; workloads use their attached identity.",
    enforcementLevel: "mandatory",
    types: ["gcp:serviceaccount/key:Key"],
    check: (props, flag) => {
      flag(
        "serviceAccountId",
        props.serviceAccountId,
        "remove the key; use the attached service account or workload identity federation.",
      );
    },
  }),
  projectRoleRule(
    "iam-no-project-service-account-user",
    "CKV_GCP_41",
    "roles/iam.serviceAccountUser",
    "Service Account User",
  ),
  projectRoleRule(
    "iam-no-project-token-creator",
    "CKV_GCP_49",
    "roles/iam.serviceAccountTokenCreator",
    "Service Account Token Creator",
  ),
];
