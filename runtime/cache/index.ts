/** Cache and rate limiting on Redis. */
export * from "./rate-limit";
export * from "./read-through";
