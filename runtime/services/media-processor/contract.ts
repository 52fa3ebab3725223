import { z } from "zod";
import { mediaTranscodeEvent } from "../../schemas/events";
import { bodyRoute } from "../server/routes";
import { uploadCompleteRequest, uploadRequest } from "./uploads";

/** POST /v1/thumbnails: thumbnails of a stored image. Idempotent (same input, same outputs). */
export const thumbnailsRequest = z.strictObject(mediaTranscodeEvent.shape);
export type ThumbnailsRequest = z.input<typeof thumbnailsRequest>;

/** The request names the stored image (`sourceUri`); the image itself never travels in it. */
export const thumbnailsRoute = bodyRoute({
  method: "POST",
  url: "/v1/thumbnails",
  body: thumbnailsRequest,
  bodyLimitBytes: 8 * 1024,
});

/** POST /v1/uploads: a signed upload policy for one object under the owner's prefix. */
export const uploadRoute = bodyRoute({
  method: "POST",
  url: "/v1/uploads",
  body: uploadRequest,
  bodyLimitBytes: 1024,
});

/** POST /v1/uploads/complete: the client reports the upload; the server checks the object. */
export const uploadCompleteRoute = bodyRoute({
  method: "POST",
  url: "/v1/uploads/complete",
  body: uploadCompleteRequest,
  bodyLimitBytes: 1024,
});

/** Every body route of media-processor. */
export const MEDIA_PROCESSOR_ROUTES = [thumbnailsRoute, uploadRoute, uploadCompleteRoute] as const;

export interface StoredThumbnail {
  readonly size: string;
  readonly format: string;
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
  /** Object key in the media store. */
  readonly key: string;
}

export interface ThumbnailsResponse {
  readonly mediaId: string;
  readonly thumbnails: readonly StoredThumbnail[];
}
