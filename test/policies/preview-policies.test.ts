import { expect } from "chai";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { coverage, renderCoverageMarkdown } from "../../cli/policies/coverage";
import { rules } from "../../policies/rules";
import { FIXTURE_PROGRAM, ROOT, preview, projectDir } from "../cli/preview-env";

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

describe("policy pack in the offline preview", function () {
  // The real stacks register ~400 resources each, in child processes; the box is shared.
  this.timeout(600_000);

  it("reports zero mandatory violations on the three shipped stacks, every advisory with its reason, and docs/policy-coverage.md matches `avalo policies --coverage --markdown`", async () => {
    const result = await preview(["--config-dir", ROOT, "--out", tmp("plan-shipped-")]);
    expect(result.outcomes.map((o) => o.stack)).to.deep.equal(["us-east", "eu-west", "asia-east"]);
    for (const o of result.outcomes) {
      expect(o.error, o.stack).to.equal(undefined);
      expect(
        o.findings.filter((f) => f.level === "mandatory").map((f) => f.message),
        o.stack,
      ).to.deep.equal([]);
      for (const f of o.findings.filter((x) => x.source === "policy")) {
        const reason = rules.find((r) => r.name === f.rule)?.meta.reason;
        expect(reason, f.rule).to.be.a("string");
        expect(f.message, f.rule).to.include(`(advisory: ${reason})`);
      }
    }
    expect(result.exitCode).to.equal(0);
    const generated = renderCoverageMarkdown(
      coverage(result.outcomes.map((o) => ({ stack: o.stack, findings: o.findings }))),
    );
    expect(readFileSync(`${ROOT}/docs/policy-coverage.md`, "utf8")).to.equal(
      generated,
      "docs/policy-coverage.md is stale: run `npx tsx cli/avalo.ts policies --coverage --markdown --out docs/policy-coverage.md`",
    );
  });

  it("exits 2 on a deliberately public service, with the violation grouped by rule in the markdown", async () => {
    const dir = projectDir("us-east", { "fixture:publicInvoker": "allUsers" });
    const result = await preview([
      "--stack",
      "us-east",
      "--program",
      FIXTURE_PROGRAM,
      "--config-dir",
      dir,
      "--out",
      tmp("plan-public-"),
      "--markdown",
      "-",
    ]);
    expect(result.exitCode).to.equal(2);
    expect(result.markdown).to.include("❌ 1 mandatory violation(s)");
    expect(result.markdown).to.include(
      "#### ⛔ mandatory: `cloudrun-no-public-invoker` (1)\n\n" +
        "[CKV_GCP_102; Pulumi cloud-run-service-configuration-check; CIS Controls v8.1 3.3; NIST 800-53 CM-2; " +
        "PCI DSS 1.4.2, 7.3.1; ISO 27001 A.8.3, A.8.20] No Cloud Run v2 service or job grants its invoker role to allUsers or allAuthenticatedUsers.\n\n" +
        '- **us-east**: gcp:cloudrunv2/serviceIamMember:ServiceIamMember "api-invoker": member is "allUsers". ' +
        "Fix: grant roles/run.invoker only to the calling services' and pipelines' service accounts.",
    );
    expect(result.stdout).to.include("[mandatory] cloudrun-no-public-invoker (policy, 1)");
  });
});
