import { OPERATIONS, type Operation } from "../cost/usage";
import { LoadConfigError } from "./errors";

/**
 * The operation mix: the share, in whole percent, of each operation of the scale report
 * (feed, profile, likes, chat, ai, payments). The operation names are the cost model's, so a
 * measured mix prices directly.
 */
export type Mix = Readonly<Record<Operation, number>>;

export { OPERATIONS, type Operation };

/** The scale report's mix. */
export const DEFAULT_MIX: Mix = { feed: 40, profile: 20, likes: 15, chat: 15, ai: 5, payments: 5 };

const FORMAT = "expected <operation>=<percent>[,...], e.g. feed=40,profile=20";

/**
 * Parses `feed=50,profile=10,...`. Operations not named get 0; the percentages must add up to
 * 100. Throws LoadConfigError naming the key and value.
 */
export function parseMix(text: string, key = "--mix"): Mix {
  const mix: Record<Operation, number> = {
    feed: 0,
    profile: 0,
    likes: 0,
    chat: 0,
    ai: 0,
    payments: 0,
  };
  const seen = new Set<string>();
  for (const part of text.split(",").map((p) => p.trim())) {
    const [name, value, extra] = part.split("=").map((s) => s.trim());
    if (!name || value === undefined || extra !== undefined) {
      throw new LoadConfigError(key, part, FORMAT);
    }
    if (!(OPERATIONS as readonly string[]).includes(name)) {
      throw new LoadConfigError(key, name, `allowed operations: ${OPERATIONS.join(", ")}`);
    }
    if (seen.has(name)) {
      throw new LoadConfigError(`${key} ${name}`, part, "each operation may be given once");
    }
    seen.add(name);
    const percent = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || !(percent >= 0 && percent <= 100)) {
      throw new LoadConfigError(`${key} ${name}`, value, "a percentage from 0 to 100 is allowed");
    }
    mix[name as Operation] = percent;
  }
  const total = OPERATIONS.reduce((sum, op) => sum + mix[op], 0);
  if (Math.abs(total - 100) > 1e-9) {
    throw new LoadConfigError(
      key,
      text,
      `the percentages must add up to 100, but they add up to ${Math.round(total * 1e6) / 1e6}`,
    );
  }
  return mix;
}

/** `feed=40,profile=20,...` of a mix, every operation listed. */
export function formatMix(mix: Mix): string {
  return OPERATIONS.map((op) => `${op}=${mix[op]}`).join(",");
}

/**
 * Picks operations in proportion to `mix` from uniform draws in [0, 1) (a seeded PRNG makes the
 * sequence reproducible).
 */
export function operationPicker(mix: Mix, random: () => number): () => Operation {
  const ops = OPERATIONS.filter((op) => mix[op] > 0);
  const bounds: number[] = [];
  let cumulative = 0;
  for (const op of ops) {
    cumulative += mix[op] / 100;
    bounds.push(cumulative);
  }
  return () => {
    const r = random();
    for (let i = 0; i < ops.length - 1; i++) if (r < bounds[i]) return ops[i];
    return ops[ops.length - 1];
  };
}
