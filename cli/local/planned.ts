import { statSync } from "node:fs";
import type { PlanResource } from "../../plan/record";
import { buildBundles, type Bundle } from "../../build/bundles";
import { loadStackConfig, readStackFile } from "../../stacks/config";
import { runOffline } from "../../stacks/offline/mocks";
import { defineStack } from "../../stacks/program";
import { GEOGRAPHIES, type RegionId } from "../../runtime/topology";

/**
 * What the plan tells Cloud Run to run for one service in one region: the archive (the file the
 * plan uploads as the container's source object), the command and args, and the names of the
 * plain and secret environment variables. The local platform can start exactly this.
 */
export interface PlannedContainer {
  readonly service: string;
  readonly archive: Bundle;
  readonly command: readonly string[];
  readonly args: readonly string[];
  /** Plain variables the plan sets, with the plan's values. */
  readonly env: Readonly<Record<string, string>>;
  /** Variables the plan reads from Secret Manager. */
  readonly secretNames: readonly string[];
}

type Inputs = Record<string, unknown>;

/**
 * The containers the plan deploys in `region` (an Avalo region id, the services' `region`
 * label), one per Cloud Run service, named by its `service` label. Throws when a container's source object is not in the plan.
 */
export function plannedContainers(
  resources: readonly PlanResource[],
  region: string,
): PlannedContainer[] {
  const objects = resources.filter((r) => r.type === "gcp:storage/bucketObject:BucketObject");
  return resources
    .filter(
      (r) =>
        r.type === "gcp:cloudrunv2/service:Service" &&
        (r.inputs.labels as Inputs | undefined)?.region === region,
    )
    .map((r) => {
      const service = String((r.inputs.labels as Inputs).service);
      const container = ((r.inputs.template as Inputs).containers as Inputs[])[0];
      const source = (container.sourceCode as { cloudStorageSource: Inputs }).cloudStorageSource;
      const object = objects.find((o) => o.inputs.name === source.object);
      const path = (object?.inputs.source as { path?: string } | undefined)?.path;
      if (!path) {
        throw new Error(`the plan uploads no object ${String(source.object)} for ${service}`);
      }
      const sha256 = (object?.inputs.metadata as { sha256?: string } | undefined)?.sha256;
      if (!sha256) throw new Error(`the plan's object for ${service} records no sha256`);
      const envs = container.envs as Array<{
        name: string;
        value?: unknown;
        valueSource?: unknown;
      }>;
      return {
        service,
        archive: {
          service,
          archivePath: path,
          sha256,
          bytes: statSync(path).size,
        },
        command: container.commands as string[],
        args: container.args as string[],
        env: Object.fromEntries(
          envs.filter((e) => e.valueSource === undefined).map((e) => [e.name, String(e.value)]),
        ),
        secretNames: envs.filter((e) => e.valueSource !== undefined).map((e) => e.name),
      };
    });
}

/**
 * The containers that the plan of `region`'s stack deploys there: the fresh bundles, the stack
 * file of that geography, the program run under the mock runtime.
 */
export async function containersOfPlan(
  rootDir: string,
  region: RegionId,
): Promise<PlannedContainer[]> {
  const geography = Object.values(GEOGRAPHIES).find((g) => g.regions.includes(region))!;
  const bundles = await buildBundles({ rootDir });
  const { resources } = await runOffline(
    { project: "avalo", stack: geography.stack, config: readStackFile(geography.stack, rootDir) },
    () => defineStack(loadStackConfig(), bundles),
  );
  return plannedContainers(resources, region);
}
