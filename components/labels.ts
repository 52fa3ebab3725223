import type { PlatformArgs } from "./context";

/** Labels every labelable resource carries: `app`, `geography`, `region` and `env`. */
export interface PlatformLabels {
  readonly app: "avalo";
  readonly geography: string;
  /** Avalo region id, or "multi" for resources spanning the geography. */
  readonly region: string;
  readonly env: string;
  readonly [key: string]: string;
}

/**
 * The platform's labels for a resource in `region` (an Avalo region id), or "multi" for
 * resources spanning the geography (topics, datasets, the database). Extra labels are merged in,
 * but never override the four platform labels.
 */
export function platformLabels(
  args: Pick<PlatformArgs, "geography" | "environment">,
  region: string = "multi",
  extra: Readonly<Record<string, string>> = {},
): PlatformLabels {
  return {
    ...extra,
    app: "avalo",
    geography: args.geography.id,
    region,
    env: args.environment,
  };
}
