import type Redis from "ioredis";

/** Runs a script defined with `defineScript`: `numKeys` keys, then the rest as ARGV. */
export type ScriptRunner = (numKeys: number, ...args: (string | number)[]) => Promise<unknown>;

/**
 * Defines the Lua script `lua` on `redis` as the command `name` and returns a runner for it.
 * ioredis sends EVALSHA, and EVAL when Redis has lost its script cache (a restart or failover).
 * A name already defined on the client is reused, so each caller can define its scripts itself.
 */
export function defineScript(redis: Redis, name: string, lua: string): ScriptRunner {
  const commands = redis as unknown as Record<string, ScriptRunner | undefined>;
  if (typeof commands[name] !== "function") redis.defineCommand(name, { lua });
  const command = commands[name] as ScriptRunner;
  return (...args) => command.call(redis, ...args);
}
