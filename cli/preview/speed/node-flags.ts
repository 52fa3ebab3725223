/**
 * Node flags of a compiled worker. A worker lives for a few seconds and runs most of its code
 * once: V8's optimizing compiler (TurboFan) spends more CPU compiling than its code saves (three
 * workers on two cores: ~2 of ~9 CPU-seconds). Only speed changes, never behaviour.
 */
export const WORKER_NODE_FLAGS: readonly string[] = ["--no-opt"];
