/** Constants of the cost estimate, in one place. Units are in the names. */

/** Hours in the month every estimate prices (the GCP pricing calculator's month). */
export const HOURS_PER_MONTH = 730;

/** Seconds in that month. */
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;

/** Bytes Pub/Sub bills at least per publish, pull or push request (push sends one message). */
export const PUBSUB_MIN_BILLED_BYTES = 1000;

/** Changed lines shown per stack in a cost diff. */
export const TOP_CHANGED_LINES = 5;
