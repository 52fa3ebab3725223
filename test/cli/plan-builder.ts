import type { Plan, PlanResource, PlanResourceOptions } from "../../plan/record";

/** A resource's options when the program sets none. */
export const NO_OPTIONS: PlanResourceOptions = {
  protect: false,
  ignoreChanges: [],
  retainOnDelete: false,
  deleteBeforeReplace: false,
  replaceOnChanges: [],
  deletedWith: "",
  additionalSecretOutputs: [],
};

/** A custom resource of a hand-built plan (stack `us-east`, project `avalo`). */
export function resource(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  more: Partial<Omit<PlanResource, "type" | "name" | "inputs">> = {},
): PlanResource {
  return {
    urn: `urn:pulumi:us-east::avalo::${type}::${name}`,
    type,
    name,
    custom: true,
    parent: "",
    dependencies: [],
    propertyDependencies: {},
    inputs,
    options: NO_OPTIONS,
    ...more,
  };
}

/** A plan of the given resources (no geography: the location checks stay out of the way). */
export function planOf(resources: readonly PlanResource[]): Plan {
  return { version: 1, project: "avalo", stack: "us-east", geography: "", resources };
}
