import { expect } from "chai";
import { assertNotProduction, productionReason } from "../../../runtime/load/guard";

const productionProjects = [
  { stack: "us-east", project: "avalo-us" },
  { stack: "eu-west", project: "avalo-eu" },
];

describe("load production guard", () => {
  it("refuses a URL that contains prod or production, naming the override", () => {
    expect(() =>
      assertNotProduction({
        urls: ["https://api.prod.avalo.app"],
        productionProjects,
        allowProduction: false,
      }),
    ).to.throw(
      'refusing to load-test what looks like production: URL https://api.prod.avalo.app contains "prod". Load tests run against the local platform or a staging stack; if you really mean production, pass --i-know-this-is-production',
    );
    expect(
      productionReason({ urls: ["https://{service}-production-x.a.run.app"], productionProjects }),
    ).to.equal('URL https://{service}-production-x.a.run.app contains "prod"');
  });

  it("refuses the gcp:project of a prod stack and a project id containing prod", () => {
    expect(
      productionReason({
        urls: ["https://staging.example"],
        projectId: "avalo-eu",
        productionProjects,
      }),
    ).to.equal(
      'project id "avalo-eu" is the gcp:project of stack eu-west, whose avalo:environment is prod',
    );
    expect(productionReason({ urls: [], projectId: "acme-prod-1", productionProjects })).to.equal(
      'project id "acme-prod-1" contains "prod"',
    );
    expect(
      productionReason({ urls: ["https://lb.avalo-us.example"], productionProjects }),
    ).to.equal(
      'URL contains "avalo-us", the gcp:project of stack us-east, whose avalo:environment is prod',
    );
  });

  it("lets staging and local targets through, and words that merely start with prod", () => {
    expect(
      productionReason({
        urls: [
          "https://ranking-engine-abc123-ue.a.run.app",
          "http://127.0.0.1:8080",
          "https://products.example",
        ],
        projectId: "avalo-staging",
        productionProjects,
      }),
    ).to.equal(undefined);
  });

  it("allows production with the override", () => {
    expect(() =>
      assertNotProduction({
        urls: ["https://prod.example"],
        productionProjects,
        allowProduction: true,
      }),
    ).to.not.throw();
  });
});
