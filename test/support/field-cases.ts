import { z } from "zod";

/**
 * Generates cases, field by field, from a zod object schema: values at the limits (valid) and
 * just past them, of the wrong type, and for lists of the wrong element type or with an
 * oversized element (invalid). The schema is read through zod's own JSON Schema export, so the
 * bounds the cases use are exactly the bounds the schema enforces.
 *
 * Valid values are built from a sample: strings are padded with `a` or cut to length, and list
 * elements are derived from the sample's elements, so patterns such as `^https://` keep
 * matching. A field bound to the request (`meta({ firestore })`, see
 * runtime/schemas/client-writes.ts) gets only a wrong-type case and, where it names a value, an
 * other-value case.
 */

export type FieldCaseKind =
  | "at-limit"
  | "at-minimum"
  | "over-limit"
  | "under-minimum"
  | "wrong-type"
  | "not-integer"
  | "pattern"
  | "not-in-enum"
  | "wrong-element-type"
  | "map-element"
  | "oversized-element"
  | "element-pattern"
  | "other-value"
  | "missing"
  | "unknown-field";

export interface FieldCase {
  /** The field the case is about (`unexpectedField` for the unknown-field case). */
  readonly field: string;
  readonly kind: FieldCaseKind;
  /** The whole document or body of the case. */
  readonly doc: Record<string, unknown>;
  /** Whether the description accepts it. */
  readonly valid: boolean;
  /**
   * The case is invalid because of the request, not the value (another uid, another geography);
   * the schema alone cannot judge it.
   */
  readonly contextual?: boolean;
}

export interface FieldCaseOptions {
  /** The document each case starts from (every field it changes replaces or extends it). */
  readonly base: Record<string, unknown>;
  /** A valid value for every field of the schema; lists need at least two elements. */
  readonly samples: Record<string, unknown>;
  /** Generate a missing case per required field. @default true */
  readonly missing?: boolean;
  /**
   * Every string and list must have a maximum (or, for strings, a pattern or format). Throws
   * naming an unbounded field. @default true
   */
  readonly requireBounds?: boolean;
  /** Another value for fields bound to the request, by binding (e.g. another uid). */
  readonly otherValues?: Readonly<Record<string, unknown>>;
}

/** A JSON Schema node as zod's export writes it (the parts the generator reads). */
interface Node {
  type?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  items?: Node | false;
  prefixItems?: Node[];
  properties?: Record<string, Node>;
  required?: string[];
  firestore?: string;
}

/** The schema as JSON Schema: the one reading of its bounds that the generators share. */
export function describe(schema: z.ZodType): Node {
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Node;
}

/** The fields of an object schema with whether each is required. */
export function fieldsOf(schema: z.ZodType): { name: string; required: boolean }[] {
  const node = describe(schema);
  const required = new Set(node.required ?? []);
  return Object.keys(node.properties ?? {}).map((name) => ({ name, required: required.has(name) }));
}

const pad = (s: string, n: number) =>
  s.length >= n ? s.slice(0, n) : s + "a".repeat(n - s.length);

/** Two lowercase letters that differ for each i < 676. */
const code = (i: number) =>
  String.fromCharCode(97 + (Math.floor(i / 26) % 26)) + String.fromCharCode(97 + (i % 26));

/** A string of length n derived from `s`, distinct per i (n ≥ 3). */
const distinct = (s: string, n: number, i: number) => pad(s, n - 2) + code(i);

/** A value that breaks a pattern anchored at the start: its first character replaced. */
const breakPattern = (s: string) => `!${s.slice(1)}`;

function wrongType(node: Node): unknown {
  switch (node.type) {
    case "string":
      return 7;
    case "integer":
    case "number":
      return "7";
    case "boolean":
      return "true";
    case "array":
      return "not-a-list";
    default:
      return 7;
  }
}

/** Generates every case of `schema` (see the module comment). */
export function fieldCases(schema: z.ZodType, options: FieldCaseOptions): FieldCase[] {
  const root = describe(schema);
  const props = root.properties ?? {};
  const required = new Set(root.required ?? []);
  const requireBounds = options.requireBounds ?? true;
  const cases: FieldCase[] = [];
  const missingSamples = Object.keys(props).filter((f) => !(f in options.samples));
  if (missingSamples.length) {
    throw new Error(`fieldCases: no sample value for ${missingSamples.join(", ")}`);
  }

  for (const [field, node] of Object.entries(props)) {
    const sample = options.samples[field];
    const add = (kind: FieldCaseKind, value: unknown, valid: boolean, contextual = false) =>
      cases.push({ field, kind, doc: { ...options.base, [field]: value }, valid, contextual });
    const unbounded = (what: string) => {
      if (requireBounds) throw new Error(`fieldCases: field ${field} has no ${what}`);
    };

    if (node.firestore) {
      add(
        "wrong-type",
        node.firestore === "request.time" ? "2026-01-01T00:00:00Z" : 7,
        false,
        true,
      );
      if (node.firestore === "contains auth.uid") {
        add(
          "other-value",
          (sample as unknown[]).map((_, i) => `stranger-${i}`),
          false,
          true,
        );
      } else if (options.otherValues?.[node.firestore] !== undefined) {
        add("other-value", options.otherValues[node.firestore], false, true);
      }
      if (node.firestore !== "contains auth.uid") continue;
    }

    switch (node.type) {
      case "string": {
        const s = String(sample);
        if (node.enum) {
          add("not-in-enum", "not-an-option", false);
          add("wrong-type", 7, false);
          break;
        }
        if (node.maxLength !== undefined) {
          add("at-limit", pad(s, node.maxLength), true);
          add("over-limit", pad(s, node.maxLength + 1), false);
        } else if (!node.pattern && !node.format) unbounded("maxLength");
        const min = node.minLength ?? 0;
        add("at-minimum", pad(s, min), true);
        if (min > 0) add("under-minimum", pad(s, min - 1), false);
        if (node.pattern) add("pattern", breakPattern(s), false);
        add("wrong-type", 7, false);
        break;
      }
      case "integer":
      case "number": {
        const n = Number(sample);
        const safe = (v: number | undefined) =>
          v !== undefined && Math.abs(v) < Number.MAX_SAFE_INTEGER ? v : undefined;
        const max = safe(node.maximum);
        const min = safe(node.minimum);
        // A number has a fixed size, so it needs no maximum to be bounded.
        if (max !== undefined) {
          add("at-limit", max, true);
          add("over-limit", max + 1, false);
        }
        if (min !== undefined) {
          add("at-minimum", min, true);
          add("under-minimum", min - 1, false);
        }
        if (node.type === "integer") add("not-integer", n + 0.5, false);
        add("wrong-type", String(n), false);
        break;
      }
      case "boolean":
        add("at-limit", !sample, true);
        add("wrong-type", "true", false);
        break;
      case "array": {
        const list = sample as unknown[];
        if (!Array.isArray(list) || list.length < 2) {
          throw new Error(`fieldCases: sample of list field ${field} needs at least two elements`);
        }
        const item = (node.items || node.prefixItems?.[0] || {}) as Node;
        const last = list[list.length - 1];
        const withLast = (v: unknown) => [...list.slice(0, -1), v];
        const element = (i: number, n?: number): unknown =>
          item.type === "string" && n !== undefined && n >= 3
            ? distinct(String(last), n, i)
            : structuredClone(last);
        if (node.maxItems !== undefined) {
          const full = [list[0]];
          for (let i = 1; i < node.maxItems; i++) full.push(element(i, item.maxLength));
          add("at-limit", full, true);
          const over = [list[0]];
          for (let i = 1; i <= node.maxItems; i++) over.push(element(i, item.maxLength));
          add("over-limit", over, false);
        } else unbounded("maxItems");
        if (node.minItems !== undefined && node.minItems > 0) {
          add("under-minimum", list.slice(0, node.minItems - 1), false);
        }
        add("wrong-type", wrongType(node), false);
        add("wrong-element-type", withLast(item.type === "string" ? 7 : "7"), false);
        add("map-element", withLast({ role: "admin", balanceCents: 1_000_000 }), false);
        if (item.type === "string") {
          if (item.maxLength !== undefined) {
            add("oversized-element", withLast(pad(String(last), item.maxLength + 1)), false);
          } else if (!item.pattern && !item.format) unbounded("element maxLength");
          if (item.pattern) add("element-pattern", withLast(breakPattern(String(last))), false);
        }
        break;
      }
      case "object":
        add("wrong-type", "not-an-object", false);
        break;
      default:
        if (!node.firestore) {
          throw new Error(`fieldCases: field ${field} has no type the generator knows`);
        }
    }
  }

  if (options.missing ?? true) {
    for (const field of required) {
      const doc = { ...options.base };
      delete doc[field];
      cases.push({ field, kind: "missing", doc, valid: false });
    }
  }
  cases.push({
    field: "unexpectedField",
    kind: "unknown-field",
    doc: { ...options.base, unexpectedField: "x" },
    valid: false,
  });
  return cases;
}

/**
 * Checks the generated cases against the schema itself: every valid case parses and every
 * invalid one (but those invalid only by the request) fails. Returns one line per disagreement.
 */
export function schemaDisagreements(schema: z.ZodType, cases: readonly FieldCase[]): string[] {
  return cases
    .filter((k) => !k.contextual && schema.safeParse(k.doc).success !== k.valid)
    .map((k) => `${k.field} ${k.kind}: the schema ${k.valid ? "rejects" : "accepts"} it`);
}

/** The schema under optional/default/nullable wrappers. */
function unwrapped(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable) {
    s = s.unwrap() as z.ZodType;
  }
  return s;
}

/**
 * The largest valid document an object schema describes, as far as the generator can tell:
 * every field at its at-limit value (strings at their maximum, lists full of the largest
 * elements), the rest as sampled.
 */
export function largestValid(schema: z.ZodType, sample: Record<string, unknown>): unknown {
  const shape = (unwrapped(schema) as z.ZodObject).shape as Record<string, z.ZodType>;
  const doc: Record<string, unknown> = { ...sample };
  for (const k of fieldCases(schema, { base: sample, samples: sample, requireBounds: false })) {
    if (k.kind !== "at-limit") continue;
    const field = unwrapped(shape[k.field]);
    const element = field instanceof z.ZodArray ? unwrapped(field.element as z.ZodType) : undefined;
    const items = k.doc[k.field];
    doc[k.field] =
      element instanceof z.ZodObject && Array.isArray(items)
        ? items.map((e) => largestValid(element, e as Record<string, unknown>))
        : items;
  }
  return doc;
}
