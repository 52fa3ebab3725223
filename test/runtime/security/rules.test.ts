import { expect } from "chai";
import {
  firestoreRulesFor,
  GEOGRAPHY_PLACEHOLDER,
  readFirestoreRulesSource,
  renderFirestoreRules,
  rulesContentHash,
} from "../../../runtime/security/rules";

describe("renderFirestoreRules", () => {
  it("fills the database's geography into homeGeography()", () => {
    const eu = firestoreRulesFor("eu");
    expect(eu).to.include("return 'eu';");
    expect(eu).not.to.include(GEOGRAPHY_PLACEHOLDER);
    expect(readFirestoreRulesSource()).to.include(`return '${GEOGRAPHY_PLACEHOLDER}';`);
  });

  it("gives each geography a different content hash, stable across reads", () => {
    const hashes = (["us", "eu", "asia"] as const).map((g) =>
      rulesContentHash(firestoreRulesFor(g)),
    );
    expect(new Set(hashes).size).to.equal(3);
    expect(rulesContentHash(firestoreRulesFor("us"))).to.equal(hashes[0]);
    expect(rulesContentHash("abc")).to.equal(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("rejects an unknown geography and a source without exactly one placeholder", () => {
    expect(() => renderFirestoreRules(readFirestoreRulesSource(), "mars")).to.throw(
      '`geography` must be one of us, eu, asia, but "mars" was provided',
    );
    expect(() => renderFirestoreRules("service cloud.firestore {}", "us")).to.throw(
      "the rules source must contain the placeholder {{GEOGRAPHY}} exactly once, but it contains it 0 times",
    );
  });
});
