import type { Environment, Geography, RegionId } from "../runtime/topology";

export { ENVIRONMENTS, type Environment } from "../runtime/topology";

/** One region of the stack, resolved to its GCP region (stack config may override the default). */
export interface ResolvedRegion {
  readonly id: RegionId;
  readonly gcpRegion: string;
}

/**
 * Arguments every platform component takes: where it deploys. The stack resolves them once from
 * config and the topology and passes them to each component.
 */
export interface PlatformArgs {
  /** GCP project id (`PROJECT_ID` in runtime/catalog/limits.ts). */
  readonly project: string;
  /** The geography this stack deploys (from runtime/topology). */
  readonly geography: Geography;
  /** Deployment environment. */
  readonly environment: Environment;
  /** The geography's regions, home first, resolved to GCP regions. */
  readonly regions: readonly ResolvedRegion[];
}
