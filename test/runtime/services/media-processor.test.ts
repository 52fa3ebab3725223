import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import sharp from "sharp";
import { buildMediaProcessor } from "../../../runtime/services/media-processor/app";
import { makeThumbnails } from "../../../runtime/services/media-processor/thumbnails";
import { ConfigError } from "../../../runtime/services/server/config";
import { localEnv, productionEnv } from "./env";

/** A 1600×1200 JPEG with EXIF (camera make and an orientation of 6: rotate 90°). */
function photo(width = 1600, height = 1200, orientation?: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } })
    .jpeg()
    .withExif({ IFD0: { Make: "AvaloCam", Model: "Secret-Serial-123" } })
    .withMetadata(orientation ? { orientation } : {})
    .toBuffer();
}

describe("media-processor", () => {
  describe("makeThumbnails", () => {
    it("makes every fixed size in WebP and JPEG, keeping the aspect ratio", async () => {
      const thumbs = await makeThumbnails(await photo(), "image/jpeg");
      const dims = await Promise.all(
        thumbs.map(async (t) => {
          const m = await sharp(t.data).metadata();
          return `${t.size}.${t.format}=${m.format}:${m.width}x${m.height}`;
        }),
      );
      expect(dims).to.deep.equal([
        "small.webp=webp:160x120",
        "small.jpeg=jpeg:160x120",
        "medium.webp=webp:480x360",
        "medium.jpeg=jpeg:480x360",
        "large.webp=webp:1080x810",
        "large.jpeg=jpeg:1080x810",
      ]);
    });

    it("strips EXIF and applies the EXIF orientation first", async () => {
      const input = await photo(1600, 1200, 6);
      expect((await sharp(input).metadata()).exif).to.be.instanceOf(Buffer);
      const [small] = await makeThumbnails(input, "image/jpeg");
      const m = await sharp(small.data).metadata();
      expect([m.width, m.height, m.exif, m.orientation]).to.deep.equal([
        120,
        160,
        undefined,
        undefined,
      ]);
    });

    it("never enlarges a small image", async () => {
      const thumbs = await makeThumbnails(await photo(200, 100), "image/jpeg");
      expect(
        thumbs.filter((t) => t.format === "webp").map((t) => `${t.width}x${t.height}`),
      ).to.deep.equal(["160x80", "200x100", "200x100"]);
    });
  });

  describe("service with a directory store", () => {
    let dir: string;
    let app: FastifyInstance;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "avalo-media-"));
      mkdirSync(join(dir, "uploads"));
      writeFileSync(join(dir, "uploads/photo.jpg"), await photo());
      writeFileSync(join(dir, "uploads/clip.mp4"), Buffer.from("not really a video"));
      app = await buildMediaProcessor(localEnv({ MEDIA_DIR: dir }));
    });
    after(async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const request = (extra: Record<string, unknown> = {}) => ({
      mediaId: "m1",
      ownerId: "u1",
      contentType: "image/jpeg",
      sourceUri: "uploads/photo.jpg",
      ...extra,
    });

    it("stores the thumbnails under thumbnails/<mediaId>/", async () => {
      const res = await app.inject({ method: "POST", url: "/v1/thumbnails", payload: request() });
      expect(res.statusCode).to.equal(200);
      const body = res.json();
      expect(body.thumbnails.map((t: { key: string }) => t.key)).to.deep.equal([
        "thumbnails/m1/small.webp",
        "thumbnails/m1/small.jpg",
        "thumbnails/m1/medium.webp",
        "thumbnails/m1/medium.jpg",
        "thumbnails/m1/large.webp",
        "thumbnails/m1/large.jpg",
      ]);
      const stored = await sharp(join(dir, "thumbnails/m1/medium.jpg")).metadata();
      expect([stored.format, stored.width, stored.height]).to.deep.equal(["jpeg", 480, 360]);
    });

    it("rejects an unsupported type with 415 and the allowed types", async () => {
      const res = await app.inject({
        method: "POST",
        url: "/v1/thumbnails",
        payload: request({ contentType: "video/mp4", sourceUri: "uploads/clip.mp4" }),
      });
      expect(res.statusCode).to.equal(415);
      expect(res.json().error).to.equal(
        'unsupported content type "video/mp4": media-processor makes image thumbnails; allowed: image/jpeg, image/png, image/webp, image/gif, image/avif, image/tiff',
      );
    });

    it("rejects bytes that are not the declared type with 422", async () => {
      const res = await app.inject({
        method: "POST",
        url: "/v1/thumbnails",
        payload: request({ contentType: "image/png" }),
      });
      expect([res.statusCode, res.json().error]).to.deep.equal([
        422,
        "declared content type image/png, but the bytes are a jpeg image",
      ]);
    });

    it("answers 404 for a missing source and 400 for a path leaving the store", async () => {
      const missing = await app.inject({
        method: "POST",
        url: "/v1/thumbnails",
        payload: request({ sourceUri: "uploads/none.jpg" }),
      });
      expect(missing.statusCode).to.equal(404);
      const escape = await app.inject({
        method: "POST",
        url: "/v1/thumbnails",
        payload: request({ sourceUri: "../etc/passwd" }),
      });
      expect([escape.statusCode, escape.json().field]).to.deep.equal([400, "sourceUri"]);
    });

    it("answers 400 naming the field for a bad body", async () => {
      const res = await app.inject({
        method: "POST",
        url: "/v1/thumbnails",
        payload: request({ mediaId: "" }),
      });
      expect([res.statusCode, res.json().field]).to.deep.equal([400, "mediaId"]);
    });
  });

  describe("negative paths", () => {
    it("requires exactly one of MEDIA_BUCKET and MEDIA_DIR", async () => {
      const err = await buildMediaProcessor(localEnv()).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).variables).to.deep.equal(["MEDIA_BUCKET", "MEDIA_DIR"]);
    });

    it("answers 401 without a token in production mode", async () => {
      const app = await buildMediaProcessor(
        productionEnv({
          MEDIA_DIR: tmpdir(),
          AVALO_PUSH_INVOKER_EMAIL: "invoker@avalo-us.iam.gserviceaccount.com",
        }),
      );
      try {
        expect(
          (await app.inject({ method: "POST", url: "/v1/thumbnails", payload: {} })).statusCode,
        ).to.equal(401);
      } finally {
        await app.close();
      }
    });

    it("answers 503 from /healthz when its store is gone", async () => {
      const dir = mkdtempSync(join(tmpdir(), "avalo-media-"));
      const app = await buildMediaProcessor(localEnv({ MEDIA_DIR: dir }));
      try {
        expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode).to.equal(200);
        rmSync(dir, { recursive: true });
        const res = await app.inject({ method: "GET", url: "/healthz" });
        expect(res.statusCode).to.equal(503);
        expect(res.json().checks["object-store"]).to.match(/^down: ENOENT/);
      } finally {
        await app.close();
      }
    });
  });
});
