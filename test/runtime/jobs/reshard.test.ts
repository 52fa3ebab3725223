import { expect } from "chai";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { Firestore } from "firebase-admin/firestore";
import { getFirestore } from "../../../runtime/firestore/client";
import { locateDoc, runReshardJob, type ReshardJobParams } from "../../../runtime/jobs/reshard";
import { initSharding } from "../../../runtime/sharding/hash";
import { useFirestore } from "../../support/services";
import { referenceShard } from "../sharding/reference";

const DOCS = 20_000;
const shardName = (i: number) => `user_shard_${String(i).padStart(3, "0")}`;

describe("reshard job (Firestore emulator)", function () {
  this.timeout(300_000);
  let db: Firestore;
  const run = randomUUID().slice(0, 8);
  const sourcePattern = `rs${run}_{shard}`;
  const cursorCollection = `rs${run}_jobs`;
  const params: ReshardJobParams = {
    jobId: `job-${run}`,
    sourcePattern,
    shardPrefix: "user_shard",
    from: 100,
    to: 128,
  };
  const ids = Array.from({ length: DOCS }, (_, i) => `user-${i}`);

  before(async () => {
    await Promise.all([useFirestore(), initSharding()]);
    db = getFirestore();
    const writer = db.bulkWriter({ throttling: false });
    for (const [i, id] of ids.entries()) {
      void writer.set(db.collection(`rs${run}_${shardName(referenceShard(id, 100))}`).doc(id), {
        n: i,
      });
    }
    await writer.close();
  });

  async function everyDocByShard(): Promise<Map<string, string>> {
    const where = new Map<string, string>();
    const snaps = await Promise.all(
      Array.from({ length: 128 }, (_, i) =>
        db
          .collection(`rs${run}_${shardName(i)}`)
          .select()
          .get(),
      ),
    );
    snaps.forEach((snap, i) =>
      snap.docs.forEach((d) => {
        expect(where.has(d.id), `duplicate ${d.id}`).to.equal(false);
        where.set(d.id, shardName(i));
      }),
    );
    return where;
  }

  it("moves 20,000 docs from 100 to 128 shards, killed twice midway, with every doc readable throughout", async () => {
    // Kill 1: abort in-process after 12 batches.
    const controller = new AbortController();
    let batches = 0;
    const aborted = await runReshardJob(db, params, {
      cursorCollection,
      signal: controller.signal,
      onBatch: () => ++batches === 12 && controller.abort(new Error("killed")),
    }).then(
      () => "completed",
      (e: Error) => e.message,
    );
    expect(aborted).to.equal("killed");

    // Kill 2: SIGKILL a child process running the job, after it committed more batches.
    const child = spawn(
      process.execPath,
      [
        "-r",
        "tsx/cjs",
        "test/runtime/jobs/reshard-child.ts",
        params.jobId,
        sourcePattern,
        cursorCollection,
      ],
      {
        stdio: ["ignore", "pipe", "inherit"],
        env: process.env,
      },
    );
    await new Promise<void>((resolve, reject) => {
      let seen = 0;
      child.stdout.on("data", (d: Buffer) => {
        seen += (d.toString().match(/batch /g) ?? []).length;
        if (seen >= 10) resolve();
      });
      child.once("exit", (code) => reject(new Error(`child exited early with ${code}`)));
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const cursor = (await db.collection(cursorCollection).doc(params.jobId).get()).data();
    expect(cursor?.done).to.equal(false);
    expect(cursor?.batches).to.be.greaterThan(12);

    // Midway: every document is in exactly one place, and locateDoc finds each one.
    const midway = await everyDocByShard();
    expect(midway.size).to.equal(DOCS);
    const sample = ids.filter((_, i) => i % 10 === 0);
    const found = await Promise.all(sample.map((id) => locateDoc(db, params, id)));
    expect(found.filter((f) => f === undefined)).to.have.length(0);
    expect(found.map((f) => f?.ref.id)).to.deep.equal(sample);

    // Resume to the end.
    const done = await runReshardJob(db, params, { cursorCollection });
    expect(done.done).to.equal(true);
    expect(done.scanned).to.equal(DOCS);

    const after = await everyDocByShard();
    expect(after.size).to.equal(DOCS);
    const misplaced = ids.filter((id) => after.get(id) !== shardName(referenceShard(id, 128)));
    expect(misplaced).to.deep.equal([]);
    const movedByRef = ids.filter(
      (id) => referenceShard(id, 100) !== referenceShard(id, 128),
    ).length;
    expect(done.moved).to.equal(movedByRef);
    const data = (await locateDoc(db, params, "user-123"))?.data;
    expect(data).to.deep.equal({ n: 123 });
  });

  it("refuses to resume a job id with other parameters, and rejects bad counts by name", async () => {
    const msg = await runReshardJob(db, { ...params, to: 64 }, { cursorCollection }).catch(
      (e: Error) => e.message,
    );
    expect(msg).to.match(
      new RegExp(
        `^reshard job ${params.jobId} was started with .*"to":128.*; it cannot resume with .*"to":64`,
      ),
    );
    const bad = await runReshardJob(
      db,
      { ...params, jobId: "x", to: 0 },
      { cursorCollection },
    ).catch((e: Error) => e.message);
    expect(bad).to.equal("`to` must be an integer from 1 to 10000, but 0 was provided");
    const page = await runReshardJob(
      db,
      { ...params, jobId: "y" },
      { cursorCollection, pageSize: 250 },
    ).catch((e: Error) => e.message);
    expect(page).to.equal("`pageSize` must be an integer 1–249, but 250 was provided");
  });
});
