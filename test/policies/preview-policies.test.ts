import { expect } from "chai";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURE_PROGRAM, ROOT, preview, projectDir } from "../cli/preview-env";

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

describe("policy pack in the offline preview", function () {
  // The real stacks register ~400 resources each, in child processes; the box is shared.
  this.timeout(600_000);

  it("reports zero mandatory violations on the three shipped stacks", async () => {
    const result = await preview(["--config-dir", ROOT, "--out", tmp("plan-shipped-")]);
    expect(result.outcomes.map((o) => o.stack)).to.deep.equal(["us-east", "eu-west", "asia-east"]);
    for (const o of result.outcomes) {
      expect(o.error, o.stack).to.equal(undefined);
      expect(
        o.findings.filter((f) => f.level === "mandatory").map((f) => f.message),
        o.stack,
      ).to.deep.equal([]);
    }
    expect(result.exitCode).to.equal(0);
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
        "[Avalo (CKV_GCP_102 covers Cloud Run v1 only)] No Cloud Run v2 service or job grants its invoker role to allUsers or allAuthenticatedUsers.\n\n" +
        '- **us-east**: gcp:cloudrunv2/serviceIamMember:ServiceIamMember "api-invoker": member is "allUsers". ' +
        "Fix: grant roles/run.invoker only to the calling services' and pipelines' service accounts.",
    );
    expect(result.stdout).to.include("[mandatory] cloudrun-no-public-invoker (policy, 1)");
  });
});
