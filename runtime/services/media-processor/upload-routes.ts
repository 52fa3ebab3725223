import type { Bucket } from "@google-cloud/storage";
import type { FastifyInstance } from "fastify";
import type { PipelineName } from "../../catalog/names";
import type { PublisherOf } from "../../pipelines/publisher";
import { HttpError } from "../server/errors";
import { mountBodyRoute } from "../server/routes";
import { uploadCompleteRoute, uploadRoute } from "./contract";
import type { ObjectStore } from "./object-store";
import { issueUpload, UPLOAD_CONTENT_TYPES, uploadKey, type IssuedUpload } from "./uploads";

/** The pipelines the upload routes publish to; media-processor's `publishes` lists them. */
export const UPLOAD_ROUTES_PUBLISHES = [
  "media-transcode",
] as const satisfies readonly PipelineName[];

/** What the upload routes need. */
export interface UploadRoutesArgs {
  /** The media bucket, through a client whose credentials sign the policies. */
  readonly bucket: Bucket;
  /** The same bucket as an object store, to check a finished upload. */
  readonly store: ObjectStore;
  /** Publishes the media-transcode event of a finished upload. */
  readonly publisher: PublisherOf<(typeof UPLOAD_ROUTES_PUBLISHES)[number]>;
  /** Where forms post instead of Cloud Storage (the local platform's endpoint). */
  readonly uploadUrl?: string;
}

/** Response of POST /v1/uploads/complete. */
export interface UploadCompleteResponse {
  readonly mediaId: string;
  readonly sourceUri: string;
  readonly contentType: string;
  readonly bytes: number;
  /** Pub/Sub message id of the media-transcode event. */
  readonly messageId: string;
}

/**
 * The upload routes of media-processor, called by the authenticated API tier on behalf of a
 * signed-in user (`ownerId` is the Firebase uid it verified):
 * - `POST /v1/uploads` issues a signed POST policy for one object under the owner's prefix;
 * - `POST /v1/uploads/complete` checks that the object exists at the key the server chose and
 *   publishes its media-transcode event, with the stored content type, never a client path.
 */
export function mountUploadRoutes(app: FastifyInstance, args: UploadRoutesArgs): void {
  mountBodyRoute(app, uploadRoute, async (body, req, reply): Promise<IssuedUpload> => {
    const issued = await issueUpload(args.bucket, body, { uploadUrl: args.uploadUrl });
    req.log.info({ mediaId: issued.mediaId, ownerId: body.ownerId }, "upload policy issued");
    reply.code(201);
    return issued;
  });

  mountBodyRoute(
    app,
    uploadCompleteRoute,
    async (body, req, reply): Promise<UploadCompleteResponse> => {
      const key = uploadKey(body.ownerId, body.mediaId);
      const head = await args.store.head(key);
      if (!head) {
        throw new HttpError(
          404,
          `no upload at ${key} in ${args.store.location}; POST the file with the issued policy first`,
        );
      }
      if (!UPLOAD_CONTENT_TYPES.includes(head.contentType)) {
        throw new HttpError(
          415,
          `the object at ${key} has content type "${head.contentType}"; allowed: ${UPLOAD_CONTENT_TYPES.join(", ")}`,
        );
      }
      const sourceUri = args.store.location.startsWith("gs://")
        ? `${args.store.location}/${key}`
        : key;
      const { messageId } = await args.publisher.publish(
        "media-transcode",
        { mediaId: body.mediaId, ownerId: body.ownerId, contentType: head.contentType, sourceUri },
        { id: `upload-${body.mediaId}` },
      );
      req.log.info({ mediaId: body.mediaId, messageId }, "upload finished; transcode published");
      reply.code(202);
      return { mediaId: body.mediaId, sourceUri, ...head, messageId };
    },
  );
}
