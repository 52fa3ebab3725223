import type { RulesTestEnvironment } from "@firebase/rules-unit-testing";
import {
  collection,
  deleteDoc,
  doc,
  getDoc,
  getDocs,
  query,
  serverTimestamp,
  setDoc,
  Timestamp,
  updateDoc,
  where,
  writeBatch,
  type DocumentData,
  type Firestore,
} from "firebase/firestore";
import {
  formatShardId,
  DEFAULT_SHARD_CONFIG,
  getChatShardId,
  getFeedShardId,
  getTransactionShardId,
  getAnalyticsShardId,
  getUserShardId,
} from "../../runtime/sharding";
import { counterDocId, counterId } from "../../runtime/counters/kinds";

/**
 * The rules matrix: collection × operation × actor with the expected outcome, and a runner that
 * plays it against a rules test environment on the Firestore emulator. Every case is
 * independent (its own document wherever it writes), so the cases run concurrently and the same
 * matrix can be replayed against allow-all rules as a control.
 */

export type Operation = "get" | "list" | "create" | "update" | "delete";
export type Outcome = "allow" | "deny";

/** Who acts: a uid with custom claims, or nobody (`null`). */
export interface Actor {
  readonly label: string;
  readonly uid: string | null;
  readonly claims?: Readonly<Record<string, unknown>>;
}

export interface RulesCase {
  readonly collection: string;
  readonly op: Operation;
  readonly actor: Actor;
  readonly path: string;
  readonly expect: Outcome;
  readonly what: string;
  /** Fields for create and update. */
  readonly data?: () => DocumentData;
  /** Equality / array-contains filter for list. */
  readonly filter?: readonly [string, "==" | "array-contains", unknown];
}

/** The fixed moment the world is built at (shard ids carry its month, day and hour). */
export const AT = new Date(Date.UTC(2026, 10, 25, 14, 30));

/** Shard ids and actors of the test world; computed after `initSharding()`. */
export function buildWorld() {
  const claims = (uid: string, extra: Record<string, unknown> = {}) => ({
    geo: "us",
    userShard: getUserShardId(uid),
    ...extra,
  });
  const actor = (label: string, uid: string, extra: Record<string, unknown> = {}): Actor => ({
    label,
    uid,
    claims: claims(uid, extra),
  });
  const actors = {
    owner: actor("owner", "alice"),
    participant: actor("participant", "bob"),
    other: actor("other user", "carol"),
    admin: actor("admin", "ada", { role: "admin" }),
    moderator: actor("moderator", "mo", { role: "moderator" }),
    support: actor("support", "sue", { role: "support" }),
    unauthenticated: { label: "unauthenticated", uid: null } as Actor,
    ownerAbroad: actor("owner (eu claim)", "alice", { geo: "eu" }),
    adminAbroad: actor("admin (eu claim)", "ada", { role: "admin", geo: "eu" }),
  };
  const userShard = (uid: string) => getUserShardId(uid);
  const otherUserShard = (uid: string) =>
    formatShardId(DEFAULT_SHARD_CONFIG.user, (Number(userShard(uid).slice(-3)) + 1) % 100);
  const chat = getChatShardId(["alice", "bob"], AT);
  const chatNumber = Number(chat.slice(-4));
  const guessedChat = formatShardId(DEFAULT_SHARD_CONFIG.chat, (chatNumber + 1) % 1000, AT);
  return {
    actors,
    userShard,
    otherUserShard,
    chat,
    guessedChat,
    feed: getFeedShardId("alice", AT),
    txn: getTransactionShardId("alice", AT),
    analytics: getAnalyticsShardId("alice", AT),
    followers: `counters_followers/${counterDocId(counterId("followers", "alice"))}`,
  };
}

export type World = ReturnType<typeof buildWorld>;

const now = () => Timestamp.fromMillis(AT.getTime());

/** Documents every case may read; written with rules disabled before the matrix runs. */
export function seed(w: World): Record<string, DocumentData> {
  const profile = (name: string) => ({ displayName: name, geo: "us", createdAt: now() });
  const chat = { participants: ["alice", "bob"], createdAt: now() };
  const message = { senderId: "bob", text: "hi alice", sentAt: now() };
  const audit = {
    actor: "service:batch-processor",
    action: "data.export",
    target: "user#0",
    reason: "r",
    requestId: "q",
    time: now(),
  };
  return {
    [`${w.userShard("alice")}/alice`]: profile("Alice"),
    [`${w.userShard("bob")}/bob`]: profile("Bob"),
    [`${w.userShard("dora")}/dora`]: profile("Dora"),
    [`${w.chat}/c1`]: chat,
    [`${w.chat}/c-del`]: chat,
    [`${w.chat}/c1/messages/m1`]: message,
    [`${w.chat}/c1/messages/m-hide`]: message,
    [`${w.chat}/c1/messages/m-edit`]: message,
    [`${w.chat}/c1/messages/m-own`]: { ...message, senderId: "alice" },
    [`${w.feed}/f1`]: { ownerId: "alice", authorId: "bob", postId: "p1", seen: false },
    ["feed_shard_2026_11_25_500/f1"]: { ownerId: "alice", authorId: "bob", seen: false },
    [`${w.txn}/t1`]: { userId: "alice", amountCents: 500, kind: "purchase" },
    ["txn_shard_2026_11_045/t1"]: { userId: "alice", amountCents: 500, kind: "purchase" },
    [`${w.analytics}/a1`]: { userId: "alice", event: "profile_view" },
    [w.followers]: { count: 0 },
    [`${w.followers}/shards/0`]: { count: 3 },
    ["wallets/alice"]: { balanceCents: 1000 },
    ["fraud_decisions/d1"]: { userId: "alice", decision: "review", score: 0.7 },
    ["roles/ada"]: { role: "admin" },
    ["audit_log/e1"]: audit,
    ["audit_log/e-del"]: audit,
    ["users/alice"]: profile("Alice"),
  };
}

const profileData =
  (extra: DocumentData = {}) =>
  () => ({
    displayName: "Dan",
    geo: "us",
    createdAt: serverTimestamp(),
    ...extra,
  });

/** The matrix. Read it as a table: collection, operation, actor, expected outcome, why. */
export function buildMatrix(w: World): RulesCase[] {
  const a = w.actors;
  const aliceDoc = `${w.userShard("alice")}/alice`;
  const newUser = (uid: string, extra: Record<string, unknown> = {}): Actor => ({
    label: `new user ${uid}`,
    uid,
    claims: { geo: "us", userShard: w.userShard(uid), ...extra },
  });
  const c = (
    collection: string,
    op: Operation,
    actor: Actor,
    path: string,
    expect: Outcome,
    what: string,
    more: Partial<RulesCase> = {},
  ): RulesCase => ({ collection, op, actor, path, expect, what, ...more });
  const text = (n: number) => "x".repeat(n);
  const message =
    (senderId: string, body = "hello") =>
    () => ({
      senderId,
      text: body,
      sentAt: serverTimestamp(),
    });
  const newChat =
    (participants: string[], extra: DocumentData = {}) =>
    () => ({
      participants,
      createdAt: serverTimestamp(),
      ...extra,
    });
  const m1 = `${w.chat}/c1/messages/m1`;

  return [
    // users: /user_shard_NNN/{userId}
    c("users", "get", a.owner, aliceDoc, "allow", "reads own profile"),
    c("users", "get", a.other, aliceDoc, "deny", "reads another user's profile"),
    c("users", "get", a.participant, aliceDoc, "deny", "chat partner reads the profile"),
    c("users", "get", a.admin, aliceDoc, "allow", "admin reads a profile"),
    c("users", "get", a.support, aliceDoc, "allow", "support reads a profile"),
    c("users", "get", a.moderator, aliceDoc, "deny", "moderator has no profile grant"),
    c("users", "get", a.unauthenticated, aliceDoc, "deny", "anonymous read"),
    c("users", "get", a.ownerAbroad, aliceDoc, "deny", "owner with another geography's claim"),
    c(
      "users",
      "create",
      newUser("dan1"),
      `${w.userShard("dan1")}/dan1`,
      "allow",
      "creates own profile in own shard",
      { data: profileData() },
    ),
    c(
      "users",
      "create",
      newUser("dan2"),
      `${w.otherUserShard("dan2")}/dan2`,
      "deny",
      "cross-shard: own profile in another shard",
      { data: profileData() },
    ),
    c(
      "users",
      "create",
      newUser("dan3"),
      `${w.userShard("dan3")}/dan3`,
      "deny",
      "server-only field balanceCents on create",
      { data: profileData({ balanceCents: 100000 }) },
    ),
    c(
      "users",
      "create",
      newUser("dan4"),
      `${w.userShard("dan4")}/dan4`,
      "deny",
      "geo field of another geography",
      { data: profileData({ geo: "eu" }) },
    ),
    c(
      "users",
      "create",
      newUser("dan5"),
      `${w.userShard("dan5")}/dan5`,
      "deny",
      "displayName over 50 characters",
      { data: profileData({ displayName: text(51) }) },
    ),
    c(
      "users",
      "create",
      newUser("dan6"),
      `${w.userShard("dan6")}/dan6`,
      "deny",
      "missing createdAt",
      { data: () => ({ displayName: "Dan", geo: "us" }) },
    ),
    c(
      "users",
      "create",
      newUser("dan7"),
      `${w.userShard("dan7")}/dan7`,
      "deny",
      "birthYear of the wrong type",
      { data: profileData({ birthYear: "1990" }) },
    ),
    c(
      "users",
      "create",
      newUser("dan10"),
      `${w.userShard("dan10")}/dan10`,
      "allow",
      "interests from the vocabulary",
      { data: profileData({ interests: ["hiking", "board-games", "k-pop"] }) },
    ),
    c(
      "users",
      "create",
      newUser("dan11"),
      `${w.userShard("dan11")}/dan11`,
      "deny",
      "one 100 KB interest (attack run)",
      { data: profileData({ interests: ["hiking", text(100_000)] }) },
    ),
    c(
      "users",
      "create",
      newUser("dan12"),
      `${w.userShard("dan12")}/dan12`,
      "deny",
      "server-looking map inside interests (attack run)",
      { data: profileData({ interests: [{ role: "admin", balanceCents: 1_000_000 }] }) },
    ),
    c(
      "users",
      "create",
      newUser("dan13"),
      `${w.userShard("dan13")}/dan13`,
      "deny",
      "the same interest twice",
      { data: profileData({ interests: ["hiking", "hiking"] }) },
    ),
    c("users", "update", a.owner, aliceDoc, "deny", "100 KB string as the 20th interest", {
      data: () => ({
        interests: [...Array.from({ length: 19 }, (_, i) => `topic-${i}`), text(100_000)],
      }),
    }),
    c(
      "users",
      "create",
      newUser("dan8", { userShard: "user_shard_100" }),
      "user_shard_100/dan8",
      "deny",
      "malformed shard (100 is out of range) even with a matching claim",
      { data: profileData() },
    ),
    c(
      "users",
      "create",
      newUser("dan9", { userShard: "user_shard_42" }),
      "user_shard_42/dan9",
      "deny",
      "malformed shard (two digits)",
      { data: profileData() },
    ),
    c(
      "users",
      "create",
      a.other,
      `${w.userShard("carol")}/alice`,
      "deny",
      "creates a profile for another uid",
      { data: profileData() },
    ),
    c("users", "update", a.owner, aliceDoc, "allow", "edits own displayName and bio", {
      data: () => ({ displayName: "Alice B", bio: "hi" }),
    }),
    c("users", "update", a.owner, aliceDoc, "deny", "sets server-only verified flag", {
      data: () => ({ verified: true }),
    }),
    c("users", "update", a.owner, aliceDoc, "deny", "grants herself a role field", {
      data: () => ({ role: "admin" }),
    }),
    c("users", "update", a.owner, aliceDoc, "deny", "bio over 500 characters", {
      data: () => ({ bio: text(501) }),
    }),
    c("users", "update", a.owner, aliceDoc, "deny", "photoUrl that is not https", {
      data: () => ({ photoUrl: "http://x.example/p.png" }),
    }),
    c("users", "update", a.owner, aliceDoc, "deny", "changes geo", { data: () => ({ geo: "eu" }) }),
    c("users", "update", a.other, aliceDoc, "deny", "edits another user's profile", {
      data: () => ({ displayName: "pwned" }),
    }),
    c("users", "update", a.admin, aliceDoc, "deny", "admin edits a profile directly", {
      data: () => ({ displayName: "x" }),
    }),
    c("users", "update", a.moderator, aliceDoc, "deny", "moderator edits a profile", {
      data: () => ({ displayName: "x" }),
    }),
    c(
      "users",
      "delete",
      newUser("dora"),
      `${w.userShard("dora")}/dora`,
      "deny",
      "deletes own profile (GDPR job only)",
    ),
    c("users", "get", a.owner, "users/alice", "deny", "foreign collection name for users"),

    // chats: /chat_shard_YYYY_MM_NNNN/{chatId}
    c("chats", "get", a.owner, `${w.chat}/c1`, "allow", "participant alice reads the chat"),
    c("chats", "get", a.participant, `${w.chat}/c1`, "allow", "participant bob reads the chat"),
    c("chats", "get", a.other, `${w.chat}/c1`, "deny", "non-participant reads the chat"),
    c("chats", "get", a.moderator, `${w.chat}/c1`, "allow", "moderator reads a chat"),
    c("chats", "get", a.admin, `${w.chat}/c1`, "deny", "admin has no chat grant"),
    c("chats", "get", a.support, `${w.chat}/c1`, "deny", "support has no chat grant"),
    c("chats", "get", a.unauthenticated, `${w.chat}/c1`, "deny", "anonymous read"),
    c("chats", "get", a.other, `${w.guessedChat}/c1`, "deny", "guessed chat shard id"),
    c("chats", "list", a.owner, w.chat, "allow", "lists own chats", {
      filter: ["participants", "array-contains", "alice"],
    }),
    c("chats", "list", a.other, w.chat, "deny", "lists alice's chats", {
      filter: ["participants", "array-contains", "alice"],
    }),
    c("chats", "create", a.owner, `${w.chat}/c-new1`, "allow", "starts a chat with carol", {
      data: newChat(["alice", "carol"]),
    }),
    c(
      "chats",
      "create",
      a.owner,
      `${w.chat}/c-new2`,
      "deny",
      "creates a chat between two other users",
      { data: newChat(["bob", "carol"]) },
    ),
    c(
      "chats",
      "create",
      a.owner,
      `${w.chat}/c-new3`,
      "deny",
      "server-only lastMessageAt on create",
      { data: newChat(["alice", "carol"], { lastMessageAt: 1 }) },
    ),
    c("chats", "create", a.owner, `${w.chat}/c-new4`, "deny", "three participants", {
      data: newChat(["alice", "bob", "carol"]),
    }),
    c(
      "chats",
      "create",
      a.owner,
      "chat_shard_2026_13_0042/c-new5",
      "deny",
      "malformed shard (month 13)",
      { data: newChat(["alice", "carol"]) },
    ),
    c(
      "chats",
      "create",
      a.owner,
      "chat_shard_2026_11_1000/c-new6",
      "deny",
      "malformed shard (number 1000)",
      { data: newChat(["alice", "carol"]) },
    ),
    c(
      "chats",
      "create",
      a.owner,
      "chat_shard_2026_11_042/c-new7",
      "deny",
      "malformed shard (three digits)",
      { data: newChat(["alice", "carol"]) },
    ),
    c("chats", "update", a.owner, `${w.chat}/c1`, "deny", "participant rewrites participants", {
      data: () => ({ participants: ["alice", "carol"] }),
    }),
    c("chats", "delete", a.owner, `${w.chat}/c-del`, "deny", "participant deletes the chat"),

    // messages: /chat_shard_.../{chatId}/messages/{messageId}
    c("messages", "get", a.owner, m1, "allow", "participant reads a message"),
    c("messages", "get", a.other, m1, "deny", "non-participant reads a message"),
    c("messages", "get", a.moderator, m1, "allow", "moderator reads a message"),
    c("messages", "get", a.admin, m1, "deny", "admin has no message grant"),
    c(
      "messages",
      "create",
      a.owner,
      `${w.chat}/c1/messages/n1`,
      "allow",
      "participant sends as herself",
      { data: message("alice") },
    ),
    c("messages", "create", a.owner, `${w.chat}/c1/messages/n2`, "deny", "sends as bob", {
      data: message("bob"),
    }),
    c("messages", "create", a.other, `${w.chat}/c1/messages/n3`, "deny", "non-participant sends", {
      data: message("carol"),
    }),
    c(
      "messages",
      "create",
      a.owner,
      `${w.guessedChat}/c1/messages/n4`,
      "deny",
      "cross-shard: same chat id in a guessed shard",
      { data: message("alice") },
    ),
    c(
      "messages",
      "create",
      a.owner,
      `${w.chat}/c1/messages/n5`,
      "deny",
      "text over 2000 characters",
      { data: message("alice", text(2001)) },
    ),
    c("messages", "create", a.owner, `${w.chat}/c1/messages/n6`, "deny", "extra key on a message", {
      data: () => ({ ...message("alice")(), hidden: false }),
    }),
    c(
      "messages",
      "update",
      a.moderator,
      `${w.chat}/c1/messages/m-hide`,
      "allow",
      "moderator hides a message",
      { data: () => ({ hidden: true, moderatedBy: "mo" }) },
    ),
    c(
      "messages",
      "update",
      a.moderator,
      `${w.chat}/c1/messages/m-edit`,
      "deny",
      "moderator edits message text",
      { data: () => ({ text: "edited" }) },
    ),
    c(
      "messages",
      "update",
      a.owner,
      `${w.chat}/c1/messages/m-own`,
      "deny",
      "sender edits her message",
      { data: () => ({ text: "edited" }) },
    ),
    c(
      "messages",
      "delete",
      a.owner,
      `${w.chat}/c1/messages/m-own`,
      "deny",
      "sender deletes her message",
    ),

    // feeds: /feed_shard_YYYY_MM_DD_NNN/{entryId}
    c("feeds", "get", a.owner, `${w.feed}/f1`, "allow", "owner reads own feed entry"),
    c(
      "feeds",
      "get",
      a.participant,
      `${w.feed}/f1`,
      "deny",
      "the post's author reads alice's feed",
    ),
    c("feeds", "get", a.admin, `${w.feed}/f1`, "deny", "admin has no feed grant"),
    c("feeds", "get", a.unauthenticated, `${w.feed}/f1`, "deny", "anonymous read"),
    c("feeds", "update", a.owner, `${w.feed}/f1`, "allow", "marks an entry seen", {
      data: () => ({ seen: true }),
    }),
    c("feeds", "update", a.owner, `${w.feed}/f1`, "deny", "reassigns the entry's owner", {
      data: () => ({ ownerId: "carol" }),
    }),
    c(
      "feeds",
      "create",
      a.owner,
      `${w.feed}/f-new`,
      "deny",
      "writes a feed entry (feed-worker only)",
      { data: () => ({ ownerId: "alice", authorId: "alice", postId: "p9" }) },
    ),
    c(
      "feeds",
      "get",
      a.owner,
      "feed_shard_2026_11_25_500/f1",
      "deny",
      "malformed shard (number 500)",
    ),

    // transactions: /transaction_shard_YYYY_MM_NNN/{txnId}
    c("transactions", "get", a.owner, `${w.txn}/t1`, "allow", "owner reads own transaction"),
    c("transactions", "get", a.other, `${w.txn}/t1`, "deny", "another user reads it"),
    c("transactions", "get", a.support, `${w.txn}/t1`, "allow", "support reads a transaction"),
    c("transactions", "get", a.admin, `${w.txn}/t1`, "allow", "admin reads a transaction"),
    c(
      "transactions",
      "get",
      a.moderator,
      `${w.txn}/t1`,
      "deny",
      "moderator has no transaction grant",
    ),
    c(
      "transactions",
      "get",
      a.adminAbroad,
      `${w.txn}/t1`,
      "deny",
      "admin homed in another geography",
    ),
    c("transactions", "list", a.owner, w.txn, "allow", "lists own transactions", {
      filter: ["userId", "==", "alice"],
    }),
    c("transactions", "list", a.other, w.txn, "deny", "lists alice's transactions", {
      filter: ["userId", "==", "alice"],
    }),
    c("transactions", "create", a.owner, `${w.txn}/t-new`, "deny", "credits herself", {
      data: () => ({ userId: "alice", amountCents: 100000, kind: "credit" }),
    }),
    c("transactions", "update", a.owner, `${w.txn}/t1`, "deny", "changes an amount", {
      data: () => ({ amountCents: 1 }),
    }),
    c("transactions", "update", a.support, `${w.txn}/t1`, "deny", "support changes an amount", {
      data: () => ({ amountCents: 1 }),
    }),
    c(
      "transactions",
      "get",
      a.owner,
      "txn_shard_2026_11_045/t1",
      "deny",
      "foreign shard prefix txn_shard",
    ),

    // analytics: /analytics_shard_YYYY_MM_DD_HH_NNN/{eventId}
    c(
      "analytics",
      "get",
      a.owner,
      `${w.analytics}/a1`,
      "deny",
      "user reads analytics about herself",
    ),
    c("analytics", "get", a.admin, `${w.analytics}/a1`, "allow", "admin reads analytics"),
    c(
      "analytics",
      "create",
      a.owner,
      `${w.analytics}/a-new`,
      "deny",
      "client writes an analytics event",
      { data: () => ({ userId: "alice", event: "x" }) },
    ),
    c(
      "analytics",
      "create",
      a.admin,
      `${w.analytics}/a-new2`,
      "deny",
      "admin writes an analytics event",
      { data: () => ({ event: "x" }) },
    ),

    // counters: /counters_<kind>/{counterId}/shards/{n}
    c(
      "counters",
      "get",
      a.other,
      `${w.followers}/shards/0`,
      "allow",
      "signed-in user reads a counter shard",
    ),
    c(
      "counters",
      "get",
      a.unauthenticated,
      `${w.followers}/shards/0`,
      "deny",
      "anonymous counter read",
    ),
    c(
      "counters",
      "update",
      a.owner,
      `${w.followers}/shards/0`,
      "deny",
      "inflates own follower counter",
      { data: () => ({ count: 1_000_000 }) },
    ),
    c("counters", "create", a.owner, `${w.followers}/shards/7`, "deny", "adds a counter shard", {
      data: () => ({ count: 5 }),
    }),
    c("counters", "update", a.admin, w.followers, "deny", "admin writes a counter", {
      data: () => ({ count: 9 }),
    }),

    // wallets: /wallets/{userId}
    c("wallets", "get", a.owner, "wallets/alice", "allow", "owner reads own balance"),
    c("wallets", "get", a.other, "wallets/alice", "deny", "another user reads the balance"),
    c("wallets", "get", a.support, "wallets/alice", "allow", "support reads a balance"),
    c("wallets", "update", a.owner, "wallets/alice", "deny", "sets own balance", {
      data: () => ({ balanceCents: 1_000_000 }),
    }),
    c("wallets", "create", a.other, "wallets/carol", "deny", "creates a wallet", {
      data: () => ({ balanceCents: 1_000_000 }),
    }),
    c(
      "wallets",
      "update",
      a.admin,
      "wallets/alice",
      "deny",
      "admin edits a balance (audited server action only)",
      { data: () => ({ balanceCents: 0 }) },
    ),

    // fraud decisions, roles, audit log
    c("fraud", "get", a.admin, "fraud_decisions/d1", "allow", "admin reads a fraud decision"),
    c("fraud", "get", a.owner, "fraud_decisions/d1", "deny", "subject reads the decision"),
    c(
      "fraud",
      "update",
      a.admin,
      "fraud_decisions/d1",
      "deny",
      "admin overrides directly (audited server action only)",
      { data: () => ({ decision: "allow" }) },
    ),
    c("fraud", "update", a.owner, "fraud_decisions/d1", "deny", "subject clears the decision", {
      data: () => ({ decision: "allow" }),
    }),
    c("roles", "get", a.admin, "roles/ada", "allow", "admin reads own role"),
    c("roles", "get", a.other, "roles/ada", "deny", "user reads someone's role"),
    c("roles", "create", a.owner, "roles/alice", "deny", "grants herself admin", {
      data: () => ({ role: "admin" }),
    }),
    c("audit", "get", a.admin, "audit_log/e1", "allow", "admin reads the audit log"),
    c("audit", "get", a.support, "audit_log/e1", "deny", "support reads the audit log"),
    c("audit", "update", a.admin, "audit_log/e1", "deny", "admin rewrites an entry", {
      data: () => ({ reason: "nothing to see" }),
    }),
    c("audit", "delete", a.admin, "audit_log/e-del", "deny", "admin deletes an entry"),
    c("audit", "create", a.owner, "audit_log/e-new", "deny", "client forges an entry", {
      data: () => ({ action: "data.export" }),
    }),
    c("other", "create", a.owner, "misc/x", "deny", "collection not in the rules", {
      data: () => ({ a: 1 }),
    }),
  ];
}

/** Writes the seed documents with rules disabled. */
export async function seedWorld(env: RulesTestEnvironment, docs: Record<string, DocumentData>) {
  await env.withSecurityRulesDisabled(async (ctx) => {
    const db = ctx.firestore() as unknown as Firestore;
    const batch = writeBatch(db);
    for (const [path, data] of Object.entries(docs)) batch.set(doc(db, path), data);
    await batch.commit();
  });
}

function perform(db: Firestore, k: RulesCase): Promise<unknown> {
  switch (k.op) {
    case "get":
      return getDoc(doc(db, k.path));
    case "list": {
      const [field, op, value] = k.filter ?? ["__name__", "==", "none"];
      return getDocs(query(collection(db, k.path), where(field, op, value)));
    }
    case "create":
      return setDoc(doc(db, k.path), k.data?.() ?? {});
    case "update":
      return updateDoc(doc(db, k.path), k.data?.() ?? {});
    case "delete":
      return deleteDoc(doc(db, k.path));
  }
}

export interface CaseResult {
  readonly case: RulesCase;
  /** `allow`, `deny` (permission-denied) or another error code. */
  readonly outcome: string;
}

/** Plays every case (6 at a time) and returns the outcomes in matrix order. */
export async function runMatrix(
  env: RulesTestEnvironment,
  cases: readonly RulesCase[],
): Promise<CaseResult[]> {
  const dbs = new Map<string, Firestore>();
  const dbFor = (actor: Actor): Firestore => {
    const key = `${actor.uid}:${JSON.stringify(actor.claims ?? {})}`;
    let db = dbs.get(key);
    if (!db) {
      const ctx =
        actor.uid === null
          ? env.unauthenticatedContext()
          : env.authenticatedContext(actor.uid, actor.claims);
      db = ctx.firestore() as unknown as Firestore;
      dbs.set(key, db);
    }
    return db;
  };
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      const k = cases[i];
      let outcome = "";
      // A read fails with `unavailable` when the client thinks it is offline (a loaded machine);
      // that says nothing about the rules, so reads are retried. Writes wait instead of failing.
      for (let attempt = 1; attempt <= 4; attempt++) {
        try {
          await perform(dbFor(k.actor), k);
          outcome = "allow";
        } catch (e) {
          const code = (e as { code?: string }).code ?? String(e);
          outcome = code === "permission-denied" ? "deny" : code;
        }
        if (outcome !== "unavailable") break;
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
      results[i] = { case: k, outcome };
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return results;
}

/** One line per case whose outcome differs from the expectation. */
export function mismatches(results: readonly CaseResult[]): string[] {
  return results
    .filter((r) => r.outcome !== r.case.expect)
    .map(
      (r) =>
        `${r.case.collection} ${r.case.op} by ${r.case.actor.label} at ${r.case.path} (${r.case.what}): expected ${r.case.expect}, got ${r.outcome}`,
    );
}
