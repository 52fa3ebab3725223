import { z } from "zod";
import { GEOGRAPHY_IDS } from "../topology";

/**
 * Every document field the mobile app may write directly to Firestore, with its type and size
 * bounds: one schema per client write that `firestore.rules` grants. The rules enforce exactly
 * these (test/rules/client-writes.test.ts generates at-limit, over-limit and wrong-type cases from
 * these schemas and plays them on the emulator), and server code that writes or reads the same
 * documents validates with them too.
 *
 * Fields whose value the rules tie to the request carry `meta({ firestore })`:
 * - `request.time`: the client writes `serverTimestamp()`;
 * - `auth.uid`: the caller's own uid;
 * - `contains auth.uid`: a list that includes the caller's uid (kept as its first element in
 *   generated cases);
 * - `home geography`: the geography of the database written to.
 */

/** What the rules require of a field beyond its type and size. */
export type FirestoreBinding = "request.time" | "auth.uid" | "contains auth.uid" | "home geography";

const bound = (firestore: FirestoreBinding) => ({ firestore });

/** A user id as Firebase Auth issues it. */
export const userId = z.string().min(1).max(128);

/** A field the client sets to `serverTimestamp()`; the rules require it to equal `request.time`. */
export const serverTime = z.custom<unknown>((v) => v !== undefined).meta(bound("request.time"));

/**
 * An interest: a tag from the app's interest vocabulary, written as a slug of 1–40 characters
 * (lowercase ASCII letters, digits and `-`, starting with a letter), e.g. `hiking`, `board-games`.
 * Free text belongs in `bio`.
 */
export const interest = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z][a-z0-9-]*$/, "must be a lowercase slug: a-z first, then a-z, 0-9 or -");

/** The most interests a profile holds; the rules check each index up to this bound. */
export const MAX_INTERESTS = 20;

/** A profile's interests: at most {@link MAX_INTERESTS}, no repeats. */
export const interests = z
  .array(interest)
  .max(MAX_INTERESTS)
  .refine((l) => new Set(l).size === l.length, "must not repeat an interest");

/** The profile fields a user may set and edit; every other profile field is server-owned. */
export const profileFields = z.strictObject({
  displayName: z.string().min(1).max(50),
  bio: z.string().max(500).optional(),
  photoUrl: z
    .string()
    .min(9)
    .max(2048)
    .regex(/^https:\/\/.+/, "must be an https:// URL")
    .optional(),
  birthYear: z.number().int().min(1900).max(2020).optional(),
  interests: interests.optional(),
});

/** `/user_shard_NNN/{uid}` create: the profile's editable fields plus its geography and time. */
export const profileCreate = profileFields.extend({
  geo: z.enum(GEOGRAPHY_IDS).meta(bound("home geography")),
  createdAt: serverTime,
});

/** `/user_shard_NNN/{uid}` update: any of the editable fields (the whole result must be valid). */
export const profileUpdate = profileFields.partial();

/** `/chat_shard_…/{chatId}` create: two different participants, the caller among them. */
export const chatCreate = z.strictObject({
  participants: z
    .array(userId)
    .length(2)
    .refine(([a, b]) => a !== b, "must be two different users")
    .meta(bound("contains auth.uid")),
  createdAt: serverTime,
});

/** `/chat_shard_…/{chatId}/messages/{messageId}` create by a participant, as herself. */
export const messageCreate = z.strictObject({
  senderId: userId.meta(bound("auth.uid")),
  text: z.string().min(1).max(2000),
  sentAt: serverTime,
});

/** A moderator's update of a message: hides (or unhides) it and signs the change. */
export const messageModeration = z.strictObject({
  hidden: z.boolean(),
  moderatedBy: userId.meta(bound("auth.uid")),
});

/** `/feed_shard_…/{entryId}` update by its owner: marks the entry seen. */
export const feedSeenUpdate = z.strictObject({
  seen: z.boolean(),
});

/** Every client write the rules grant, by name. */
export const CLIENT_WRITES = {
  profileCreate,
  profileUpdate,
  chatCreate,
  messageCreate,
  messageModeration,
  feedSeenUpdate,
} as const;
export type ClientWriteName = keyof typeof CLIENT_WRITES;
