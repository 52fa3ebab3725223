import * as gcp from "@pulumi/gcp";
import type { PolicyPackConfig } from "@pulumi/policy";
import { expect } from "chai";
import type { Finding } from "../../cli/preview/findings";
import { evaluatePolicies } from "../../cli/preview/policies";
import { clientEdgeRules } from "../../policies/rules/client-edge";
import { runOffline } from "../../stacks/offline/mocks";
import { compliantProgram, violatingProgram } from "./fixtures";

const RULES = ["app-check-enforced-in-prod", "cors-origins-allow-list-in-prod"];
const config = (environment?: string): PolicyPackConfig =>
  Object.fromEntries(RULES.map((r) => [r, environment ? { environment } : {}]));

async function evaluate(program: () => unknown, policy: PolicyPackConfig): Promise<Finding[]> {
  const { resources } = await runOffline({ project: "avalo", stack: "us-east" }, program);
  return evaluatePolicies(resources, policy, new Map(), clientEdgeRules);
}

const messages = (findings: readonly Finding[]) =>
  findings.map((f) => `${f.rule} [${f.level}]: ${f.message}`);

/** A prod Firestore database, and a bucket with the given CORS origins, labelled `env`. */
function program(env: string, origins: string[], enforcement?: string) {
  return () => {
    new gcp.firestore.Database("db", {
      project: "avalo-us",
      name: "(default)",
      locationId: "nam5",
      type: "FIRESTORE_NATIVE",
    });
    new gcp.storage.Bucket("media", {
      project: "avalo-us",
      location: "us-east1",
      cors: [{ origins, methods: ["POST"] }],
      labels: { env },
    });
    if (enforcement) {
      new gcp.firebase.AppCheckServiceConfig("firestore-app-check", {
        project: "avalo-us",
        serviceId: "firestore.googleapis.com",
        enforcementMode: enforcement,
      });
    }
  };
}

describe("client edge rules (App Check, CORS)", () => {
  it("pass the compliant program", async () => {
    expect(messages(await evaluate(compliantProgram, config("prod")))).to.deep.equal([]);
  });

  it("fail a prod stack whose Firestore App Check only monitors, and * or http:// CORS origins", async () => {
    expect(messages(await evaluate(violatingProgram, config("prod")))).to.deep.equal([
      "app-check-enforced-in-prod [mandatory]: " +
        'gcp:firebase/appCheckServiceConfig:AppCheckServiceConfig "monitor-only-app-check": enforcementMode of firestore.googleapis.com is "UNENFORCED". ' +
        'Fix: set avalo:appCheckEnforcement to "enforced" (the prod default) once App Check metrics show current clients attest.',
      "cors-origins-allow-list-in-prod [mandatory]: " +
        'gcp:storage/bucket:Bucket "open-cors-bucket": cors[0].origins is "*". ' +
        "Fix: list the web app's https origins in avalo:corsOrigins; * and http:// are refused in prod.",
      "cors-origins-allow-list-in-prod [mandatory]: " +
        'gcp:storage/bucket:Bucket "open-cors-bucket": cors[0].origins is "http://us.avalo.app". ' +
        "Fix: list the web app's https origins in avalo:corsOrigins; * and http:// are refused in prod.",
    ]);
  });

  it("fail a prod Firestore database with no App Check configuration at all", async () => {
    expect(messages(await evaluate(program("prod", ["https://us.avalo.app"]), {}))).to.deep.equal([
      "app-check-enforced-in-prod [mandatory]: " +
        'gcp:firestore/database:Database "db": App Check for firestore.googleapis.com is not set. ' +
        "Fix: declare the stack's client apps in avalo:clientApps so AppCheck enforces it.",
    ]);
  });

  it("read prod from the resources' env label when the policy config does not say", async () => {
    const prod = await evaluate(program("prod", ["*"], "ENFORCED"), {});
    expect(prod.map((f) => f.rule)).to.deep.equal(["cors-origins-allow-list-in-prod"]);
  });

  it("leave staging free to monitor App Check and to allow any origin", async () => {
    expect(
      await evaluate(program("staging", ["*", "http://localhost:5173"], "UNENFORCED"), {}),
    ).to.deep.equal([]);
    expect(await evaluate(program("prod", ["*"], "UNENFORCED"), config("staging"))).to.deep.equal(
      [],
    );
  });
});
