import type { ThumbnailsRequest, ThumbnailsResponse } from "../media-processor/contract";
import type { ServiceClient } from "./service-client";

/** Typed client of media-processor. */
export class MediaProcessorClient {
  constructor(private readonly core: ServiceClient) {}

  /** Makes and stores the thumbnails of an image (same input, same outputs: retried). */
  thumbnails(req: ThumbnailsRequest): Promise<ThumbnailsResponse> {
    return this.core.call({
      call: "thumbnails",
      method: "POST",
      path: "/v1/thumbnails",
      body: req,
      idempotent: true,
    });
  }
}
