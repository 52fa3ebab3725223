import { expect } from "chai";
import type { Plan, PlanResource } from "../../plan/record";
import { checkConstraints } from "../../cli/preview/constraints";
import { NO_OPTIONS } from "./plan-builder";

const JOB_URN = "urn:pulumi:us-east::avalo::gcp:cloudrunv2/job:Job::job";

function planWithJob(name: string): Plan {
  const job: PlanResource = {
    urn: JOB_URN,
    type: "gcp:cloudrunv2/job:Job",
    name: "job",
    custom: true,
    parent: "",
    dependencies: [],
    propertyDependencies: {},
    inputs: { name, location: "us-east1" },
    options: NO_OPTIONS,
  };
  // No geography and no API check target: only the name rule applies.
  return { version: 1, project: "avalo", stack: "us-east", geography: "", resources: [job] };
}

describe("preview GCP constraints", () => {
  it("checks a Cloud Run job's name like a service's", () => {
    const names = (plan: Plan) =>
      checkConstraints(plan)
        .filter((f) => f.rule === "gcp-name")
        .map((f) => f.urn);
    expect(names(planWithJob("load-generator"))).to.deep.equal([]);
    expect(names(planWithJob("Load_Generator"))).to.deep.equal([JOB_URN]);
    expect(names(planWithJob(`l${"o".repeat(49)}`))).to.deep.equal([JOB_URN]);
  });
});
