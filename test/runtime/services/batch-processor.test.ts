import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { getFirestore } from "../../../runtime/firestore/client";
import { shardIndex } from "../../../runtime/sharding/hash";
import { buildBatchProcessor } from "../../../runtime/services/batch-processor/app";
import { JOBS } from "../../../runtime/services/batch-processor/jobs";
import { useFirestore } from "../../support/services";
import { localEnv, productionEnv, uniqueId } from "./env";

describe("batch-processor on the Firestore emulator", () => {
  let app: FastifyInstance;
  before(async () => {
    await useFirestore();
    app = await buildBatchProcessor(localEnv());
  });
  after(() => app.close());

  async function seedMatches(collection: string, perUser: Record<string, number>): Promise<void> {
    const db = getFirestore();
    const batch = db.batch();
    let i = 0;
    for (const [userId, n] of Object.entries(perUser)) {
      for (let k = 0; k < n; k++)
        batch.set(db.collection(collection).doc(`m${String(i++).padStart(3, "0")}`), { userId });
    }
    await batch.commit();
  }
  async function counters(collection: string): Promise<Record<string, number>> {
    const snap = await getFirestore().collection(collection).get();
    return Object.fromEntries(snap.docs.map((d) => [decodeURIComponent(d.id), d.get("value")]));
  }

  it("counter-backfill resumes after a stop without counting a document twice", async () => {
    const source = uniqueId("matches");
    const target = uniqueId("match_counts");
    await seedMatches(source, { alice: 7, bob: 4, carol: 1 });
    const jobId = uniqueId("backfill");
    const params = JOBS["counter-backfill"].params.parse({
      sourceCollection: source,
      entityField: "userId",
      targetCollection: target,
      pageSize: 5,
    });
    const stop = new AbortController();
    const first = await JOBS["counter-backfill"].run(getFirestore(), jobId, params, {
      signal: stop.signal,
      onProgress: () => stop.abort(),
    });
    expect(first).to.deep.include({ done: false, scanned: 5 });
    const res = await app.inject({
      method: "POST",
      url: `/v1/jobs/${jobId}/run`,
      payload: {
        job: "counter-backfill",
        params: {
          sourceCollection: source,
          entityField: "userId",
          targetCollection: target,
          pageSize: 5,
        },
      },
    });
    expect(res.json()).to.deep.include({ jobId, job: "counter-backfill", status: "succeeded" });
    expect(res.json().progress.scanned).to.equal(12);
    expect(await counters(target)).to.deep.equal({ alice: 7, bob: 4, carol: 1 });
    const again = await app.inject({
      method: "POST",
      url: `/v1/jobs/${jobId}/run`,
      payload: {
        job: "counter-backfill",
        params: {
          sourceCollection: source,
          entityField: "userId",
          targetCollection: target,
          pageSize: 5,
        },
      },
    });
    expect(again.json().status).to.equal("succeeded");
    expect(await counters(target)).to.deep.equal({ alice: 7, bob: 4, carol: 1 });
    expect((await app.inject({ method: "GET", url: `/v1/jobs/${jobId}` })).json().status).to.equal(
      "succeeded",
    );
  });

  it("reshard moves a shard family through runtime/jobs/reshard.ts", async () => {
    const prefix = `rs_${uniqueId("x").replace(/-/g, "_")}_shard`;
    const db = getFirestore();
    const shard = (i: number) => db.collection(`${prefix}_${String(i).padStart(3, "0")}`);
    for (let d = 0; d < 12; d++)
      await shard(shardIndex(`doc${d}`, 2))
        .doc(`doc${d}`)
        .set({ n: d });
    const res = await app.inject({
      method: "POST",
      url: `/v1/jobs/${uniqueId("reshard")}/run`,
      payload: {
        job: "reshard",
        params: { sourcePattern: "{shard}", shardPrefix: prefix, from: 2, to: 3 },
      },
    });
    expect(res.statusCode).to.equal(200);
    expect(res.json().status).to.equal("succeeded");
    const sizes = [];
    for (let i = 0; i < 3; i++) sizes.push((await shard(i).get()).size);
    expect(sizes.reduce((x, y) => x + y)).to.equal(12);
    expect(res.json().progress.moved).to.equal(sizes[2]);
    for (let d = 0; d < 12; d++)
      expect(
        (
          await shard(shardIndex(`doc${d}`, 3))
            .doc(`doc${d}`)
            .get()
        ).exists,
      ).to.equal(true);
  });

  it("answers 400 naming the field for an unknown job, bad params and a bad job id", async () => {
    const unknown = await app.inject({
      method: "POST",
      url: "/v1/jobs/j1/run",
      payload: { job: "export", params: {} },
    });
    expect([unknown.statusCode, unknown.json().field, unknown.json().error]).to.deep.equal([
      400,
      "job",
      'invalid request body: job: unknown job "export"; allowed: reshard, counter-backfill',
    ]);
    const bad = await app.inject({
      method: "POST",
      url: "/v1/jobs/j1/run",
      payload: {
        job: "reshard",
        params: { sourcePattern: "{shard}", shardPrefix: "user_shard", from: 0, to: 3 },
      },
    });
    expect([bad.statusCode, bad.json().field]).to.deep.equal([400, "params.from"]);
    const badId = await app.inject({
      method: "POST",
      url: "/v1/jobs/a.b/run",
      payload: { job: "reshard", params: {} },
    });
    expect([badId.statusCode, badId.json().field]).to.deep.equal([400, "jobId"]);
    const missing = await app.inject({
      method: "POST",
      url: "/v1/jobs/j1/run",
      payload: { params: {} },
    });
    expect(missing.json().field).to.equal("job");
    expect((await app.inject({ method: "GET", url: "/v1/jobs/never" })).statusCode).to.equal(404);
  });

  it("answers 401 without a token in production mode", async () => {
    const prod = await buildBatchProcessor(productionEnv());
    try {
      expect(
        (await prod.inject({ method: "POST", url: "/v1/jobs/j/run", payload: {} })).statusCode,
      ).to.equal(401);
      expect((await prod.inject({ method: "GET", url: "/v1/jobs/j" })).statusCode).to.equal(401);
    } finally {
      await prod.close();
    }
  });
});
