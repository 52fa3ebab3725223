import sharp, { type Metadata } from "sharp";

/**
 * Thumbnails in fixed sizes and two formats. The image is turned upright from its EXIF
 * orientation first; sharp writes no metadata unless asked, so EXIF (GPS, camera serials) is
 * stripped from every output.
 */

/** Longest-edge sizes, in pixels; smaller images are never enlarged. */
export const THUMBNAIL_SIZES = { small: 160, medium: 480, large: 1080 } as const;
export type ThumbnailSize = keyof typeof THUMBNAIL_SIZES;

export const THUMBNAIL_FORMATS = ["webp", "jpeg"] as const;
export type ThumbnailFormat = (typeof THUMBNAIL_FORMATS)[number];

/** Declared content types accepted, with the sharp format their bytes must have. */
export const SUPPORTED_TYPES: Readonly<Record<string, string>> = {
  "image/jpeg": "jpeg",
  "image/png": "png",
  "image/webp": "webp",
  "image/gif": "gif",
  "image/avif": "heif",
  "image/tiff": "tiff",
};

/** Why an input cannot be thumbnailed; `status` is the HTTP answer. */
export class UnsupportedMediaError extends Error {
  constructor(
    readonly status: 415 | 422,
    message: string,
  ) {
    super(message);
    this.name = "UnsupportedMediaError";
  }
}

export interface Thumbnail {
  readonly size: ThumbnailSize;
  readonly format: ThumbnailFormat;
  readonly width: number;
  readonly height: number;
  readonly data: Buffer;
}

/** Checks the declared type, then that the bytes really are that kind of image. */
export async function checkImage(data: Buffer, contentType: string): Promise<Metadata> {
  const expected = SUPPORTED_TYPES[contentType.toLowerCase()];
  if (!expected) {
    throw new UnsupportedMediaError(
      415,
      `unsupported content type "${contentType}": media-processor makes image thumbnails; allowed: ${Object.keys(SUPPORTED_TYPES).join(", ")}`,
    );
  }
  let meta: Metadata;
  try {
    meta = await sharp(data).metadata();
  } catch (error) {
    throw new UnsupportedMediaError(
      422,
      `the bytes are not a readable ${contentType} image: ${(error as Error).message}`,
    );
  }
  if (meta.format !== expected) {
    throw new UnsupportedMediaError(
      422,
      `declared content type ${contentType}, but the bytes are a ${meta.format ?? "unknown"} image`,
    );
  }
  return meta;
}

/** Every size in every format. */
export async function makeThumbnails(data: Buffer, contentType: string): Promise<Thumbnail[]> {
  await checkImage(data, contentType);
  const upright = await sharp(data).rotate().toBuffer();
  const jobs = Object.entries(THUMBNAIL_SIZES).flatMap(([size, edge]) =>
    THUMBNAIL_FORMATS.map(async (format) => {
      const resized = sharp(upright).resize(edge, edge, {
        fit: "inside",
        withoutEnlargement: true,
      });
      const out =
        format === "webp"
          ? resized.webp({ quality: 80 })
          : resized.flatten({ background: "#ffffff" }).jpeg({ quality: 82, mozjpeg: true });
      const { data: bytes, info } = await out.toBuffer({ resolveWithObject: true });
      return {
        size: size as ThumbnailSize,
        format,
        width: info.width,
        height: info.height,
        data: bytes,
      };
    }),
  );
  return Promise.all(jobs);
}
