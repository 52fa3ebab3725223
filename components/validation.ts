import * as pulumi from "@pulumi/pulumi";
import { ENVIRONMENTS, type PlatformArgs } from "./context";

/**
 * Argument checks for components, one helper per shape of check, so that every error reads the
 * same way and names the argument, the value it got and what is allowed. Each throws a
 * `pulumi.ResourceError` attached to the component being constructed.
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

const PROJECT_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;

/**
 * The common placement arguments: a valid project id, a known environment, and regions that all
 * belong to the geography and resolve to GCP regions the geography allows.
 */
export function checkPlatformArgs(component: pulumi.Resource, args: PlatformArgs): void {
  checkPattern(
    component,
    "project",
    args.project,
    PROJECT_ID,
    "6–30 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen",
  );
  checkOneOf(component, "environment", args.environment, ENVIRONMENTS);
  checkNonEmpty(component, "regions", args.regions);
  for (const region of args.regions) {
    checkOneOf(component, "regions[].id", region.id, args.geography.regions);
    checkOneOf(
      component,
      `regions.${region.id}.gcpRegion`,
      region.gcpRegion,
      args.geography.allowedGcpRegions,
    );
  }
}
