import type { PlanResource, PlanResourceOptions } from "../../plan/record";
import { covers, REPLACEMENT } from "./replacement";

/**
 * How a change to one resource plays out, as `pulumi preview` shows it: created (`+`), updated in
 * place (`~`), replaced (`+-`, the old resource is destroyed) or deleted (`-`). Shared by the
 * offline diff (cli/preview/diff.ts) and the stateful-destroy policy, which may see only the
 * resources' inputs and options (under `pulumi preview --policy-pack`).
 */
export type ChangeOp = "create" | "update" | "replace" | "delete";

/** The resource options a change compares: the plan's recorded options but secret outputs. */
export type ChangeOptions = Partial<Omit<PlanResourceOptions, "additionalSecretOutputs">>;

/** The options compared in a diff, each with the engine's default. */
const OPTION_DEFAULTS = {
  protect: false,
  ignoreChanges: [] as readonly string[],
  retainOnDelete: false,
  deleteBeforeReplace: false,
  replaceOnChanges: [] as readonly string[],
  deletedWith: "",
} as const;

/** Diff path prefix of a resource option (`(options).protect`). */
const OPTION_PREFIX = "(options).";

/** One leaf that differs; `before`/`after` are absent when the property is new/gone. */
export interface PropertyChange {
  /** Dotted path into the inputs (`template.containers[0].image`), or `(options).protect`, `(parent)`, `(dependencies)`. */
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** What a change to an existing resource does. */
export interface UpdateClass {
  readonly op: "update" | "replace";
  /** Input paths whose change forces the replacement (empty for an update). */
  readonly forcedBy: readonly string[];
  /** True when the type's forcing inputs are not established (REPLACEMENT has no entry). */
  readonly replacementUnknown: boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The leaves that differ between `a` and `b`, below `path`. */
function leafChanges(a: unknown, b: unknown, path = ""): PropertyChange[] {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort((x, y) =>
      x < y ? -1 : x > y ? 1 : 0,
    );
    return keys.flatMap((k) => leafChanges(a[k], b[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(a) && Array.isArray(b) && !path.startsWith("(")) {
    const n = Math.max(a.length, b.length);
    return Array.from({ length: n }, (_, i) => leafChanges(a[i], b[i], `${path}[${i}]`)).flat();
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  return [
    {
      path,
      ...(a === undefined ? {} : { before: a }),
      ...(b === undefined ? {} : { after: b }),
    },
  ];
}

/** The options with their defaults filled in. */
export function withDefaults(options: ChangeOptions | undefined): Required<ChangeOptions> {
  return { ...OPTION_DEFAULTS, ...(options ?? {}) } as Required<ChangeOptions>;
}

/** Changes of the resource options, as `(options).<name>` leaves (`protect: true → false`). */
function optionChanges(
  before: ChangeOptions | undefined,
  after: ChangeOptions | undefined,
): PropertyChange[] {
  const a = withDefaults(before);
  const b = withDefaults(after);
  return (Object.keys(OPTION_DEFAULTS) as Array<keyof ChangeOptions>).flatMap((k) =>
    JSON.stringify(a[k]) === JSON.stringify(b[k])
      ? []
      : [{ path: `${OPTION_PREFIX}${k}`, before: a[k], after: b[k] }],
  );
}

/**
 * Whether the input changes of a resource of `type` update it in place or replace it, and which
 * inputs force the replacement. Paths under the new options' `ignoreChanges` are left out, and its
 * `replaceOnChanges` force replacement like the provider's own list.
 */
function classifyUpdate(
  type: string,
  inputPaths: readonly string[],
  options?: ChangeOptions,
): UpdateClass {
  const { ignoreChanges, replaceOnChanges } = withDefaults(options);
  const effective = inputPaths.filter((p) => !ignoreChanges.some((i) => covers(i, p)));
  const rule = REPLACEMENT[type];
  const forces = [...(rule?.forces ?? []), ...replaceOnChanges];
  const forcedBy = effective.filter((p) => forces.some((f) => covers(f, p)));
  return {
    op: forcedBy.length > 0 ? "replace" : "update",
    forcedBy,
    replacementUnknown: rule === undefined && forcedBy.length === 0 && effective.length > 0,
  };
}

/** Pulumi's marker for an operation. */
export const OP_MARKER: Readonly<Record<ChangeOp, string>> = {
  create: "+",
  update: "~",
  replace: "+-",
  delete: "-",
};

/**
 * A resource as a diff compares it: a plan resource, or a resource under policy evaluation or
 * from a state export (which may lack its parent, dependencies and some options).
 */
export type ComparedResource = Pick<PlanResource, "urn" | "type" | "name" | "inputs"> &
  Partial<Pick<PlanResource, "parent" | "dependencies">> & { readonly options?: ChangeOptions };

/** A resource in both sets whose inputs, options, parent or dependencies differ. */
export interface ResourceChange extends UpdateClass {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly properties: readonly PropertyChange[];
  /** Options of the resource before the change (what guards the existing resource). */
  readonly optionsBefore: Required<ChangeOptions>;
  readonly optionsAfter: Required<ChangeOptions>;
}

/** Resources created, deleted and changed between two sets, by URN, in the order of `after`. */
export interface ResourceChanges<R extends ComparedResource> {
  readonly added: readonly R[];
  readonly removed: readonly R[];
  readonly changed: readonly ResourceChange[];
}

/** Compares two sets of resources by URN. */
export function compareResources<R extends ComparedResource>(
  before: readonly R[],
  after: readonly R[],
): ResourceChanges<R> {
  const old = new Map(before.map((r) => [r.urn, r]));
  const current = new Set(after.map((r) => r.urn));
  const changed: ResourceChange[] = [];
  for (const r of after) {
    const o = old.get(r.urn);
    if (!o) continue;
    const inputs = leafChanges(o.inputs, r.inputs);
    const properties = [
      ...inputs,
      ...optionChanges(o.options, r.options),
      ...leafChanges(o.parent ?? "", r.parent ?? "", "(parent)"),
      ...leafChanges(o.dependencies ?? [], r.dependencies ?? [], "(dependencies)"),
    ];
    if (properties.length === 0) continue;
    changed.push({
      urn: r.urn,
      type: r.type,
      name: r.name,
      properties,
      optionsBefore: withDefaults(o.options),
      optionsAfter: withDefaults(r.options),
      ...classifyUpdate(
        r.type,
        inputs.map((p) => p.path),
        r.options,
      ),
    });
  }
  return {
    added: after.filter((r) => !old.has(r.urn)),
    removed: before.filter((r) => !current.has(r.urn)),
    changed,
  };
}
