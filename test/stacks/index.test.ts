import { expect } from "chai";
import { readStackFile } from "../../stacks/config";
import { runOffline } from "../../stacks/offline/mocks";
import { SERVICES } from "../../runtime/catalog/services";

describe("stacks/index.ts (the Pulumi entry point)", function () {
  this.timeout(300_000);

  it("validates the config, bundles, builds the stack and exports its outputs", async () => {
    const { resources, result } = await runOffline(
      { project: "avalo", stack: "asia-east", config: readStackFile("asia-east") },
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      () => require("../../stacks/index") as typeof import("../../stacks/index"),
    );
    const services = resources.filter((r) => r.type === "gcp:cloudrunv2/service:Service");
    expect(services).to.have.length(SERVICES.length * 2);
    const value = <T>(o: { apply<U>(f: (v: T) => U): unknown }) =>
      new Promise<T>((resolve) => o.apply((v) => resolve(v)));
    const urls = await value<Record<string, Record<string, string>>>(result.serviceUrls);
    expect(Object.keys(urls)).to.deep.equal(["asia-east", "asia-south"]);
    expect(urls["asia-south"]["pdf-generator"]).to.equal(
      "https://pdf-generator-123456789012.asia-south1.run.app",
    );
    const objects = await value<Record<string, string>>(result.bundleObjects);
    expect(objects["media-processor"]).to.match(/^media-processor\/[0-9a-f]{64}\.tar.gz$/);
    expect(await value<string>(result.bundleBucket)).to.equal("avalo-asia-bundles");
  });
});
