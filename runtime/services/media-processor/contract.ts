import type { z } from "zod";
import { mediaTranscodeEvent } from "../../schemas/events";

/** POST /v1/thumbnails: thumbnails of a stored image. Idempotent (same input, same outputs). */
export const thumbnailsRequest = mediaTranscodeEvent;
export type ThumbnailsRequest = z.input<typeof thumbnailsRequest>;

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
