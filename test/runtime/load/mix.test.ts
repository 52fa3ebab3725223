import { expect } from "chai";
import { DEFAULT_MIX, formatMix, operationPicker, parseMix } from "../../../runtime/load/mix";
import { seededRandom } from "../../../runtime/load/random";
import type { Operation } from "../../../runtime/load/mix";

describe("load mix", () => {
  it("defaults to the scale report's mix", () => {
    expect(formatMix(DEFAULT_MIX)).to.equal("feed=40,profile=20,likes=15,chat=15,ai=5,payments=5");
  });

  it("parses a mix, leaving unnamed operations at 0", () => {
    expect(parseMix("feed=50, profile=10,likes=20,chat=20")).to.deep.equal({
      feed: 50,
      profile: 10,
      likes: 20,
      chat: 20,
      ai: 0,
      payments: 0,
    });
  });

  it("names an unknown operation and lists the allowed ones", () => {
    expect(() => parseMix("feed=50,videos=50")).to.throw(
      '--mix: "videos" is not allowed; allowed operations: feed, profile, likes, chat, ai, payments',
    );
  });

  it("names the operation whose percentage is not a number from 0 to 100", () => {
    expect(() => parseMix("feed=abc,profile=100")).to.throw(
      '--mix feed: "abc" is not allowed; a percentage from 0 to 100 is allowed',
    );
    expect(() => parseMix("feed=120")).to.throw(
      '--mix feed: "120" is not allowed; a percentage from 0 to 100 is allowed',
    );
  });

  it("rejects a part without =, and an operation given twice", () => {
    expect(() => parseMix("feed")).to.throw(
      '--mix: "feed" is not allowed; expected <operation>=<percent>[,...], e.g. feed=40,profile=20',
    );
    expect(() => parseMix("feed=50,feed=50")).to.throw(
      '--mix feed: "feed=50" is not allowed; each operation may be given once',
    );
  });

  it("rejects percentages that do not add up to 100, with the sum", () => {
    expect(() => parseMix("feed=50,profile=40")).to.throw(
      '--mix: "feed=50,profile=40" is not allowed; the percentages must add up to 100, but they add up to 90',
    );
  });

  it("draws operations in proportion to the mix from a seeded PRNG (100k draws within 0.5 points)", () => {
    const pick = operationPicker(DEFAULT_MIX, seededRandom(42));
    const counts = new Map<Operation, number>();
    const draws = 100_000;
    for (let i = 0; i < draws; i++) {
      const op = pick();
      counts.set(op, (counts.get(op) ?? 0) + 1);
    }
    for (const [op, percent] of Object.entries(DEFAULT_MIX)) {
      const measured = (100 * (counts.get(op as Operation) ?? 0)) / draws;
      expect(Math.abs(measured - percent), `${op}: ${measured}% vs ${percent}%`).to.be.below(0.5);
    }
  });

  it("never draws an operation with 0%", () => {
    const pick = operationPicker(parseMix("feed=70,ai=30"), seededRandom(1));
    const seen = new Set(Array.from({ length: 10_000 }, () => pick()));
    expect([...seen].sort()).to.deep.equal(["ai", "feed"]);
  });

  it("repeats the same sequence for the same seed and differs for another", () => {
    const sequence = (seed: number) => {
      const pick = operationPicker(DEFAULT_MIX, seededRandom(seed));
      return Array.from({ length: 50 }, () => pick()).join(",");
    };
    expect(sequence(7)).to.equal(sequence(7));
    expect(sequence(7)).to.not.equal(sequence(8));
  });
});
