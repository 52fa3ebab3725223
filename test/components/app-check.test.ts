import { expect } from "chai";
import { Apis } from "../../components/apis";
import { AppCheck, type AppCheckArgs, type ClientApps } from "../../components/app-check";
import { MOCK_PROJECT_NUMBER } from "../../stacks/offline/mocks";
import { named, ofType, platformArgs, runComponent, runFailing } from "./fixtures";

const APPS: ClientApps = {
  androidPackage: "app.avalo.android",
  androidSha256: ["a".repeat(64)],
  iosBundleId: "app.avalo.ios",
  iosTeamId: "ABCDE12345",
  webOrigin: "https://eu.avalo.app",
};

function appCheck(overrides: Partial<AppCheckArgs> = {}) {
  const apis = new Apis("apis", { project: "avalo-eu" });
  return new AppCheck("eu-app-check", {
    ...platformArgs("eu"),
    apis,
    clientApps: APPS,
    enforcement: "enforced",
    ...overrides,
  });
}

describe("AppCheck", () => {
  it("registers the geography's apps with their attestation providers and enforces Firestore", async () => {
    const { resources } = await runComponent(() => appCheck(), "eu");
    expect(named(resources, "eu-app-check").inputs).to.deep.equal({ project: "avalo-eu" });
    expect(named(resources, "eu-app-check-android").inputs).to.deep.equal({
      project: "avalo-eu",
      displayName: "Avalo Android (eu)",
      packageName: "app.avalo.android",
      sha256Hashes: ["a".repeat(64)],
      deletionPolicy: "ABANDON",
    });
    expect(named(resources, "eu-app-check-ios").inputs).to.deep.equal({
      project: "avalo-eu",
      displayName: "Avalo iOS (eu)",
      bundleId: "app.avalo.ios",
      teamId: "ABCDE12345",
      deletionPolicy: "ABANDON",
    });
    expect(named(resources, "eu-app-check-web").inputs).to.deep.equal({
      project: "avalo-eu",
      displayName: "Avalo web (eu)",
      deletionPolicy: "ABANDON",
    });
    const key = named(resources, "eu-app-check-web-recaptcha");
    expect(key.inputs.webSettings).to.deep.equal({
      integrationType: "SCORE",
      allowedDomains: ["eu.avalo.app"],
      allowAllDomains: false,
      allowAmpTraffic: false,
    });

    const appId = (kind: string, name: string) =>
      `1:${MOCK_PROJECT_NUMBER}:${kind}:${name.length}0a1b2c3d`;
    expect(named(resources, "eu-app-check-android-play-integrity").inputs).to.deep.equal({
      project: "avalo-eu",
      appId: appId("android", "eu-app-check-android"),
      tokenTtl: "3600s",
    });
    expect(named(resources, "eu-app-check-ios-app-attest").inputs).to.deep.equal({
      project: "avalo-eu",
      appId: appId("ios", "eu-app-check-ios"),
      tokenTtl: "3600s",
    });
    expect(named(resources, "eu-app-check-web-recaptcha-enterprise").inputs).to.deep.equal({
      project: "avalo-eu",
      appId: appId("web", "eu-app-check-web"),
      siteKey: `6Lmock${"eu-app-check-web-recaptcha".length}AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`,
      tokenTtl: "3600s",
    });

    const enforcement = ofType(
      resources,
      "gcp:firebase/appCheckServiceConfig:AppCheckServiceConfig",
    );
    expect(enforcement.map((r) => r.inputs)).to.deep.equal([
      { project: "avalo-eu", serviceId: "firestore.googleapis.com", enforcementMode: "ENFORCED" },
    ]);
    // Enforcement waits for every attestation provider, or clients would be locked out.
    const providers = [
      "eu-app-check-android-play-integrity",
      "eu-app-check-ios-app-attest",
      "eu-app-check-web-recaptcha-enterprise",
    ].map((n) => named(resources, n).urn);
    expect(enforcement[0].dependencies).to.include.members(providers);
  });

  it("sets monitoring mode when the stack chooses unenforced", async () => {
    const { resources } = await runComponent(() => appCheck({ enforcement: "unenforced" }), "eu");
    expect(named(resources, "eu-app-check-firestore").inputs.enforcementMode).to.equal(
      "UNENFORCED",
    );
  });

  const bad: ReadonlyArray<[string, Partial<AppCheckArgs>, string]> = [
    [
      "an http web origin",
      { clientApps: { ...APPS, webOrigin: "http://eu.avalo.app" } },
      '`clientApps.webOrigin` must be an https origin without path or port, such as https://app.avalo.example, but "http://eu.avalo.app" was provided',
    ],
    [
      "an unknown enforcement mode",
      { enforcement: "monitor" as never },
      '`enforcement` must be one of unenforced, enforced, but "monitor" was provided',
    ],
    [
      "a token lifetime under 30 minutes",
      { tokenTtl: "60s" },
      '`tokenTtl` must be 1800s–604800s (30 minutes to 7 days), but "60s" was provided',
    ],
  ];
  for (const [title, overrides, message] of bad) {
    it(`rejects ${title} before creating anything`, async () => {
      const { error, resources } = await runFailing(() => appCheck(overrides));
      expect(error.message).to.equal(message);
      expect(resources.filter((r) => r.type.startsWith("gcp:firebase/"))).to.deep.equal([]);
    });
  }
});
