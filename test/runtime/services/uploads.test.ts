import { expect } from "chai";
import { generateKeyPairSync, verify } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Storage } from "@google-cloud/storage";
import type { FastifyInstance } from "fastify";
import { startUploadEndpoint, type UploadEndpoint } from "../../../cli/local/uploads";
import { buildMediaProcessor } from "../../../runtime/services/media-processor/app";
import {
  decodePolicy,
  issueUpload,
  UPLOAD_CONTENT_TYPES,
  UPLOAD_LIMITS,
  type IssuedUpload,
} from "../../../runtime/services/media-processor/uploads";
import { localEnv } from "./env";

const EMAIL = "media-processor@avalo-test.iam.gserviceaccount.com";
const BUCKET = "avalo-test-media";
const PIXEL_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
  "base64",
);

const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();

/** A bucket client that signs offline with the generated key, as a key file would. */
function signingBucket() {
  return new Storage({
    projectId: "avalo-test",
    credentials: { client_email: EMAIL, private_key: pem },
  }).bucket(BUCKET);
}

interface Published {
  readonly pipeline: string;
  readonly event: Record<string, unknown>;
  readonly id?: string;
}

describe("media uploads (V4 signed POST policies)", () => {
  describe("issueUpload", () => {
    it("signs exactly the owner's key, the content type, the size range and the expiry", async () => {
      const before = Date.now();
      const issued = await issueUpload(
        signingBucket(),
        { ownerId: "u1", contentType: "image/png" },
        { newId: () => "0b7f3c1e-1111-4222-8333-944455556666" },
      );
      const fields = issued.fields;
      const credentialDate = fields["x-goog-date"].slice(0, 8);
      expect(issued.key).to.equal("uploads/u1/0b7f3c1e-1111-4222-8333-944455556666");
      expect(issued.url).to.equal(`https://storage.googleapis.com/${BUCKET}/`);
      expect(decodePolicy(fields).conditions).to.deep.equal([
        ["content-length-range", 1, 20 * 1024 * 1024],
        { "Content-Type": "image/png" },
        { bucket: BUCKET },
        { key: "uploads/u1/0b7f3c1e-1111-4222-8333-944455556666" },
        { "x-goog-date": fields["x-goog-date"] },
        { "x-goog-credential": `${EMAIL}/${credentialDate}/auto/storage/goog4_request` },
        { "x-goog-algorithm": "GOOG4-RSA-SHA256" },
      ]);
      const expires = Date.parse(decodePolicy(fields).expiration);
      expect(expires - before).to.be.within(15 * 60_000 - 1000, 15 * 60_000 + 1000);
      expect(issued.expiresAt).to.equal(new Date(expires).toISOString());
      expect(
        verify(
          "RSA-SHA256",
          Buffer.from(fields.policy),
          publicKey,
          Buffer.from(fields["x-goog-signature"], "hex"),
        ),
        "signature over the base64 policy by the generated key",
      ).to.equal(true);
    });

    it("accepts only the content types media-processor thumbnails", async () => {
      expect(UPLOAD_CONTENT_TYPES).to.deep.equal([
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/gif",
        "image/avif",
        "image/tiff",
      ]);
      const err = await issueUpload(signingBucket(), {
        ownerId: "u1",
        contentType: "video/mp4",
      }).catch((e: unknown) => e);
      expect(String(err)).to.include("contentType");
    });
  });

  describe("through media-processor and the local upload endpoint", () => {
    let dir: string;
    let endpoint: UploadEndpoint;
    let app: FastifyInstance;
    let clockSkewMillis = 0;
    const published: Published[] = [];

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "uploads-"));
      endpoint = await startUploadEndpoint({
        mediaDir: dir,
        bucket: BUCKET,
        signers: new Map([[EMAIL, publicKey]]),
        now: () => new Date(Date.now() + clockSkewMillis),
      });
      app = await buildMediaProcessor(
        localEnv({ MEDIA_DIR: dir, MEDIA_UPLOAD_URL: endpoint.url }),
        {
          uploads: {
            bucket: signingBucket(),
            publisher: {
              publish: (async (
                pipeline: string,
                event: Record<string, unknown>,
                options?: { id?: string },
              ) => {
                published.push({ pipeline, event, id: options?.id });
                return { messageId: `m${published.length}`, envelope: {} };
              }) as never,
            },
          },
        },
      );
    });

    after(async () => {
      await app.close();
      await endpoint.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    afterEach(() => {
      clockSkewMillis = 0;
    });

    async function issue(ownerId: string, contentType = "image/png"): Promise<IssuedUpload> {
      const res = await app.inject({
        method: "POST",
        url: "/v1/uploads",
        payload: { ownerId, contentType },
      });
      expect(res.statusCode, res.body).to.equal(201);
      return res.json<IssuedUpload>();
    }

    async function post(
      issued: IssuedUpload,
      file: Buffer,
      change: Record<string, string> = {},
    ): Promise<{ status: number; body: string }> {
      const form = new FormData();
      for (const [k, v] of Object.entries({ ...issued.fields, ...change })) form.append(k, v);
      form.append("file", new Blob([file]));
      const res = await fetch(issued.url, { method: "POST", body: form });
      return { status: res.status, body: await res.text() };
    }

    it("stores an upload within the limits and publishes its media-transcode event on completion", async () => {
      const issued = await issue("alice");
      expect(issued.url).to.equal(`${endpoint.url}/`);
      expect(await post(issued, PIXEL_PNG)).to.deep.equal({ status: 204, body: "" });
      expect(readFileSync(join(dir, issued.key))).to.deep.equal(PIXEL_PNG);

      const done = await app.inject({
        method: "POST",
        url: "/v1/uploads/complete",
        payload: { ownerId: "alice", mediaId: issued.mediaId },
      });
      expect(done.statusCode, done.body).to.equal(202);
      expect(published.at(-1)).to.deep.equal({
        pipeline: "media-transcode",
        event: {
          mediaId: issued.mediaId,
          ownerId: "alice",
          contentType: "image/png",
          sourceUri: issued.key,
        },
        id: `upload-${issued.mediaId}`,
      });
    });

    it("refuses a file larger than the policy's content-length-range", async () => {
      const issued = await issue("alice");
      const res = await post(issued, Buffer.alloc(UPLOAD_LIMITS.maxBytes + 1, 1));
      expect(res.status).to.equal(403);
      expect(res.body).to.include(
        `file of ${UPLOAD_LIMITS.maxBytes + 1} bytes is outside content-length-range 1–${UPLOAD_LIMITS.maxBytes}`,
      );
    });

    it("refuses a content type other than the one signed", async () => {
      const issued = await issue("alice", "image/png");
      const res = await post(issued, PIXEL_PNG, { "Content-Type": "text/html" });
      expect(res.status).to.equal(403);
      expect(res.body).to.include('Content-Type is "text/html", not "image/png"');
    });

    it("refuses a policy after its expiry", async () => {
      const issued = await issue("alice");
      clockSkewMillis = (UPLOAD_LIMITS.expirySeconds + 1) * 1000;
      const res = await post(issued, PIXEL_PNG);
      expect(res.status).to.equal(403);
      expect(res.body).to.include("Policy expired at");
    });

    it("refuses an upload into another user's prefix", async () => {
      const issued = await issue("alice");
      const res = await post(issued, PIXEL_PNG, { key: `uploads/bob/${issued.mediaId}` });
      expect(res.status).to.equal(403);
      expect(res.body).to.include(`key is "uploads/bob/${issued.mediaId}", not "${issued.key}"`);
    });

    it("refuses a policy whose conditions were edited (the signature no longer matches)", async () => {
      const issued = await issue("alice");
      const policy = decodePolicy(issued.fields);
      const widened = {
        ...policy,
        conditions: policy.conditions.map((c) =>
          Array.isArray(c) ? ["content-length-range", 1, 1e12] : c,
        ),
      };
      const res = await post(issued, PIXEL_PNG, {
        policy: Buffer.from(JSON.stringify(widened)).toString("base64"),
      });
      expect(res.status).to.equal(403);
      expect(res.body).to.include("SignatureDoesNotMatch");
    });

    it("refuses an issue request with a content type media-processor cannot thumbnail", async () => {
      const res = await app.inject({
        method: "POST",
        url: "/v1/uploads",
        payload: { ownerId: "alice", contentType: "application/pdf" },
      });
      expect(res.statusCode).to.equal(400);
      expect(res.body).to.include("contentType");
    });

    it("refuses to complete an upload that is not at the key the server chose", async () => {
      const issued = await issue("alice");
      await post(issued, PIXEL_PNG);
      const res = await app.inject({
        method: "POST",
        url: "/v1/uploads/complete",
        payload: { ownerId: "bob", mediaId: issued.mediaId },
      });
      expect(res.statusCode).to.equal(404);
      expect(res.body).to.include(`no upload at uploads/bob/${issued.mediaId}`);
    });
  });
});
