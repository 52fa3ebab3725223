import { verify, type KeyObject } from "node:crypto";

/**
 * Evaluation of a V4 signed POST policy, written to mirror what Cloud Storage documents for
 * XML API form uploads ("POST Object" and "Policy document" in the Cloud Storage docs:
 * cloud.google.com/storage/docs/xml-api/post-object-forms and
 * cloud.google.com/storage/docs/authentication/signatures#policy-document). The local platform has
 * no Cloud Storage emulator, so its upload endpoint runs this instead:
 * - the form carries `key`, `policy`, `x-goog-algorithm` (`GOOG4-RSA-SHA256`),
 *   `x-goog-credential` (`<email>/<yyyymmdd>/auto/storage/goog4_request`), `x-goog-date`,
 *   `x-goog-signature` and, last, `file`;
 * - `x-goog-signature` is the hex RSA-SHA256 signature of the base64 `policy` text by the
 *   credential's account;
 * - the policy has not expired;
 * - every condition holds: `{"field": "value"}` and `["eq", "$field", "value"]` match exactly,
 *   `["starts-with", "$field", "prefix"]` by prefix, `["content-length-range", min, max]` bounds
 *   the file's size in bytes; `bucket` is the bucket posted to;
 * - every form field except `policy`, `x-goog-signature`, `file` and `x-ignore-*` is named by a
 *   condition. Field names compare case-insensitively.
 */

/** Why an upload is refused; `status` and `code` are what Cloud Storage answers. */
export class UploadRefusedError extends Error {
  constructor(
    readonly status: 400 | 403,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "UploadRefusedError";
  }
}

/** A posted form: its text fields and the size of its `file` part. */
export interface PostedForm {
  readonly fields: Readonly<Record<string, string>>;
  readonly fileBytes: number;
}

export interface PolicyCheckContext {
  /** Bucket the form was posted to. */
  readonly bucket: string;
  /** Public keys of the accounts allowed to sign, by email. */
  readonly signers: ReadonlyMap<string, KeyObject>;
  readonly now: Date;
}

/** The accepted upload: where it goes and what its fields declared. */
export interface AcceptedUpload {
  readonly key: string;
  readonly contentType: string;
}

const REQUIRED = [
  "key",
  "policy",
  "x-goog-algorithm",
  "x-goog-credential",
  "x-goog-date",
  "x-goog-signature",
] as const;
const UNCOVERED = new Set(["policy", "x-goog-signature", "file"]);
const CREDENTIAL = /^([^/]+)\/(\d{8})\/auto\/storage\/goog4_request$/;

const refuse = (message: string): never => {
  throw new UploadRefusedError(403, "AccessDenied", `Invalid according to Policy: ${message}`);
};

interface PolicyDocument {
  readonly expiration?: unknown;
  readonly conditions?: unknown;
}

/** Checks a posted form against its signed policy; throws {@link UploadRefusedError}. */
export function checkPostPolicy(form: PostedForm, ctx: PolicyCheckContext): AcceptedUpload {
  const fields = new Map(Object.entries(form.fields).map(([k, v]) => [k.toLowerCase(), v]));
  for (const name of REQUIRED) {
    if (!fields.get(name)) {
      throw new UploadRefusedError(400, "InvalidArgument", `missing form field ${name}`);
    }
  }
  if (fields.get("x-goog-algorithm") !== "GOOG4-RSA-SHA256") {
    throw new UploadRefusedError(
      400,
      "InvalidArgument",
      `unsupported x-goog-algorithm ${fields.get("x-goog-algorithm")}`,
    );
  }
  const credential = CREDENTIAL.exec(fields.get("x-goog-credential")!);
  const signer = credential ? ctx.signers.get(credential[1]) : undefined;
  if (!credential || !signer) {
    throw new UploadRefusedError(
      403,
      "InvalidAccessKeyId",
      `unknown credential ${fields.get("x-goog-credential")}`,
    );
  }
  const policyText = fields.get("policy")!;
  const signature = fields.get("x-goog-signature")!;
  const signed =
    /^[0-9a-f]+$/i.test(signature) &&
    verify("RSA-SHA256", Buffer.from(policyText), signer, Buffer.from(signature, "hex"));
  if (!signed) {
    throw new UploadRefusedError(
      403,
      "SignatureDoesNotMatch",
      "the policy signature does not match",
    );
  }
  let policy: PolicyDocument;
  try {
    policy = JSON.parse(Buffer.from(policyText, "base64").toString("utf8")) as PolicyDocument;
  } catch {
    throw new UploadRefusedError(400, "InvalidPolicyDocument", "the policy is not base64 JSON");
  }
  const expiration = Date.parse(String(policy.expiration));
  if (Number.isNaN(expiration)) {
    throw new UploadRefusedError(400, "InvalidPolicyDocument", "the policy has no expiration");
  }
  if (ctx.now.getTime() > expiration) refuse(`Policy expired at ${String(policy.expiration)}`);
  if (!Array.isArray(policy.conditions)) {
    throw new UploadRefusedError(400, "InvalidPolicyDocument", "the policy has no conditions");
  }

  const valueOf = (name: string) =>
    name.toLowerCase() === "bucket" ? ctx.bucket : (fields.get(name.toLowerCase()) ?? "");
  const covered = new Set<string>();
  for (const condition of policy.conditions as unknown[]) {
    if (Array.isArray(condition)) {
      const [op, a, b] = condition as [unknown, unknown, unknown];
      if (op === "content-length-range") {
        const [min, max] = [Number(a), Number(b)];
        if (form.fileBytes < min || form.fileBytes > max) {
          refuse(`file of ${form.fileBytes} bytes is outside content-length-range ${min}–${max}`);
        }
        continue;
      }
      const name = String(a).replace(/^\$/, "");
      covered.add(name.toLowerCase());
      const found = valueOf(name);
      if (op === "eq" && found !== String(b)) refuse(`${name} is "${found}", not "${String(b)}"`);
      else if (op === "starts-with" && !found.startsWith(String(b)))
        refuse(`${name} "${found}" does not start with "${String(b)}"`);
      else if (op !== "eq" && op !== "starts-with")
        throw new UploadRefusedError(
          400,
          "InvalidPolicyDocument",
          `unknown condition ${String(op)}`,
        );
      continue;
    }
    for (const [name, expected] of Object.entries(condition as Record<string, unknown>)) {
      covered.add(name.toLowerCase());
      const found = valueOf(name);
      if (found !== String(expected)) refuse(`${name} is "${found}", not "${String(expected)}"`);
    }
  }
  for (const name of fields.keys()) {
    if (!UNCOVERED.has(name) && !name.startsWith("x-ignore-") && !covered.has(name)) {
      refuse(`form field ${name} is not named by any condition`);
    }
  }
  return {
    key: fields.get("key")!,
    contentType: fields.get("content-type") ?? "application/octet-stream",
  };
}
