import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import {
  checkKeys,
  checkOneOf,
  checkOrdered,
  checkPlatformArgs,
  checkRange,
} from "../../components/validation";
import { platformArgs, runFailing } from "./fixtures";

class Probe extends pulumi.ComponentResource {
  constructor(check: (self: pulumi.Resource) => void) {
    super("avalo:test:Probe", "probe", {});
    check(this);
  }
}

const fail = async (check: (self: pulumi.Resource) => void) =>
  (await runFailing(() => new Probe(check))).error.message;

describe("component argument checks", () => {
  it("reports a range error with field, bounds, unit and value", async () => {
    expect(await fail((c) => checkRange(c, "ackDeadlineSeconds", 5, 10, 600, "seconds"))).to.equal(
      "`ackDeadlineSeconds` must be 10–600 seconds, but 5 was provided",
    );
    expect(await fail((c) => checkRange(c, "memorySizeGb", 2.5, 1, 300, "GB"))).to.equal(
      "`memorySizeGb` must be 1–300 GB, but 2.5 was provided",
    );
  });

  it("reports order, membership and missing-key errors", async () => {
    expect(await fail((c) => checkOrdered(c, "minimumBackoff", 30, "maximumBackoff", 10))).to.equal(
      "`minimumBackoff` must be at most `maximumBackoff` (10), but 30 was provided",
    );
    expect(await fail((c) => checkOneOf(c, "environment", "qa", ["prod", "dev"]))).to.equal(
      '`environment` must be one of prod, dev, but "qa" was provided',
    );
    expect(await fail((c) => checkKeys(c, "pushEndpoints", { a: 1 }, ["a", "b", "c"]))).to.equal(
      "`pushEndpoints` must have an entry for each of a, b, c, but b, c are missing",
    );
  });

  it("rejects a bad project id, a foreign region and a GCP region outside the geography", async () => {
    const base = platformArgs("eu");
    expect(await fail((c) => checkPlatformArgs(c, { ...base, project: "Avalo_EU" }))).to.equal(
      '`project` must be 6–30 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen, but "Avalo_EU" was provided',
    );
    const foreign = { ...base, regions: [{ id: "us-east" as const, gcpRegion: "us-east1" }] };
    expect(await fail((c) => checkPlatformArgs(c, foreign))).to.equal(
      '`regions[].id` must be one of eu-west, eu-central, but "us-east" was provided',
    );
    const leaking = { ...base, regions: [{ id: "eu-west" as const, gcpRegion: "us-east1" }] };
    expect(await fail((c) => checkPlatformArgs(c, leaking))).to.match(
      /^`regions\.eu-west\.gcpRegion` must be one of europe-west1, .*, but "us-east1" was provided$/,
    );
  });
});
