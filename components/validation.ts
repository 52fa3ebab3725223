import * as pulumi from "@pulumi/pulumi";
import { PROJECT_ID } from "../runtime/catalog/limits";
import { ENVIRONMENTS, type PlatformArgs } from "./context";

/**
 * Argument checks for components, one helper per shape of check, so that every error reads the
 * same way and names the argument, the value it got and what is allowed. Each throws a
 * `pulumi.ResourceError` attached to the component being constructed; {@link checkAll} runs several
 * and reports every failure at once. The limits they check against are runtime/catalog/limits.ts.
 */

/** `field` must be an integer within [min, max] of `unit`. */
export function checkRange(
  component: pulumi.Resource,
  field: string,
  value: number,
  min: number,
  max: number,
  unit: string,
): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new pulumi.ResourceError(
      `\`${field}\` must be ${min}–${max} ${unit}, but ${value} was provided`,
      component,
    );
  }
}

/** `lowField` must not exceed `highField`. */
export function checkOrdered(
  component: pulumi.Resource,
  lowField: string,
  low: number,
  highField: string,
  high: number,
): void {
  if (low > high) {
    throw new pulumi.ResourceError(
      `\`${lowField}\` must be at most \`${highField}\` (${high}), but ${low} was provided`,
      component,
    );
  }
}

/** `field` must be one of `allowed`. */
export function checkOneOf<T extends string>(
  component: pulumi.Resource,
  field: string,
  value: string,
  allowed: readonly T[],
): asserts value is T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new pulumi.ResourceError(
      `\`${field}\` must be one of ${allowed.join(", ")}, but "${value}" was provided`,
      component,
    );
  }
}

/** `field` must match `pattern`; `rule` says in words what is allowed. */
export function checkPattern(
  component: pulumi.Resource,
  field: string,
  value: string,
  pattern: RegExp,
  rule: string,
): void {
  if (!pattern.test(value)) {
    throw new pulumi.ResourceError(
      `\`${field}\` must be ${rule}, but "${value}" was provided`,
      component,
    );
  }
}

/** `field` must hold at least one entry. */
export function checkNonEmpty(
  component: pulumi.Resource,
  field: string,
  values: readonly unknown[],
): void {
  if (values.length === 0) {
    throw new pulumi.ResourceError(
      `\`${field}\` must hold at least one entry, but none was provided`,
      component,
    );
  }
}

/** Every key of `provided` (e.g. push endpoints per region) must be present for `required`. */
export function checkKeys(
  component: pulumi.Resource,
  field: string,
  provided: Readonly<Record<string, unknown>>,
  required: readonly string[],
): void {
  const missing = required.filter((k) => provided[k] === undefined);
  if (missing.length > 0) {
    throw new pulumi.ResourceError(
      `\`${field}\` must have an entry for each of ${required.join(", ")}, but ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing`,
      component,
    );
  }
}

/**
 * Runs every check and throws one `pulumi.ResourceError` listing all their failures, as aws-cdk's
 * `validateAllProps` does, so that one run shows everything to fix. A single failure keeps its
 * own message.
 */
export function checkAll(component: pulumi.Resource, checks: readonly (() => void)[]): void {
  const failures: string[] = [];
  for (const check of checks) {
    try {
      check();
    } catch (err) {
      if (!(err instanceof pulumi.ResourceError)) throw err;
      failures.push(err.message);
    }
  }
  if (failures.length === 0) return;
  throw new pulumi.ResourceError(
    failures.length === 1
      ? failures[0]
      : `${failures.length} invalid arguments:\n${failures.map((f) => `  ${f}`).join("\n")}`,
    component,
  );
}

/**
 * The checks of the common placement arguments, for {@link checkAll}: a valid project id, a
 * known environment, and regions that all belong to the geography and resolve to GCP regions the
 * geography allows.
 */
export function platformChecks(component: pulumi.Resource, args: PlatformArgs): (() => void)[] {
  return [
    () => checkPattern(component, "project", args.project, PROJECT_ID.pattern, PROJECT_ID.rule),
    () => checkOneOf(component, "environment", args.environment, ENVIRONMENTS),
    () => checkNonEmpty(component, "regions", args.regions),
    // A region's GCP region is checked only once its id is known to the geography.
    ...args.regions.map((region) => () => {
      checkOneOf(component, "regions[].id", region.id, args.geography.regions);
      checkOneOf(
        component,
        `regions.${region.id}.gcpRegion`,
        region.gcpRegion,
        args.geography.allowedGcpRegions,
      );
    }),
  ];
}

/** Runs {@link platformChecks}, reporting every failure at once. */
export function checkPlatformArgs(component: pulumi.Resource, args: PlatformArgs): void {
  checkAll(component, platformChecks(component, args));
}
