import { expect } from "chai";
import { Apis } from "../../components/apis";
import {
  FirestoreRules,
  firestoreReleaseName,
  type FirestoreRulesArgs,
} from "../../components/firestore-rules";
import {
  firestoreRulesFor,
  readFirestoreRulesSource,
  rulesContentHash,
} from "../../runtime/security/rules";
import type { GeographyId } from "../../runtime/topology";
import { named, ofType, platformArgs, runComponent, runFailing } from "./fixtures";

function build(geography: GeographyId, extra: Partial<FirestoreRulesArgs> = {}) {
  const base = platformArgs(geography);
  const apis = new Apis("apis", { project: base.project });
  return new FirestoreRules("rules", { ...base, apis, ...extra });
}

function valueOf<T>(o: { apply<U>(f: (t: T) => U): unknown }): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v)));
}

describe("FirestoreRules component", () => {
  it("creates a ruleset with the geography's rules and their sha256 as the file fingerprint", async () => {
    for (const geography of ["us", "eu", "asia"] as const) {
      const content = firestoreRulesFor(geography);
      const { resources, result } = await runComponent(() => build(geography), geography);
      const ruleset = named(resources, "rules-ruleset");
      expect(ruleset.type).to.equal("gcp:firebaserules/ruleset:Ruleset");
      expect(ruleset.inputs, geography).to.deep.equal({
        project: `avalo-${geography}`,
        source: {
          language: "FIREBASE_RULES",
          files: [{ name: "firestore.rules", content, fingerprint: rulesContentHash(content) }],
        },
      });
      expect(content).to.include(`return '${geography}';`);
      expect(await valueOf(result.contentSha256)).to.equal(rulesContentHash(content));
    }
  });

  it("releases the ruleset as cloud.firestore of the (default) database, after the APIs", async () => {
    const { resources } = await runComponent(() => build("eu"), "eu");
    const release = named(resources, "rules-release");
    expect(release.type).to.equal("gcp:firebaserules/release:Release");
    expect(release.inputs).to.deep.equal({
      project: "avalo-eu",
      name: "cloud.firestore",
      rulesetName: "projects/avalo-eu/rulesets/rules-ruleset",
    });
    expect(release.dependencies).to.include(named(resources, "rules-ruleset").urn);
    const services = ofType(resources, "gcp:projects/service:Service").map((s) => s.urn);
    expect(release.dependencies).to.include.members(services);
    expect(firestoreReleaseName("audit-db")).to.equal("cloud.firestore/audit-db");
  });

  it("changes the fingerprint when the rules change, so the plan diff shows it", async () => {
    const changed = readFirestoreRulesSource().replace(
      "isShortString(incoming().text, 1, 2000)",
      "isShortString(incoming().text, 1, 4000)",
    );
    const before = await runComponent(() => build("us"));
    const after = await runComponent(() => build("us", { source: changed }));
    const fingerprint = (r: typeof before) =>
      (named(r.resources, "rules-ruleset").inputs.source as { files: { fingerprint: string }[] })
        .files[0].fingerprint;
    expect(fingerprint(after)).to.not.equal(fingerprint(before));
    expect(fingerprint(after)).to.equal(rulesContentHash(changed.replace("{{GEOGRAPHY}}", "us")));
  });

  it("rejects a rules source without the geography placeholder before creating anything", async () => {
    const failed = await runFailing(() =>
      build("us", { source: "rules_version = '2'; service cloud.firestore {}" }),
    );
    expect(failed.error.message).to.equal(
      "`source`: the rules source must contain the placeholder {{GEOGRAPHY}} exactly once, but it contains it 0 times",
    );
    expect(ofType(failed.resources, "gcp:firebaserules/ruleset:Ruleset")).to.deep.equal([]);
  });
});
