import {
  IAM_GRANT,
  isAdminRole,
  membersOf,
  resourceRule,
  rolesOf,
  stackRule,
  type AvaloResourcePolicy,
  type AvaloStackPolicy,
} from "./define";

const PROJECT_IAM = [
  "gcp:projects/iAMMember:IAMMember",
  "gcp:projects/iAMBinding:IAMBinding",
  "gcp:projects/iAMPolicy:IAMPolicy",
];
const CUSTOM_ROLE = "gcp:projects/iAMCustomRole:IAMCustomRole";
const BASIC_ROLES = ["roles/owner", "roles/editor", "roles/viewer"];

/**
 * Roles that let a member impersonate or manage every service account of the project: Checkov's
 * CKV_GCP_49 list (checkov/terraform/checks/resource/gcp/AbsGoogleImpersonationRoles.py).
 */
const IMPERSONATION_ROLES: readonly string[] = [
  "roles/owner",
  "roles/editor",
  "roles/iam.securityAdmin",
  "roles/iam.serviceAccountAdmin",
  "roles/iam.serviceAccountKeyAdmin",
  "roles/iam.serviceAccountUser",
  "roles/iam.serviceAccountTokenCreator",
  "roles/iam.workloadIdentityUser",
  "roles/dataproc.editor",
  "roles/dataproc.admin",
  "roles/dataflow.developer",
  "roles/resourcemanager.folderAdmin",
  "roles/resourcemanager.folderIamAdmin",
  "roles/resourcemanager.projectIamAdmin",
  "roles/resourcemanager.organizationAdmin",
  "roles/serverless.serviceAgent",
  "roles/dataproc.serviceAgent",
];

/** Default service accounts (CKV_GCP_46): Compute Engine's and App Engine's. */
const DEFAULT_SERVICE_ACCOUNT = /(-compute@developer|@appspot)\.gserviceaccount\.com$/;

/** Permissions that administer rather than use: IAM policy, IAM itself, projects, wildcards. */
const ADMIN_PERMISSION = /\*|\.setIamPolicy$|^(iam|resourcemanager|orgpolicy)\./;

/** Service account ids that say nothing about their workload (check #29). */
const GENERIC_ACCOUNT_IDS = [
  "default",
  "service-account",
  "serviceaccount",
  "sa",
  "admin",
  "test",
  "user",
  "compute",
  "app",
  "terraform",
  "pulumi",
];

/** A custom role's resource name (`projects/p/roles/r`), as IAM grants spell it. */
function customRoleName(project: unknown, roleId: unknown): string {
  return `projects/${String(project)}/roles/${String(roleId)}`;
}

function projectRoleRule(name: string, role: string, what: string): AvaloResourcePolicy {
  return resourceRule({
    name,
    checks: [24],
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

export const iamRules: Array<AvaloResourcePolicy | AvaloStackPolicy> = [
  resourceRule({
    name: "iam-no-basic-roles",
    checks: [22],
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
  stackRule({
    name: "iam-no-admin-roles",
    checks: [23],
    requirement:
      "No IAM grant uses an owner, editor or *.admin role, nor a custom role whose permissions administer (setIamPolicy, iam.*, resourcemanager.*, wildcards); custom roles are judged by their permissions.",
    enforcementLevel: "mandatory",
    check: (args, report) => {
      const customRoles = new Map(
        args.resources
          .filter((r) => r.type === CUSTOM_ROLE)
          .map((r) => [customRoleName(r.props.project, r.props.roleId), r.props.permissions]),
      );
      for (const r of args.resources.filter((x) => IAM_GRANT.test(x.type))) {
        for (const role of rolesOf(r.props)) {
          const where = `${r.type} "${r.name}": role is ${JSON.stringify(role)}`;
          if (isAdminRole(role)) {
            report(
              `${where}, an administrative role. Fix: grant a custom role with only the permissions used (see components/fcm-sender-role.ts).`,
              r.urn,
            );
            continue;
          }
          if (!/^(projects|organizations)\/[^/]+\/roles\//.test(role)) continue;
          const permissions = customRoles.get(role);
          if (!Array.isArray(permissions)) {
            report(
              `${where}, a custom role this stack does not declare, so its permissions cannot be checked. Fix: declare it with gcp.projects.IAMCustomRole in the same stack.`,
              r.urn,
            );
            continue;
          }
          const admin = permissions.map(String).filter((p) => ADMIN_PERMISSION.test(p));
          if (admin.length > 0) {
            report(
              `${where}, a custom role with administrative permissions ${admin.join(", ")}. Fix: keep only the permissions the workload calls.`,
              r.urn,
            );
          }
        }
      }
    },
  }),
  resourceRule({
    name: "iam-no-user-managed-service-account-keys",
    checks: [28],
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
    "roles/iam.serviceAccountUser",
    "Service Account User",
  ),
  projectRoleRule(
    "iam-no-project-token-creator",
    "roles/iam.serviceAccountTokenCreator",
    "Service Account Token Creator",
  ),
  resourceRule({
    name: "iam-no-project-impersonation-roles",
    checks: [25],
    requirement: `No role that can impersonate or manage every service account is granted at project level (${IMPERSONATION_ROLES.length} roles of CKV_GCP_49).`,
    enforcementLevel: "mandatory",
    types: PROJECT_IAM,
    check: (props, flag) => {
      const found = rolesOf(props).filter((r) => IMPERSONATION_ROLES.includes(r));
      if (found.length > 0) {
        flag(
          "role",
          found.join(", "),
          "grant it on the one service account concerned (serviceaccount.IAMMember), or a narrower role.",
        );
      }
    },
  }),
  resourceRule({
    name: "iam-no-default-service-account-in-project",
    checks: [26],
    requirement:
      "The default Compute Engine and App Engine service accounts get no project-level role.",
    enforcementLevel: "mandatory",
    types: PROJECT_IAM,
    check: (props, flag) => {
      const found = membersOf(props).filter((m) => DEFAULT_SERVICE_ACCOUNT.test(m));
      if (found.length > 0) {
        flag("member", found.join(", "), "grant the role to the workload's own service account.");
      }
    },
  }),
  resourceRule({
    name: "iam-no-direct-user-bindings",
    checks: [27],
    requirement:
      "Project-level roles go to service accounts or groups, never to individual users (service-account bindings are the pack's allowServiceAccountBindings case).",
    enforcementLevel: "mandatory",
    types: PROJECT_IAM,
    check: (props, flag) => {
      const users = membersOf(props).filter((m) => m.startsWith("user:"));
      if (users.length > 0) {
        flag("member", users.join(", "), "grant the role to a group the user belongs to.");
      }
    },
  }),
  resourceRule({
    name: "iam-service-account-names-specific",
    checks: [29],
    requirement: `Service account ids name their workload, not a generic word (${GENERIC_ACCOUNT_IDS.join(", ")}).`,
    enforcementLevel: "mandatory",
    types: ["gcp:serviceaccount/account:Account"],
    check: (props, flag) => {
      if (GENERIC_ACCOUNT_IDS.includes(String(props.accountId))) {
        flag(
          "accountId",
          props.accountId,
          "name the account after its workload (<service>-<region>).",
        );
      }
    },
  }),
];
