import { randomUUID } from "node:crypto";
import type { Bucket } from "@google-cloud/storage";
import { z } from "zod";
import { SUPPORTED_TYPES } from "./thumbnails";

/**
 * Client uploads into the media bucket through V4 signed POST policies. The server chooses the
 * object name (`uploads/<ownerId>/<mediaId>`, `mediaId` a fresh UUID) and signs conditions that
 * Cloud Storage itself enforces on the POST: that exact bucket and key, the declared content type
 * (one media-processor thumbnails), a size from 1 byte to {@link UPLOAD_LIMITS.maxBytes}, and an
 * expiry {@link UPLOAD_LIMITS.expirySeconds} after issue. A POST that breaks any of them is
 * refused by Cloud Storage (403 for a condition, 400 for a malformed form), never by our code.
 */

/** Limits of one upload; the signed policy carries them. */
export const UPLOAD_LIMITS = {
  /** Largest object accepted (20 MiB: a full-resolution phone photo). */
  maxBytes: 20 * 1024 * 1024,
  /** Seconds a policy stays valid after it is issued (GCS allows up to 7 days). */
  expirySeconds: 15 * 60,
  /** Prefix of every upload; thumbnails live under `thumbnails/`. */
  prefix: "uploads/",
} as const;

/** Bucket name of upload policies when media lives in a directory (the local upload endpoint's). */
export const LOCAL_UPLOAD_BUCKET = "avalo-local-media";

/** Content types an upload may declare: exactly those media-processor makes thumbnails of. */
export const UPLOAD_CONTENT_TYPES: readonly string[] = Object.keys(SUPPORTED_TYPES);

const ownerId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, "must be 1–128 letters, digits, '_' or '-' (a Firebase uid)");

/** POST /v1/uploads: a policy for one upload by `ownerId` (the caller has authenticated them). */
export const uploadRequest = z.strictObject({
  ownerId,
  contentType: z.enum(UPLOAD_CONTENT_TYPES as [string, ...string[]]),
});
export type UploadRequest = z.input<typeof uploadRequest>;

/** POST /v1/uploads/complete: the client says the POST succeeded; the server checks the object. */
export const uploadCompleteRequest = z.strictObject({
  ownerId,
  mediaId: z.uuid(),
});

/** One condition of a V4 POST policy document, as Cloud Storage documents them. */
export type PolicyCondition =
  | Readonly<Record<string, string>>
  | readonly ["content-length-range", number, number]
  | readonly ["eq" | "starts-with", string, string];

/** What the client needs to upload: POST `fields` plus a `file` part to `url`. */
export interface IssuedUpload {
  readonly mediaId: string;
  /** Object name the policy allows, and nothing else. */
  readonly key: string;
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly expiresAt: string;
  readonly maxBytes: number;
}

/** The object name of an upload: the owner's prefix and a server-chosen id. */
export function uploadKey(owner: string, mediaId: string): string {
  return `${UPLOAD_LIMITS.prefix}${owner}/${mediaId}`;
}

/** The conditions we add to the library's own (bucket, key, x-goog-* and the fields below). */
export function uploadConditions(maxBytes: number = UPLOAD_LIMITS.maxBytes): PolicyCondition[] {
  return [["content-length-range", 1, maxBytes]];
}

export interface IssueOptions {
  /** Endpoint the form posts to instead of `https://storage.googleapis.com/<bucket>/` (local). */
  readonly uploadUrl?: string;
  readonly newId?: () => string;
}

/**
 * Signs a POST policy for one upload. The bucket's client signs with its credentials: a key
 * offline, or IAM `signBlob` as the service's own account on Cloud Run (roles/iam.serviceAccountTokenCreator
 * on itself).
 */
export async function issueUpload(
  bucket: Bucket,
  request: UploadRequest,
  options: IssueOptions = {},
): Promise<IssuedUpload> {
  const body = uploadRequest.parse(request);
  const mediaId = (options.newId ?? randomUUID)();
  const key = uploadKey(body.ownerId, mediaId);
  // The policy states its expiration in whole seconds; report the same instant.
  const expires = new Date((Math.floor(Date.now() / 1000) + UPLOAD_LIMITS.expirySeconds) * 1000);
  const [policy] = await bucket.file(key).generateSignedPostPolicyV4({
    expires,
    conditions: uploadConditions() as never,
    fields: { "Content-Type": body.contentType },
    ...(options.uploadUrl ? { bucketBoundHostname: options.uploadUrl.replace(/\/$/, "") } : {}),
  });
  return {
    mediaId,
    key,
    url: policy.url,
    fields: policy.fields,
    expiresAt: expires.toISOString(),
    maxBytes: UPLOAD_LIMITS.maxBytes,
  };
}

/** The signed policy document inside issued fields (base64 JSON), for checks and tests. */
export function decodePolicy(fields: Readonly<Record<string, string>>): {
  readonly conditions: PolicyCondition[];
  readonly expiration: string;
} {
  return JSON.parse(Buffer.from(fields.policy, "base64").toString("utf8")) as {
    conditions: PolicyCondition[];
    expiration: string;
  };
}
