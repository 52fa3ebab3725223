import * as pulumi from "@pulumi/pulumi";
import type { PlanResource } from "../../plan/record";
import type { PlatformArgs } from "../../components/context";
import { runOffline, type OfflineRun } from "../../stacks/offline/mocks";
import { GEOGRAPHIES, REGIONS, type GeographyId } from "../../runtime/topology";

/** Placement arguments of a geography with its default regions, as the stack resolves them. */
export function platformArgs(geography: GeographyId = "us"): PlatformArgs {
  const g = GEOGRAPHIES[geography];
  return {
    project: g.projectId,
    geography: g,
    environment: "prod",
    regions: g.regions.map((id) => ({ id, gcpRegion: REGIONS[id].gcpRegion })),
  };
}

/** Runs `program` under the offline mocks for the geography's stack. */
export function runComponent<T>(
  program: () => T,
  geography: GeographyId = "us",
): Promise<OfflineRun<T>> {
  const g = GEOGRAPHIES[geography];
  return runOffline({ project: "avalo", stack: g.stack }, program);
}

/**
 * Runs a program expected to throw during construction; returns the error and what registered.
 */
export async function runFailing(
  program: () => unknown,
): Promise<{ error: Error; resources: readonly PlanResource[] }> {
  let error: Error | undefined;
  const { resources } = await runComponent(() => {
    try {
      program();
    } catch (e) {
      error = e as Error;
    }
  });
  if (!error) throw new Error("expected the program to throw, but it did not");
  return { error, resources };
}

/** Custom (cloud) resources of one type. */
export function ofType(resources: readonly PlanResource[], type: string): PlanResource[] {
  return resources.filter((r) => r.custom && r.type === type);
}

/** The one custom resource with this logical name; throws listing the names otherwise. */
export function named(resources: readonly PlanResource[], name: string): PlanResource {
  const found = resources.filter((r) => r.custom && r.name === name);
  if (found.length !== 1) {
    const names = resources.filter((r) => r.custom).map((r) => r.name);
    throw new Error(
      `expected one resource named ${name}, found ${found.length} among ${names.join(", ")}`,
    );
  }
  return found[0];
}

/** Whether a construction error is a `pulumi.ResourceError` (attached to the component). */
export function isResourceError(error: Error): boolean {
  return pulumi.ResourceError.isInstance(error);
}
