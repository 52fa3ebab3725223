import { stackRule, type AvaloStackPolicy } from "./define";

const SERVICE = "gcp:projects/service:Service";

/** A stack rule that an API is enabled in the project (organisation-level controls). */
function serviceEnabled(
  name: string,
  check: number,
  api: string,
  what: string,
  reason: string,
): AvaloStackPolicy {
  return stackRule({
    name,
    checks: [check],
    requirement: `${what} covers the project (${api} is enabled).`,
    enforcementLevel: "advisory",
    reason,
    check: (args, report) => {
      if (!args.resources.some((r) => r.type === SERVICE && r.props.service === api)) {
        report(
          `${api} is not enabled in the project, so ${what} does not cover it. ` +
            "Fix: the organisation's security admins activate it for the organisation.",
        );
      }
    },
  });
}

export const organisationRules: AvaloStackPolicy[] = [
  serviceEnabled(
    "org-security-command-center",
    57,
    "securitycenter.googleapis.com",
    "Security Command Center",
    "Security Command Center is activated for a whole organisation (its tier and billing), by its security admins, not by a project's stack",
  ),
  serviceEnabled(
    "org-web-security-scanner",
    58,
    "websecurityscanner.googleapis.com",
    "Web Security Scanner",
    "scans are an organisation's security programme run against public web apps; every Avalo service has internal-only ingress, so there is nothing public for a project-level scan to reach",
  ),
];
