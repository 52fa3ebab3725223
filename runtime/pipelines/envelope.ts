import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { PipelineSpec } from "../catalog/pipelines";
import { eventEnvelope, type EventEnvelope } from "../schemas/events";
import { isRegionId, REGION_IDS, type RegionId } from "../topology";
import { EventValidationError, PoisonMessageError } from "./errors";

/**
 * The versioned envelope every event travels in ({id, type, version, occurredAt, region, data})
 * and the attributes mirrored from it (type, version, region, id), plus the decoder the consumer
 * core uses to turn a delivered message back into a validated envelope.
 */

/** An envelope whose `data` has been validated against the pipeline's schema. */
export interface Envelope<D = unknown> extends Omit<EventEnvelope, "data"> {
  readonly data: D;
}

/** Message attributes carried by every event. */
export interface EnvelopeAttributes {
  readonly type: string;
  readonly version: string;
  readonly region: RegionId;
  readonly id: string;
  readonly [key: string]: string;
}

/** Options of `createEnvelope`. */
export interface EnvelopeArgs {
  /** Region the event belongs to; routes it to that region's consumer. */
  readonly region: RegionId;
  /** Event id; give a deterministic id for events derived from another event. @default random UUID */
  readonly id?: string;
  /** @default now */
  readonly occurredAt?: Date;
}

/** The data type a pipeline carries. */
export type EventOf<P extends PipelineSpec> = z.input<P["schema"]>;
export type DataOf<P extends PipelineSpec> = z.output<P["schema"]>;

/** Validates `data` against the pipeline's schema; throws `EventValidationError` naming the field. */
export function validateData<P extends PipelineSpec>(spec: P, data: unknown): DataOf<P> {
  const parsed = spec.schema.safeParse(data);
  if (parsed.success) return parsed.data as DataOf<P>;
  const issue = parsed.error.issues[0];
  const path = issue.path.map(String);
  throw new EventValidationError(spec.name, path.join("."), issue.message, valueAt(data, path));
}

/** Builds a validated envelope for `data`. */
export function createEnvelope<P extends PipelineSpec>(
  spec: P,
  data: EventOf<P>,
  args: EnvelopeArgs,
): Envelope<DataOf<P>> {
  const valid = validateData(spec, data);
  const id = args.id ?? randomUUID();
  // Only the caller-supplied fields need checking; type, version and occurredAt are ours.
  if (id.length < 1 || id.length > 128) {
    throw new EventValidationError(spec.name, "envelope.id", "must be 1–128 characters", id);
  }
  if (!isRegionId(args.region)) {
    throw new EventValidationError(
      spec.name,
      "envelope.region",
      `must be one of ${REGION_IDS.join(", ")}`,
      args.region,
    );
  }
  return {
    id,
    type: spec.eventType,
    version: spec.schemaVersion,
    occurredAt: (args.occurredAt ?? new Date()).toISOString(),
    region: args.region,
    data: valid,
  };
}

/** The attributes mirrored from an envelope. */
export function envelopeAttributes(envelope: Envelope): EnvelopeAttributes {
  return {
    type: envelope.type,
    version: String(envelope.version),
    region: envelope.region,
    id: envelope.id,
  };
}

/** The wire form of an envelope. */
export function encodeEnvelope(envelope: Envelope): Buffer {
  return Buffer.from(JSON.stringify(envelope));
}

/**
 * Decodes and validates a delivered message. Anything that can never succeed throws a
 * `PoisonMessageError` whose `reason` says why: `malformed` (not JSON), `invalid-envelope`,
 * `wrong-type` (type or version of another pipeline) or `invalid-data` (schema mismatch).
 */
export function decodeEnvelope<P extends PipelineSpec>(spec: P, data: Buffer): Envelope<DataOf<P>> {
  let raw: unknown;
  try {
    raw = JSON.parse(data.toString("utf8"));
  } catch (err) {
    throw new PoisonMessageError(
      "malformed",
      `message data is not JSON: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const envelope = eventEnvelope.safeParse(raw);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    throw new PoisonMessageError(
      "invalid-envelope",
      `envelope field "${issue.path.map(String).join(".") || "(root)"}" ${issue.message}`,
    );
  }
  const { type, version } = envelope.data;
  if (type !== spec.eventType || version !== spec.schemaVersion) {
    throw new PoisonMessageError(
      "wrong-type",
      `pipeline "${spec.name}" takes ${spec.eventType} v${spec.schemaVersion}, got ${type} v${version}`,
    );
  }
  try {
    return { ...envelope.data, data: validateData(spec, envelope.data.data) };
  } catch (err) {
    throw new PoisonMessageError("invalid-data", (err as Error).message, { cause: err });
  }
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
