/** Counters: Firestore distributed counters and Redis hot counters written behind to Firestore. */
export * from "./counters";
export * from "./hot-counter";
export * from "./kinds";
export * from "./sharded-counter";
export * from "./write-behind";
