import { serverTimestamp, Timestamp, type DocumentData } from "firebase/firestore";
import type { z } from "zod";
import { CLIENT_WRITES, type ClientWriteName } from "../../runtime/schemas/client-writes";
import { fieldCases, type FieldCase } from "../support/field-cases";
import { AT, type Actor, type RulesCase, type World } from "./matrix";

/**
 * The generated half of the rules suite: for every client write the rules grant, cases built
 * field by field from its schema in runtime/schemas/client-writes.ts (see
 * test/support/field-cases.ts), each placed on its own document with the actor the write needs.
 */

/** Where one client write happens and who makes it. */
interface WriteTarget {
  /** The matrix's collection label. */
  readonly collection: string;
  readonly op: "create" | "update";
  /** The rules function that grants the write (its key lists are compared with the schema). */
  readonly rulesFunction: string;
  /** A valid value for every described field, consistent with the actor. */
  readonly samples: () => Record<string, unknown>;
  /** Actor, document path and the documents to seed for case `i`. */
  place(w: World, i: number): { actor: Actor; path: string; seed?: DocumentData };
}

const now = () => Timestamp.fromMillis(AT.getTime());

const profileSamples = () => ({
  displayName: "Dan",
  bio: "hello",
  photoUrl: "https://cdn.avalo.app/p.jpg",
  birthYear: 1990,
  interests: ["hiking", "board-games"],
});

const member = (w: World, uid: string): Actor => ({
  label: `user ${uid}`,
  uid,
  claims: { geo: "us", userShard: w.userShard(uid) },
});

/** Every client write, keyed by its schema's name in CLIENT_WRITES. */
export const WRITE_TARGETS: Record<ClientWriteName, WriteTarget> = {
  profileCreate: {
    collection: "users",
    op: "create",
    rulesFunction: "canCreateProfile",
    samples: () => ({ ...profileSamples(), geo: "us", createdAt: serverTimestamp() }),
    place: (w, i) => ({ actor: member(w, `gp${i}`), path: `${w.userShard(`gp${i}`)}/gp${i}` }),
  },
  profileUpdate: {
    collection: "users",
    op: "update",
    rulesFunction: "canUpdateProfile",
    samples: profileSamples,
    place: (w, i) => ({
      actor: member(w, `gu${i}`),
      path: `${w.userShard(`gu${i}`)}/gu${i}`,
      seed: { displayName: "Gus", geo: "us", createdAt: now() },
    }),
  },
  chatCreate: {
    collection: "chats",
    op: "create",
    rulesFunction: "canCreateChat",
    samples: () => ({ participants: ["alice", "carol"], createdAt: serverTimestamp() }),
    place: (w, i) => ({ actor: w.actors.owner, path: `${w.chat}/gc${i}` }),
  },
  messageCreate: {
    collection: "messages",
    op: "create",
    rulesFunction: "canSendMessage",
    samples: () => ({ senderId: "alice", text: "hello", sentAt: serverTimestamp() }),
    place: (w, i) => ({ actor: w.actors.owner, path: `${w.chat}/c1/messages/g${i}` }),
  },
  messageModeration: {
    collection: "messages",
    op: "update",
    rulesFunction: "canModerateMessage",
    samples: () => ({ hidden: true, moderatedBy: "mo" }),
    place: (w, i) => ({
      actor: w.actors.moderator,
      path: `${w.chat}/c1/messages/gm${i}`,
      seed: { senderId: "bob", text: "hi", sentAt: now() },
    }),
  },
  feedSeenUpdate: {
    collection: "feeds",
    op: "update",
    rulesFunction: "canMarkFeedSeen",
    samples: () => ({ seen: true }),
    place: (w, i) => ({
      actor: w.actors.owner,
      path: `${w.feed}/gf${i}`,
      seed: { ownerId: "alice", authorId: "bob", postId: "p1", seen: false },
    }),
  },
};

/** Values the rules refuse for fields bound to the request. */
const OTHER_VALUES = { "auth.uid": "mallory", "home geography": "eu" };

/** The field cases of one write from `schema` (the real one unless a test swaps it). */
export function writeCases(
  name: ClientWriteName,
  schema: z.ZodType = CLIENT_WRITES[name],
): FieldCase[] {
  const target = WRITE_TARGETS[name];
  const samples = target.samples();
  const shape = (schema as z.ZodObject).shape as Record<string, z.ZodType>;
  const base = Object.fromEntries(
    Object.entries(samples).filter(([f]) => f in shape && !shape[f].safeParse(undefined).success),
  );
  // An update leaves unsent fields as stored, so a missing field is not a case there.
  return fieldCases(schema, {
    base,
    samples,
    missing: target.op === "create",
    otherValues: OTHER_VALUES,
  });
}

export interface GeneratedRules {
  readonly cases: RulesCase[];
  /** Documents the cases update; seed them before playing. */
  readonly seed: Record<string, DocumentData>;
}

/** Turns field cases into matrix cases on their own documents. */
export function rulesCasesFor(
  w: World,
  writes: Partial<Record<ClientWriteName, FieldCase[]>>,
): GeneratedRules {
  const cases: RulesCase[] = [];
  const seed: Record<string, DocumentData> = {};
  let i = 0;
  for (const [name, fieldCasesOfWrite] of Object.entries(writes) as [
    ClientWriteName,
    FieldCase[],
  ][]) {
    const target = WRITE_TARGETS[name];
    for (const k of fieldCasesOfWrite) {
      const place = target.place(w, i++);
      if (place.seed) seed[place.path] = place.seed;
      cases.push({
        collection: target.collection,
        op: target.op,
        actor: place.actor,
        path: place.path,
        expect: k.valid ? "allow" : "deny",
        what: `${name}.${k.field} ${k.kind}`,
        data: () => k.doc,
      });
    }
  }
  return { cases, seed };
}

/** Every write's generated cases from the real schemas. */
export function allWriteCases(): Record<ClientWriteName, FieldCase[]> {
  return Object.fromEntries(
    (Object.keys(WRITE_TARGETS) as ClientWriteName[]).map((n) => [n, writeCases(n)]),
  ) as Record<ClientWriteName, FieldCase[]>;
}

/** A key list (`hasOnly([...])` or `hasAll([...])`) of a rules function, sorted. */
export function rulesKeyList(
  source: string,
  fn: string,
  list: "hasOnly" | "hasAll",
): string[] | undefined {
  const body = new RegExp(`function ${fn}\\([^)]*\\) \\{([\\s\\S]*?)\\n    \\}`).exec(source)?.[1];
  if (body === undefined) throw new Error(`firestore.rules has no function ${fn}`);
  const keys = new RegExp(`${list}\\(\\[([^\\]]*)\\]\\)`).exec(body)?.[1];
  return keys
    ?.split(",")
    .map((k) => k.trim().replace(/^'|'$/g, ""))
    .filter(Boolean)
    .sort();
}
