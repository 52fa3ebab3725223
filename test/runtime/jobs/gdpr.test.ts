import { expect } from "chai";
import type { DocumentReference, Firestore } from "firebase-admin/firestore";
import Redis from "ioredis";
import { Counters } from "../../../runtime/counters";
import { getFirestore } from "../../../runtime/firestore/client";
import { runDeleteUserJob, runExportUserJob, type GdprRequest } from "../../../runtime/jobs/gdpr";
import { adjustBalance } from "../../../runtime/security/actions";
import { pseudonymousUser } from "../../../runtime/security/audit";
import {
  getAnalyticsShardId,
  getChatShardId,
  getFeedShardId,
  getTransactionShardId,
  getUserShardId,
  initSharding,
} from "../../../runtime/sharding";
import { useFirestore, useRedis } from "../../support/services";

const ALICE = "u-alice-7q";
const BOB = "u-bob-3k";
const CAROL = "u-carol-9z";
const NOV = new Date(Date.UTC(2026, 10, 25, 14, 0));
const OCT = new Date(Date.UTC(2026, 9, 3, 8, 0));
const quiet = { log: () => undefined };

/** Every document in the database (all collections, recursively) with its data as JSON. */
async function dump(db: Firestore): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (refs: DocumentReference[]) => {
    for (const ref of refs) {
      const snap = await ref.get();
      if (snap.exists) out.set(ref.path, JSON.stringify(snap.data()));
      for (const sub of await ref.listCollections()) await walk(await sub.listDocuments());
    }
  };
  for (const c of await db.listCollections()) await walk(await c.listDocuments());
  return out;
}

async function seedWorld(db: Firestore, redis: Redis): Promise<Record<string, string>> {
  const p = {
    aliceProfile: `${getUserShardId(ALICE)}/${ALICE}`,
    bobProfile: `${getUserShardId(BOB)}/${BOB}`,
    chatNov: `${getChatShardId([ALICE, BOB], NOV)}/chat-ab`,
    chatOct: `${getChatShardId([ALICE, CAROL], OCT)}/chat-ac`,
    chatBc: `${getChatShardId([BOB, CAROL], NOV)}/chat-bc`,
    aliceFeed: `${getFeedShardId(ALICE, NOV)}/feed-1`,
    bobFeedByAlice: `${getFeedShardId(BOB, NOV)}/feed-2`,
    bobFeedByCarol: `${getFeedShardId(BOB, NOV)}/feed-3`,
    aliceTxnNov: `${getTransactionShardId(ALICE, NOV)}/txn-1`,
    aliceTxnOct: `${getTransactionShardId(ALICE, OCT)}/txn-2`,
    bobTxn: `${getTransactionShardId(BOB, NOV)}/txn-3`,
    aliceEvent: `${getAnalyticsShardId(ALICE, NOV)}/ev-1`,
    bobEvent: `${getAnalyticsShardId(BOB, NOV)}/ev-2`,
  };
  const batch = db.batch();
  const set = (path: string, data: object) => batch.set(db.doc(path), data);
  set(p.aliceProfile, { displayName: "Alice", geo: "eu" });
  set(`${p.aliceProfile}/settings/prefs`, { language: "de" });
  set(p.bobProfile, { displayName: "Bob", geo: "eu" });
  set(p.chatNov, { participants: [ALICE, BOB] });
  set(`${p.chatNov}/messages/m1`, { senderId: ALICE, text: "hi bob" });
  set(`${p.chatNov}/messages/m2`, { senderId: BOB, text: "hi!" });
  set(p.chatOct, { participants: [ALICE, CAROL] });
  set(`${p.chatOct}/messages/m3`, { senderId: ALICE, text: "hello carol" });
  set(p.chatBc, { participants: [BOB, CAROL] });
  set(`${p.chatBc}/messages/m4`, { senderId: CAROL, text: "yo" });
  set(p.aliceFeed, { ownerId: ALICE, authorId: BOB, postId: "post-b1" });
  set(p.bobFeedByAlice, { ownerId: BOB, authorId: ALICE, postId: "post-a1" });
  set(p.bobFeedByCarol, { ownerId: BOB, authorId: CAROL, postId: "post-c1" });
  set(p.aliceTxnNov, { userId: ALICE, amountCents: 999 });
  set(p.aliceTxnOct, { userId: ALICE, amountCents: 1999 });
  set(p.bobTxn, { userId: BOB, amountCents: 5 });
  set(p.aliceEvent, { userId: ALICE, event: "profile_view" });
  set(p.bobEvent, { userId: BOB, event: "profile_view" });
  set(`roles/${ALICE}`, { role: "support" });
  set("fraud_decisions/fd-1", { userId: ALICE, decision: "review" });
  set("fraud_decisions/fd-2", { userId: BOB, decision: "allow" });
  await batch.commit();
  await adjustBalance(
    db,
    { actor: "user:ada", userId: ALICE, deltaCents: 700, reason: "refund", requestId: "r-0" },
    quiet,
  );
  await adjustBalance(
    db,
    { actor: "user:ada", userId: BOB, deltaCents: 300, reason: "refund", requestId: "r-1" },
    quiet,
  );
  const counters = new Counters({ db, redis, region: "eu-west" });
  await counters.increment("followers", ALICE, 3);
  await counters.increment("matches", ALICE, 1);
  await counters.increment("views", ALICE, 5);
  await counters.increment("followers", BOB, 2);
  await counters.flusher.flushAll();
  // Pending in Redis, not yet written behind: erasure must drop it, or a flush recreates it.
  await counters.increment("views", ALICE, 4);
  return p;
}

describe("GDPR jobs on the Firestore emulator", function () {
  this.timeout(120_000);
  let db: Firestore;
  let redis: Redis;
  let paths: Record<string, string>;
  const request: GdprRequest = {
    userId: ALICE,
    actor: "service:batch-processor",
    reason: "erasure request DSR-17",
    requestId: "dsr-17",
  };

  before(async () => {
    const [r] = await Promise.all([useRedis(), useFirestore(), initSharding()]);
    redis = new Redis({ port: r.port, host: r.host, db: 7 });
    await redis.flushdb();
    db = getFirestore({ projectId: `avalo-gdpr-${process.pid}` });
    paths = await seedWorld(db, redis);
  });

  after(async () => {
    await redis.flushdb();
    redis.disconnect();
  });

  it("exports every document about the user, with a report and a data.export entry", async () => {
    const lines: string[] = [];
    const { report, export: data } = await runExportUserJob(
      db,
      { ...request, requestId: "dsr-16" },
      { log: (l) => lines.push(l) },
    );
    const followers = `counters_followers/followers%3A${ALICE}`;
    const matches = `counters_matches/matches%3A${ALICE}`;
    const expected = [
      paths.aliceProfile,
      `${paths.aliceProfile}/settings/prefs`,
      paths.chatNov,
      `${paths.chatNov}/messages/m1`,
      paths.chatOct,
      `${paths.chatOct}/messages/m3`,
      paths.aliceFeed,
      paths.bobFeedByAlice,
      paths.aliceTxnNov,
      paths.aliceTxnOct,
      paths.aliceEvent,
      `wallets/${ALICE}`,
      `roles/${ALICE}`,
      "fraud_decisions/fd-1",
      `counters_hot/views%3A${ALICE}`,
    ];
    const exported = data.documents.map((d) => d.path);
    expect(
      exported.filter((x) => !x.startsWith(followers) && !x.startsWith(matches)),
    ).to.have.members(expected);
    expect(exported.filter((x) => x.startsWith(`${followers}/shards/`)).length).to.be.at.least(1);
    expect(exported.filter((x) => x.startsWith(`${matches}/shards/`)).length).to.equal(1);
    expect(data.documents.find((d) => d.path === `wallets/${ALICE}`)?.data).to.include({
      balanceCents: 700,
    });
    expect(report.counts).to.deep.equal({
      deleted: 0,
      pseudonymized: 0,
      redacted: 0,
      exported: exported.length,
    });
    expect(report.touched.map((t) => t.path)).to.deep.equal([...exported].sort());
    expect(report.audit).to.include({
      action: "data.export",
      target: pseudonymousUser(ALICE),
      requestId: "dsr-16",
    });
    expect(lines).to.have.length(1);
    expect((await db.doc(`audit_log/${report.audit.id}`).get()).get("action")).to.equal(
      "data.export",
    );
  });

  it("erases the user: afterwards no document anywhere references the user id", async () => {
    const before = await dump(db);
    const referencing = [...before].filter(
      ([path, data]) => path.includes(ALICE) || data.includes(ALICE),
    );
    expect(referencing.length).to.equal(17);

    const report = await runDeleteUserJob(db, request, {
      ...quiet,
      hotCounters: { redis, prefixes: ["avalo:eu-west:ctr"] },
    });
    await new Counters({ db, redis, region: "eu-west" }).flusher.flushAll();

    const after = await dump(db);
    const left = [...after].filter(([path, data]) => path.includes(ALICE) || data.includes(ALICE));
    expect(left).to.deep.equal([]);
    expect(report.counts.pseudonymized).to.equal(3);
    expect(report.counts.redacted).to.equal(2);
    expect(
      report.touched.filter((t) => t.action === "redacted").map((t) => t.path),
    ).to.have.members([paths.chatNov, paths.chatOct]);
    expect(
      report.touched.filter((t) => t.action === "pseudonymized").map((t) => t.path),
    ).to.have.members([paths.aliceTxnNov, paths.aliceTxnOct, "fraud_decisions/fd-1"]);
    for (const gone of [
      paths.aliceProfile,
      `${paths.aliceProfile}/settings/prefs`,
      `wallets/${ALICE}`,
      `roles/${ALICE}`,
      paths.aliceFeed,
      paths.bobFeedByAlice,
      paths.aliceEvent,
      `${paths.chatNov}/messages/m1`,
    ]) {
      expect(report.touched).to.deep.include({ path: gone, action: "deleted" });
      expect(after.has(gone), gone).to.equal(false);
    }
    expect(report.touched).to.deep.include({ path: "redis:avalo:eu-west:ctr", action: "deleted" });
    expect(await redis.keys(`*${ALICE}*`)).to.deep.equal([]);
    expect(report.audit).to.include({
      action: "data.delete",
      target: pseudonymousUser(ALICE),
      requestId: "dsr-17",
    });
  });

  it("keeps everyone else's data, with the erased user pseudonymised where records must stay", async () => {
    const get = async (path: string) => (await db.doc(path).get()).data();
    expect(await get(paths.bobProfile)).to.deep.equal({ displayName: "Bob", geo: "eu" });
    expect(await get(paths.chatNov)).to.deep.equal({
      participants: [pseudonymousUser(ALICE), BOB],
    });
    expect(await get(`${paths.chatNov}/messages/m2`)).to.deep.equal({ senderId: BOB, text: "hi!" });
    expect(await get(paths.chatBc)).to.deep.equal({ participants: [BOB, CAROL] });
    expect(await get(paths.bobFeedByCarol)).to.deep.equal({
      ownerId: BOB,
      authorId: CAROL,
      postId: "post-c1",
    });
    expect(await get(paths.aliceTxnNov)).to.deep.equal({
      userId: pseudonymousUser(ALICE),
      amountCents: 999,
    });
    expect(await get(paths.bobTxn)).to.deep.equal({ userId: BOB, amountCents: 5 });
    expect(await get(paths.bobEvent)).to.deep.equal({ userId: BOB, event: "profile_view" });
    expect((await get(`wallets/${BOB}`))?.balanceCents).to.equal(300);
    const counters = new Counters({ db, redis, region: "eu-west" });
    expect(await counters.value("followers", BOB)).to.equal(2);
    expect(await counters.value("followers", ALICE)).to.equal(0);
    const audit = await db.collection("audit_log").get();
    expect(audit.docs.map((d) => d.get("action")).sort()).to.deep.equal([
      "balance.adjust",
      "balance.adjust",
      "data.delete",
      "data.export",
    ]);
  });

  it("is idempotent: a second run touches nothing and still records the request", async () => {
    const report = await runDeleteUserJob(db, { ...request, requestId: "dsr-17-retry" }, quiet);
    expect(report.touched).to.deep.equal([]);
    expect(report.audit.requestId).to.equal("dsr-17-retry");
  });

  it("rejects a user id that is not a document id", async () => {
    let message = "";
    try {
      await runDeleteUserJob(db, { ...request, userId: "a/b" }, quiet);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).to.equal(
      '`userId` must be a non-empty Firestore document id (no "/"), but "a/b" was provided',
    );
  });
});
