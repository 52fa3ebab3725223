import { z } from "zod";
import { REGION_IDS } from "../topology";
import { profileFields } from "./client-writes";

/**
 * Event payload schemas, one per pipeline. The catalog attaches each to its topic; the publisher
 * validates against it before sending and the consumer core validates again on receipt.
 */

const id = z.string().min(1).max(128);
const isoTime = z.iso.datetime({ offset: true });
const country = z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code");

export const userCreatedEvent = z.object({
  userId: id,
  /** Written to the profile, whose rules then hold every later client edit to the same bound. */
  displayName: profileFields.shape.displayName,
  country,
  createdAt: isoTime,
});

export const matchCreatedEvent = z.object({
  matchId: id,
  userIds: z.tuple([id, id]).refine(([a, b]) => a !== b, "a match needs two different users"),
  createdAt: isoTime,
});

export const feedFanoutEvent = z.object({
  postId: id,
  authorId: id,
  createdAt: isoTime,
  /** Continuation cursor: the last follower id already written, for very large follower lists. */
  followerCursor: id.optional(),
});

export const aiGenerationEvent = z.object({
  requestId: id,
  userId: id,
  companionId: id,
  prompt: z.string().min(1).max(4000),
});

export const notificationBatchEvent = z.object({
  notificationId: id,
  userId: id,
  kind: z.enum(["match", "message", "like", "follow", "ai", "system", "fraud"]),
  title: z.string().min(1).max(120),
  body: z.string().max(1000),
});

export const analyticsAggregationEvent = z.object({
  eventName: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
  userId: id.optional(),
  at: isoTime,
  value: z.number().finite().default(1),
});

export const mediaTranscodeEvent = z.object({
  mediaId: id,
  ownerId: id,
  contentType: z.string().min(3).max(100),
  sourceUri: z.string().min(1).max(1024),
});

export const fraudCheckEvent = z.object({
  transactionId: id,
  userId: id,
  amountMinor: z.number().int().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  deviceId: id,
  country,
});

/** The versioned envelope every event travels in. */
export const eventEnvelope = z.object({
  id: id,
  type: z.string().min(1),
  version: z.number().int().positive(),
  occurredAt: isoTime,
  region: z.enum(REGION_IDS),
  data: z.unknown(),
});
export type EventEnvelope = z.infer<typeof eventEnvelope>;
