import * as pulumi from "@pulumi/pulumi";

/**
 * `value`, resolved only once every resource of `after` exists. Hand this out instead of the raw
 * output when a reader must not act before a grant or resource is in place: whoever reads it
 * (an input of another resource) then depends on those resources too, so no one is given a key,
 * topic, table or URL it cannot use yet.
 */
export function waitFor(
  value: pulumi.Input<string>,
  after: readonly pulumi.CustomResource[],
): pulumi.Output<string> {
  return pulumi
    .all([value, ...after.map((resource) => resource.id)])
    .apply(([resolved]) => resolved);
}
