/**
 * Every default of the pipelines runtime, in one place. Units are in the names. Options passed by
 * callers are merged over these and then clamped to the hard limits below.
 */

/** Publisher batching: flush at 100 messages, 10 ms or 1 MiB, whichever comes first. */
export const PUBLISH_BATCHING = {
  maxMessages: 100,
  maxMilliseconds: 10,
  maxBytes: 1024 * 1024,
} as const;

/** Pub/Sub's own limits on a publish batch. */
export const PUBLISH_BATCHING_LIMITS = {
  maxMessages: 1000,
  maxBytes: 10 * 1024 * 1024,
} as const;

/** Bounded exponential backoff with full jitter for retryable publish errors. */
export const PUBLISH_RETRY = {
  /** Total attempts, the first included. */
  maxAttempts: 5,
  initialDelayMillis: 50,
  maxDelayMillis: 2_000,
  multiplier: 2,
} as const;

/** Consumer flow control and concurrency. */
export const CONSUMER = {
  /** Messages processed at once by one consumer core. */
  maxConcurrent: 64,
  /** Messages the streaming-pull worker leases ahead of processing. */
  maxOutstandingMessages: 256,
  maxOutstandingBytes: 64 * 1024 * 1024,
  /** How long a drain waits for in-flight messages before nacking what is left. */
  drainTimeoutMillis: 10_000,
} as const;

/** How long an idempotency marker lives: longer than any redelivery window (7 days). */
export const MARKER_TTL_SECONDS = 8 * 86_400;

/** Firestore collection holding processed-event markers. */
export const MARKER_COLLECTION = "processedEvents";

/** Firestore's limit on writes in one batch. */
export const FIRESTORE_BATCH_LIMIT = 500;

/** How often the metrics are logged when periodic logging is on. */
export const METRICS_LOG_INTERVAL_MILLIS = 60_000;
