import { createHash, randomUUID } from "node:crypto";
import { Timestamp, type Firestore, type Transaction } from "firebase-admin/firestore";
import { SERVER_COLLECTIONS } from "./collections";

/**
 * The append-only audit trail of privileged server actions. An entry is written in the same
 * Firestore transaction as the action it records, so an action that fails leaves no entry and
 * an entry always means the action committed. After the commit, the entry is also printed as a
 * structured log line; a log sink (components/audit-sink.ts) routes those lines to the BigQuery
 * `audit` dataset of the geography.
 *
 * User ids never appear in an entry: a reference `user:<id>` is stored as `user#<sha256 prefix>`,
 * so erasing a user (runtime/jobs/gdpr.ts) never has to edit the append-only log.
 */

/** The privileged actions that must be audited. */
export const AUDIT_ACTIONS = [
  "role.change",
  "balance.adjust",
  "fraud.override",
  "data.export",
  "data.delete",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** What the caller says happened. */
export interface AuditEntry {
  /** Who did it: `user:<uid>` for a person, `service:<name>` for a service. */
  readonly actor: string;
  readonly action: AuditAction;
  /** What it was done to, e.g. `user:<uid>` or `fraud_decision:<id>`. */
  readonly target: string;
  /** Why (ticket, complaint, legal basis); 1–500 characters. */
  readonly reason: string;
  /** The request that caused it, for correlation with request logs; 1–128 characters. */
  readonly requestId: string;
  /** Small facts about the action (amounts, old and new values); never user ids. */
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
}

/** An entry as stored and logged. */
export interface AuditRecord extends Omit<AuditEntry, "details"> {
  readonly id: string;
  readonly time: Date;
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
}

/** Key and value of the Cloud Logging label that marks audit lines (the sink filters on it). */
export const AUDIT_LOG_LABEL = { key: "avalo_stream", value: "audit" } as const;

/**
 * The log sink filter: audit lines printed by Cloud Run services (their stdout log) that carry
 * {@link AUDIT_LOG_LABEL}.
 */
export const AUDIT_LOG_FILTER = `logName:"run.googleapis.com%2Fstdout" AND labels.${AUDIT_LOG_LABEL.key}="${AUDIT_LOG_LABEL.value}"`;

const MAX_REASON = 500;
const MAX_REQUEST_ID = 128;
const REFERENCE = /^[a-z_]+:[^\s]{1,256}$/;

/** The stored form of a user reference: `user#` and the first 32 hex digits of its SHA-256. */
export function pseudonymousUser(userId: string): string {
  return `user#${createHash("sha256").update(userId, "utf8").digest("hex").slice(0, 32)}`;
}

function pseudonymize(reference: string): string {
  return reference.startsWith("user:") ? pseudonymousUser(reference.slice(5)) : reference;
}

function fail(field: string, value: unknown, allowed: string): never {
  throw new RangeError(
    `audit entry \`${field}\` must be ${allowed}, but ${JSON.stringify(value)} was provided`,
  );
}

/** Checks an entry and turns it into the record to store; throws naming the bad field. */
export function auditRecord(
  entry: AuditEntry,
  now: Date = new Date(),
  id: string = randomUUID(),
): AuditRecord {
  if (!(AUDIT_ACTIONS as readonly string[]).includes(entry.action)) {
    fail("action", entry.action, `one of ${AUDIT_ACTIONS.join(", ")}`);
  }
  for (const field of ["actor", "target"] as const) {
    if (typeof entry[field] !== "string" || !REFERENCE.test(entry[field])) {
      fail(
        field,
        entry[field],
        'a reference "<kind>:<id>" such as "user:abc" or "service:batch-processor"',
      );
    }
  }
  if (
    typeof entry.reason !== "string" ||
    entry.reason.trim().length === 0 ||
    entry.reason.length > MAX_REASON
  ) {
    fail("reason", entry.reason, `a non-empty string of at most ${MAX_REASON} characters`);
  }
  if (
    typeof entry.requestId !== "string" ||
    entry.requestId.length === 0 ||
    entry.requestId.length > MAX_REQUEST_ID
  ) {
    fail(
      "requestId",
      entry.requestId,
      `a non-empty string of at most ${MAX_REQUEST_ID} characters`,
    );
  }
  return {
    id,
    actor: pseudonymize(entry.actor),
    action: entry.action,
    target: pseudonymize(entry.target),
    reason: entry.reason,
    requestId: entry.requestId,
    time: now,
    details: { ...(entry.details ?? {}) },
  };
}

/**
 * Adds the audit entry to `tx` (call it after the transaction's reads). `create` fails if the id
 * exists, so an entry is never overwritten. Returns the record; print it with
 * {@link emitAuditLog} only after the transaction has committed.
 */
export function withAudit(
  db: Firestore,
  tx: Transaction,
  entry: AuditEntry,
  now: Date = new Date(),
): AuditRecord {
  const record = auditRecord(entry, now);
  const { id, time, ...fields } = record;
  tx.create(db.collection(SERVER_COLLECTIONS.auditLog).doc(id), {
    ...fields,
    time: Timestamp.fromDate(time),
  });
  return record;
}

/** Where audit log lines go; stdout in Cloud Run, where the logging agent picks them up. */
export type LogWriter = (line: string) => void;

const stdoutWriter: LogWriter = (line) => {
  process.stdout.write(`${line}\n`);
};

/** The structured Cloud Logging line for a committed entry. */
export function auditLogLine(record: AuditRecord): string {
  return JSON.stringify({
    severity: "NOTICE",
    message: `audit ${record.action} ${record.target} by ${record.actor}`,
    "logging.googleapis.com/labels": { [AUDIT_LOG_LABEL.key]: AUDIT_LOG_LABEL.value },
    "logging.googleapis.com/insertId": record.id,
    audit: { ...record, time: record.time.toISOString() },
  });
}

/** Prints a committed entry as a structured log line. */
export function emitAuditLog(record: AuditRecord, write: LogWriter = stdoutWriter): void {
  write(auditLogLine(record));
}

export interface AuditOptions {
  /** Clock for the entry's time. @default () => new Date() */
  readonly now?: () => Date;
  /** Log line writer. @default stdout */
  readonly log?: LogWriter;
}

/**
 * Runs `action` in a Firestore transaction that also writes the audit entry, then prints the
 * entry's log line once the transaction has committed. If `action` throws, the transaction is
 * rolled back: no change, no entry, no log line. `action` may be retried by Firestore on
 * contention, like any transaction function.
 */
export async function auditedTransaction<T>(
  db: Firestore,
  entry: AuditEntry,
  action: (tx: Transaction) => Promise<T>,
  options: AuditOptions = {},
): Promise<{ result: T; audit: AuditRecord }> {
  auditRecord(entry);
  const now = options.now ?? (() => new Date());
  let record: AuditRecord | undefined;
  const result = await db.runTransaction(async (tx) => {
    const value = await action(tx);
    record = withAudit(db, tx, entry, now());
    return value;
  });
  emitAuditLog(record as AuditRecord, options.log);
  return { result, audit: record as AuditRecord };
}
