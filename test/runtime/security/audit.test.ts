import { expect } from "chai";
import type { Firestore } from "firebase-admin/firestore";
import { getFirestore } from "../../../runtime/firestore/client";
import {
  adjustBalance,
  changeRole,
  overrideFraudDecision,
  PrivilegedActionError,
} from "../../../runtime/security/actions";
import {
  auditedTransaction,
  auditLogLine,
  auditRecord,
  AUDIT_LOG_FILTER,
  pseudonymousUser,
  type AuditEntry,
} from "../../../runtime/security/audit";
import type { ClaimsWriter } from "../../../runtime/security/roles";
import { useFirestore } from "../../support/services";

const T0 = new Date(Date.UTC(2026, 10, 25, 15, 0, 0));
let projects = 0;

async function freshDb(): Promise<Firestore> {
  await useFirestore();
  return getFirestore({ projectId: `avalo-audit-${process.pid}-${++projects}` });
}

async function auditEntries(db: Firestore) {
  const snap = await db.collection("audit_log").get();
  return snap.docs.map(
    (d) => ({ id: d.id, ...d.data(), time: d.get("time").toDate() }) as Record<string, unknown>,
  );
}

function recorder() {
  const lines: string[] = [];
  return { lines, options: { now: () => T0, log: (l: string) => lines.push(l) } };
}

const staff = { actor: "user:ada", reason: "ticket SUP-42", requestId: "req-1" };

describe("audit trail on the Firestore emulator", function () {
  this.timeout(60_000);

  it("writes the entry in the same transaction as a balance adjustment, then logs it", async () => {
    const db = await freshDb();
    const log = recorder();
    const done = await adjustBalance(
      db,
      { ...staff, userId: "alice", deltaCents: 2500 },
      log.options,
    );
    expect(done.result).to.deep.equal({ balanceCents: 2500 });
    expect((await db.doc("wallets/alice").get()).get("balanceCents")).to.equal(2500);
    const entries = await auditEntries(db);
    expect(entries).to.deep.equal([
      {
        id: done.audit.id,
        actor: pseudonymousUser("ada"),
        action: "balance.adjust",
        target: pseudonymousUser("alice"),
        reason: "ticket SUP-42",
        requestId: "req-1",
        details: { deltaCents: 2500 },
        time: T0,
      },
    ]);
    expect(log.lines.map((l) => JSON.parse(l))).to.deep.equal([
      {
        severity: "NOTICE",
        message: `audit balance.adjust ${pseudonymousUser("alice")} by ${pseudonymousUser("ada")}`,
        "logging.googleapis.com/labels": { avalo_stream: "audit" },
        "logging.googleapis.com/insertId": done.audit.id,
        audit: { ...entries[0], time: "2026-11-25T15:00:00.000Z" },
      },
    ]);
  });

  it("leaves no entry, no log line and no change when the action fails", async () => {
    const db = await freshDb();
    await db.doc("wallets/alice").set({ balanceCents: 100 });
    const log = recorder();
    let error: unknown;
    try {
      await adjustBalance(db, { ...staff, userId: "alice", deltaCents: -101 }, log.options);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(PrivilegedActionError);
    expect((error as Error).message).to.equal(
      "balance adjustment of -101 cents refused: the balance is 100 cents and may not go below 0",
    );
    expect((await db.doc("wallets/alice").get()).get("balanceCents")).to.equal(100);
    expect(await auditEntries(db)).to.deep.equal([]);
    expect(log.lines).to.deep.equal([]);
  });

  it("rolls back the action's own writes with the entry when the action throws after writing", async () => {
    const db = await freshDb();
    const log = recorder();
    const entry: AuditEntry = { ...staff, action: "data.delete", target: "user:bob" };
    let message = "";
    try {
      await auditedTransaction(
        db,
        entry,
        async (tx) => {
          tx.set(db.doc("wallets/bob"), { balanceCents: 7 });
          throw new Error("disk on fire");
        },
        log.options,
      );
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).to.equal("disk on fire");
    expect((await db.doc("wallets/bob").get()).exists).to.equal(false);
    expect(await auditEntries(db)).to.deep.equal([]);
  });

  it("appends one entry per action and never overwrites (5 concurrent adjustments)", async () => {
    const db = await freshDb();
    const log = recorder();
    await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        adjustBalance(
          db,
          { ...staff, requestId: `req-${i}`, userId: "alice", deltaCents: i * 100 },
          log.options,
        ),
      ),
    );
    expect((await db.doc("wallets/alice").get()).get("balanceCents")).to.equal(1500);
    const entries = await auditEntries(db);
    expect(entries.map((e) => e.requestId).sort()).to.deep.equal([
      "req-1",
      "req-2",
      "req-3",
      "req-4",
      "req-5",
    ]);
    expect(log.lines).to.have.length(5);
  });

  it("changes a role in Firestore with its entry, then syncs the custom claim", async () => {
    const db = await freshDb();
    const claims: Record<string, Record<string, unknown>> = {
      mo: { geo: "us", userShard: "user_shard_007" },
    };
    const writer: ClaimsWriter = {
      getUser: async (uid) => ({ customClaims: claims[uid] }),
      setCustomUserClaims: async (uid, c) => {
        claims[uid] = c as Record<string, unknown>;
      },
    };
    const log = recorder();
    const granted = await changeRole(
      db,
      writer,
      { ...staff, userId: "mo", role: "moderator" },
      log.options,
    );
    expect(granted.result).to.deep.equal({ previous: null, role: "moderator" });
    expect(claims.mo).to.deep.equal({ geo: "us", userShard: "user_shard_007", role: "moderator" });
    expect((await db.doc("roles/mo").get()).get("role")).to.equal("moderator");
    const revoked = await changeRole(
      db,
      writer,
      { ...staff, requestId: "req-2", userId: "mo", role: null },
      log.options,
    );
    expect(revoked.result).to.deep.equal({ previous: "moderator", role: null });
    expect(claims.mo).to.deep.equal({ geo: "us", userShard: "user_shard_007" });
    expect((await db.doc("roles/mo").get()).exists).to.equal(false);
    const entries = await auditEntries(db);
    expect(entries.map((e) => [e.action, e.details])).to.have.deep.members([
      ["role.change", { role: "moderator" }],
      ["role.change", { role: null }],
    ]);
  });

  it("overrides an existing fraud decision with its entry, and refuses a missing one without an entry", async () => {
    const db = await freshDb();
    await db.doc("fraud_decisions/d1").set({ decision: "block", score: 0.93 });
    const log = recorder();
    const done = await overrideFraudDecision(
      db,
      { ...staff, decisionId: "d1", decision: "allow" },
      log.options,
    );
    expect(done.result).to.deep.equal({ previous: "block", decision: "allow" });
    expect((await db.doc("fraud_decisions/d1").get()).get("overridden")).to.equal(true);
    let message = "";
    try {
      await overrideFraudDecision(
        db,
        { ...staff, requestId: "req-9", decisionId: "nope", decision: "allow" },
        log.options,
      );
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).to.equal(
      'fraud decision "nope" does not exist; only an existing decision can be overridden',
    );
    const entries = await auditEntries(db);
    expect(entries.map((e) => e.target)).to.deep.equal(["fraud_decision:d1"]);
  });
});

describe("audit entries", () => {
  it("rejects an entry with a bad field, naming it", () => {
    const ok: AuditEntry = { ...staff, action: "data.export", target: "user:alice" };
    expect(() => auditRecord({ ...ok, action: "balance.set" as never })).to.throw(
      'audit entry `action` must be one of role.change, balance.adjust, fraud.override, data.export, data.delete, but "balance.set" was provided',
    );
    expect(() => auditRecord({ ...ok, reason: " " })).to.throw(
      'audit entry `reason` must be a non-empty string of at most 500 characters, but " " was provided',
    );
    expect(() => auditRecord({ ...ok, actor: "ada" })).to.throw(
      'audit entry `actor` must be a reference "<kind>:<id>" such as "user:abc" or "service:batch-processor", but "ada" was provided',
    );
    expect(() => auditRecord({ ...ok, requestId: "" })).to.throw(
      'audit entry `requestId` must be a non-empty string of at most 128 characters, but "" was provided',
    );
  });

  it("never stores a raw user id, and routes on the label the sink filters", () => {
    const record = auditRecord(
      { ...staff, action: "data.export", target: "user:alice" },
      T0,
      "entry-1",
    );
    expect(record.target).to.equal(pseudonymousUser("alice"));
    expect(pseudonymousUser("alice")).to.match(/^user#[0-9a-f]{32}$/);
    expect(auditLogLine(record)).not.to.include("alice");
    expect(AUDIT_LOG_FILTER).to.equal(
      'logName:"run.googleapis.com%2Fstdout" AND labels.avalo_stream="audit"',
    );
  });
});
