import { expect } from "chai";
import { platformLabels } from "../../components/labels";
import { platformArgs } from "./fixtures";

describe("platform labels", () => {
  it("labels a regional resource with app, geography, region and env", () => {
    expect(platformLabels(platformArgs("asia"), "asia-south")).to.deep.equal({
      app: "avalo",
      geography: "asia",
      region: "asia-south",
      env: "prod",
    });
  });

  it("labels geography-wide resources as multi and never lets extras override platform labels", () => {
    expect(
      platformLabels(platformArgs("eu"), undefined, { app: "x", pipeline: "fraud-check" }),
    ).to.deep.equal({
      pipeline: "fraud-check",
      app: "avalo",
      geography: "eu",
      region: "multi",
      env: "prod",
    });
  });
});
