import { initializeTestEnvironment, type RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { expect } from "chai";
import { setLogLevel } from "firebase/firestore";
import { z } from "zod";
import {
  CLIENT_WRITES,
  interest,
  MAX_INTERESTS,
  profileCreate,
  type ClientWriteName,
} from "../../runtime/schemas/client-writes";
import { firestoreRulesFor, readFirestoreRulesSource } from "../../runtime/security/rules";
import { initSharding } from "../../runtime/sharding";
import { fieldsOf, schemaDisagreements, type FieldCase } from "../support/field-cases";
import { useFirestore } from "../support/services";
import {
  allWriteCases,
  rulesCasesFor,
  rulesKeyList,
  WRITE_TARGETS,
  writeCases,
} from "./client-writes";
import { buildWorld, mismatches, runMatrix, seed, seedWorld, type World } from "./matrix";

const ALLOW_ALL = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /{document=**} { allow read, write: if true; }
  }
}`;

const NAMES = Object.keys(CLIENT_WRITES) as ClientWriteName[];

/** Plays generated cases on a fresh rules environment and returns the mismatches. */
async function play(
  projectId: string,
  rules: string,
  world: World,
  writes: Partial<Record<ClientWriteName, FieldCase[]>>,
  envs: RulesTestEnvironment[],
) {
  const emulator = await useFirestore();
  const env = await initializeTestEnvironment({
    projectId,
    firestore: { host: emulator.host, port: emulator.port, rules },
  });
  envs.push(env);
  const generated = rulesCasesFor(world, writes);
  await seedWorld(env, { ...seed(world), ...generated.seed });
  const results = await runMatrix(env, generated.cases);
  return { generated, results, mismatches: mismatches(results) };
}

describe("client writes: cases generated from runtime/schemas/client-writes.ts", function () {
  this.timeout(240_000);
  let world: World;
  let writes: Record<ClientWriteName, FieldCase[]>;
  const envs: RulesTestEnvironment[] = [];

  before(async () => {
    setLogLevel("silent");
    await initSharding();
    world = buildWorld();
    writes = allWriteCases();
  });

  after(async () => {
    await Promise.all(envs.map((e) => e.cleanup()));
  });

  describe("the description and the rules name the same fields", () => {
    const source = readFirestoreRulesSource();
    for (const name of NAMES) {
      const target = WRITE_TARGETS[name];
      it(`${name}: ${target.rulesFunction} accepts exactly the schema's keys`, () => {
        const fields = fieldsOf(CLIENT_WRITES[name]);
        expect(rulesKeyList(source, target.rulesFunction, "hasOnly"), "hasOnly").to.deep.equal(
          fields.map((f) => f.name).sort(),
        );
        if (target.op === "create") {
          expect(rulesKeyList(source, target.rulesFunction, "hasAll"), "hasAll").to.deep.equal(
            fields
              .filter((f) => f.required)
              .map((f) => f.name)
              .sort(),
          );
        }
      });
    }
  });

  it("generates, for every field, the cases its type calls for", () => {
    const kinds = (name: ClientWriteName, field: string) =>
      [...new Set(writes[name].filter((k) => k.field === field).map((k) => k.kind))].sort();
    expect(kinds("profileCreate", "interests")).to.deep.equal([
      "at-limit",
      "element-pattern",
      "map-element",
      "over-limit",
      "oversized-element",
      "wrong-element-type",
      "wrong-type",
    ]);
    expect(kinds("profileCreate", "displayName")).to.deep.equal([
      "at-limit",
      "at-minimum",
      "missing",
      "over-limit",
      "under-minimum",
      "wrong-type",
    ]);
    expect(kinds("profileUpdate", "birthYear")).to.deep.equal([
      "at-limit",
      "at-minimum",
      "not-integer",
      "over-limit",
      "under-minimum",
      "wrong-type",
    ]);
    expect(kinds("chatCreate", "participants")).to.include.members([
      "at-limit",
      "other-value",
      "over-limit",
      "oversized-element",
      "under-minimum",
      "wrong-element-type",
    ]);
    expect(kinds("messageCreate", "senderId")).to.deep.equal([
      "missing",
      "other-value",
      "wrong-type",
    ]);
    expect(kinds("feedSeenUpdate", "seen")).to.deep.equal(["at-limit", "wrong-type"]);
    for (const name of NAMES) {
      for (const { name: field } of fieldsOf(CLIENT_WRITES[name])) {
        expect(kinds(name, field), `${name}.${field}`).to.include("wrong-type");
      }
      expect(writes[name].map((k) => k.kind)).to.include("unknown-field");
    }
  });

  it("agrees with its own schema: valid cases parse, invalid ones do not", () => {
    expect(NAMES.flatMap((n) => schemaDisagreements(CLIENT_WRITES[n], writes[n]))).to.deep.equal(
      [],
    );
  });

  it("the profile interests at their limit fill every index the rules check", () => {
    const atLimit = writes.profileCreate.find(
      (k) => k.field === "interests" && k.kind === "at-limit",
    )!;
    const list = atLimit.doc.interests as string[];
    expect(list).to.have.length(MAX_INTERESTS);
    expect(list.slice(1).every((s) => s.length === interest.maxLength)).to.equal(true);
  });

  it("the rules allow and deny every generated case as the schemas say", async () => {
    const run = await play("avalo-writes-us", firestoreRulesFor("us"), world, writes, envs);
    expect(run.generated.cases.length).to.be.at.least(90);
    expect(run.mismatches).to.deep.equal([]);
  });

  it("bites: against allow-all rules every generated deny case is allowed", async () => {
    const run = await play("avalo-writes-control", ALLOW_ALL, world, writes, envs);
    const denies = run.generated.cases.filter((k) => k.expect === "deny");
    expect(run.results.filter((r) => r.outcome === "deny")).to.deep.equal([]);
    expect(run.mismatches).to.have.length(denies.length);
    expect(denies.length).to.be.at.least(60);
  });

  it("fails when a bound changes in the rules alone", async () => {
    const drifted = firestoreRulesFor("us")
      .replace("isShortString(d.displayName, 1, 50)", "isShortString(d.displayName, 1, 51)")
      .replace("isShortString(v, 1, 40)", "isShortString(v, 1, 41)");
    const run = await play(
      "avalo-writes-rules-drift",
      drifted,
      world,
      { profileCreate: writes.profileCreate },
      envs,
    );
    expect(run.mismatches.map((m) => /\((.+)\)/.exec(m)?.[1])).to.deep.equal([
      "profileCreate.displayName over-limit",
      "profileCreate.interests oversized-element",
    ]);
  });

  it("fails when a bound changes in the schema alone", async () => {
    const drifted = profileCreate.extend({
      displayName: z.string().min(1).max(49),
      interests: z
        .array(
          z
            .string()
            .min(1)
            .max(41)
            .regex(/^[a-z][a-z0-9-]*$/),
        )
        .max(20)
        .optional(),
    });
    const run = await play(
      "avalo-writes-schema-drift",
      firestoreRulesFor("us"),
      world,
      { profileCreate: writeCases("profileCreate", drifted) },
      envs,
    );
    expect(run.mismatches.map((m) => /\((.+)\)/.exec(m)?.[1])).to.deep.equal([
      "profileCreate.displayName over-limit",
      "profileCreate.interests at-limit",
    ]);
  });
});
