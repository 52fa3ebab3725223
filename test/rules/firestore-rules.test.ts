import { initializeTestEnvironment, type RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { expect } from "chai";
import { setLogLevel } from "firebase/firestore";
import { initSharding } from "../../runtime/sharding";
import { firestoreRulesFor } from "../../runtime/security/rules";
import { useFirestore } from "../support/services";
import {
  buildMatrix,
  buildWorld,
  mismatches,
  runMatrix,
  seed,
  seedWorld,
  type RulesCase,
} from "./matrix";

const ALLOW_ALL = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /{document=**} { allow read, write: if true; }
  }
}`;

async function environment(projectId: string, rules: string): Promise<RulesTestEnvironment> {
  const emulator = await useFirestore();
  return initializeTestEnvironment({
    projectId,
    firestore: { host: emulator.host, port: emulator.port, rules },
  });
}

describe("firestore.rules on the Firestore emulator", function () {
  this.timeout(180_000);
  let cases: RulesCase[];
  let world: ReturnType<typeof buildWorld>;
  const envs: RulesTestEnvironment[] = [];

  before(async () => {
    setLogLevel("silent");
    await initSharding();
    world = buildWorld();
    cases = buildMatrix(world);
  });

  after(async () => {
    await Promise.all(envs.map((e) => e.cleanup()));
  });

  it("covers at least 60 cases across every collection, operation and actor", () => {
    expect(cases.length).to.be.at.least(60);
    const set = (f: (k: RulesCase) => string) => [...new Set(cases.map(f))].sort();
    expect(set((k) => k.collection)).to.deep.equal([
      "analytics",
      "audit",
      "chats",
      "counters",
      "feeds",
      "fraud",
      "messages",
      "other",
      "roles",
      "transactions",
      "users",
      "wallets",
    ]);
    expect(set((k) => k.op)).to.deep.equal(["create", "delete", "get", "list", "update"]);
    for (const label of [
      "owner",
      "other user",
      "participant",
      "admin",
      "moderator",
      "support",
      "unauthenticated",
    ]) {
      expect(set((k) => k.actor.label)).to.include(label);
    }
    expect(cases.filter((k) => k.expect === "allow").length).to.be.at.least(20);
  });

  it("allows and denies exactly as the matrix expects", async () => {
    const env = await environment("avalo-rules-us", firestoreRulesFor("us"));
    envs.push(env);
    await seedWorld(env, seed(world));
    const results = await runMatrix(env, cases);
    expect(mismatches(results)).to.deep.equal([]);
  });

  it("bites: the same matrix against allow-all rules fails every deny case", async () => {
    const env = await environment("avalo-rules-control", ALLOW_ALL);
    envs.push(env);
    await seedWorld(env, seed(world));
    const results = await runMatrix(env, cases);
    const denyCases = cases.filter((k) => k.expect === "deny").length;
    expect(results.filter((r) => r.outcome === "deny")).to.deep.equal([]);
    expect(mismatches(results).length).to.be.at.least(denyCases);
    expect(denyCases).to.be.greaterThan(60);
  });

  it("serves only its own geography: the eu database denies a us user's own profile", async () => {
    const env = await environment("avalo-rules-eu", firestoreRulesFor("eu"));
    envs.push(env);
    await seedWorld(env, seed(world));
    const owner = world.actors.owner;
    const [asUs] = await runMatrix(env, [
      {
        collection: "users",
        op: "get",
        actor: owner,
        path: `${world.userShard("alice")}/alice`,
        expect: "deny",
        what: "us claim on the eu database",
      },
    ]);
    const [asEu] = await runMatrix(env, [
      {
        collection: "users",
        op: "get",
        actor: world.actors.ownerAbroad,
        path: `${world.userShard("alice")}/alice`,
        expect: "allow",
        what: "eu claim on the eu database",
      },
    ]);
    expect([asUs.outcome, asEu.outcome]).to.deep.equal(["deny", "allow"]);
  });
});
