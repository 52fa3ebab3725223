import { expect } from "chai";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { preview, projectDir } from "../cli/preview-env";

describe("client edge in the offline preview", function () {
  // The real us-east program registers ~400 resources in a child process; the box is shared.
  this.timeout(600_000);

  it("exits 2 on a prod stack set to unenforced App Check and a * CORS origin, naming both rules", async () => {
    const dir = projectDir("us-east", {
      "avalo:appCheckEnforcement": "unenforced",
      "avalo:corsOrigins": ["*"],
    });
    const result = await preview([
      "--stack",
      "us-east",
      "--config-dir",
      dir,
      "--out",
      mkdtempSync(join(tmpdir(), "plan-edge-")),
    ]);
    expect(result.exitCode).to.equal(2);
    const [outcome] = result.outcomes;
    expect(
      outcome.findings.filter((f) => f.level === "mandatory").map((f) => `${f.rule}: ${f.message}`),
    ).to.deep.equal([
      "app-check-enforced-in-prod: " +
        'gcp:firebase/appCheckServiceConfig:AppCheckServiceConfig "us-app-check-firestore": enforcementMode of firestore.googleapis.com is "UNENFORCED". ' +
        'Fix: set avalo:appCheckEnforcement to "enforced" (the prod default) once App Check metrics show current clients attest.',
      "cors-origins-allow-list-in-prod: " +
        'gcp:storage/bucket:Bucket "us-media": cors[0].origins is "*". ' +
        "Fix: list the web app's https origins in avalo:corsOrigins; * and http:// are refused in prod.",
    ]);
    expect(result.stdout).to.include("[mandatory] app-check-enforced-in-prod (policy, 1)");
    expect(result.stdout).to.include("[mandatory] cors-origins-allow-list-in-prod (policy, 1)");
  });
});
