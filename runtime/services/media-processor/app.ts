import { readFileSync } from "node:fs";
import { Storage } from "@google-cloud/storage";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { createMediaTranscodeHandler, type MediaProcessor } from "../../handlers/media-transcode";
import type { Authenticator } from "../server/auth";
import { createServiceApp } from "../server/app";
import { ConfigError, loadConfig } from "../server/config";
import { HttpError } from "../server/errors";
import { mountBodyRoute } from "../server/routes";
import type { ThumbnailsRequest, ThumbnailsResponse } from "./contract";
import { thumbnailsRoute } from "./contract";
import { directoryStore, gcsStore, sourceKey, type ObjectStore } from "./object-store";
import { mountPipelinePush, pushAuthFor, pushEnv } from "../server/pipeline-worker";
import { makeThumbnails, UnsupportedMediaError } from "./thumbnails";
import { mountUploadRoutes, type UploadRoutesArgs } from "./upload-routes";
import { LOCAL_UPLOAD_BUCKET } from "./uploads";
import { routePublisher } from "../server/service-publisher";

const mediaEnv = {
  /** Cloud Storage bucket of media (production). */
  MEDIA_BUCKET: z.string().min(3).max(222).optional(),
  /** Directory standing in for the bucket (local). */
  MEDIA_DIR: z.string().min(1).optional(),
  /** Bucket named in upload policies. @default MEDIA_BUCKET, else {@link LOCAL_UPLOAD_BUCKET} */
  MEDIA_UPLOAD_BUCKET: z.string().min(3).max(222).optional(),
  /** Where upload forms post instead of Cloud Storage (local platform only). */
  MEDIA_UPLOAD_URL: z.url().optional(),
  /**
   * JSON key (`client_email`, `private_key`) that signs upload policies (local platform only);
   * in production the service signs through IAM signBlob as its own account.
   */
  MEDIA_UPLOAD_SIGNER_KEY_FILE: z.string().min(1).optional(),
};

/** Reads the source from the store, makes its thumbnails and stores them; errors are HttpErrors. */
async function storeThumbnails(
  store: ObjectStore,
  body: ThumbnailsRequest,
): Promise<ThumbnailsResponse> {
  let key: string;
  try {
    key = sourceKey(body.sourceUri, store);
  } catch (error) {
    throw new HttpError(400, `invalid request body: sourceUri: ${(error as Error).message}`, {
      field: "sourceUri",
    });
  }
  const source = await store.get(key);
  if (!source)
    throw new HttpError(404, `source ${body.sourceUri} does not exist in ${store.location}`);
  let thumbnails;
  try {
    thumbnails = await makeThumbnails(source, body.contentType);
  } catch (error) {
    if (error instanceof UnsupportedMediaError) throw new HttpError(error.status, error.message);
    throw error;
  }
  const stored = await Promise.all(
    thumbnails.map(async (t) => {
      const thumbKey = `thumbnails/${body.mediaId}/${t.size}.${t.format === "jpeg" ? "jpg" : t.format}`;
      await store.put(thumbKey, t.data, `image/${t.format}`);
      return {
        size: t.size,
        format: t.format,
        width: t.width,
        height: t.height,
        bytes: t.data.length,
        key: thumbKey,
      };
    }),
  );
  return { mediaId: body.mediaId, thumbnails: stored };
}

/**
 * The media-transcode handler's processor: this service's own thumbnail maker, in-process.
 * Idempotent per job: the same source gives the same thumbnail keys, overwritten in place.
 */
function thumbnailProcessor(store: ObjectStore): MediaProcessor {
  return {
    async submit(job) {
      const response = await storeThumbnails(store, {
        mediaId: job.mediaId,
        ownerId: job.ownerId,
        contentType: job.contentType,
        sourceUri: job.sourceUri,
      });
      return { status: "done", outputs: response.thumbnails.map((t) => t.key) };
    },
  };
}

export interface MediaProcessorDeps {
  readonly store: ObjectStore;
  readonly authenticator: Authenticator;
  /** Upload routes' bucket client and publisher. @default from the environment */
  readonly uploads: Pick<UploadRoutesArgs, "bucket" | "publisher">;
}

/** The signing client of upload policies: a key file locally, else the service's own identity. */
function uploadStorage(projectId: string, keyFile: string | undefined): Storage {
  if (!keyFile) return new Storage({ projectId });
  const key = JSON.parse(readFileSync(keyFile, "utf8")) as {
    client_email: string;
    private_key: string;
  };
  return new Storage({ projectId, credentials: key });
}

/** The variables media-processor reads, beyond every service's (`baseEnv`). */
export const SERVICE_ENV = { ...mediaEnv, ...pushEnv };

/**
 * media-processor: image thumbnails (WebP and JPEG, EXIF stripped) through an object store, over
 * HTTP and as the consumer of the media-transcode pipeline (`POST /pubsub/push`).
 */
export async function buildMediaProcessor(
  env: NodeJS.ProcessEnv,
  deps: Partial<MediaProcessorDeps> = {},
): Promise<FastifyInstance> {
  const config = loadConfig(SERVICE_ENV, env);
  const auth = pushAuthFor(config);
  if (!deps.store && !config.MEDIA_BUCKET === !config.MEDIA_DIR) {
    throw new ConfigError(
      "invalid configuration:\n  MEDIA_BUCKET / MEDIA_DIR: set exactly one (the bucket in production, a directory locally)",
      ["MEDIA_BUCKET", "MEDIA_DIR"],
    );
  }
  const uploadBucket = config.MEDIA_UPLOAD_BUCKET ?? config.MEDIA_BUCKET ?? LOCAL_UPLOAD_BUCKET;
  const store =
    deps.store ??
    (config.MEDIA_BUCKET
      ? gcsStore(new Storage({ projectId: config.GOOGLE_CLOUD_PROJECT }), config.MEDIA_BUCKET)
      : directoryStore(config.MEDIA_DIR!));
  return createServiceApp(
    {
      service: "media-processor",
      config,
      checks: [store.check],
      authenticator: deps.authenticator,
    },
    (app) => {
      mountUploadRoutes(app, {
        store,
        uploadUrl: config.MEDIA_UPLOAD_URL,
        ...(deps.uploads ?? {
          bucket: uploadStorage(
            config.GOOGLE_CLOUD_PROJECT,
            config.MEDIA_UPLOAD_SIGNER_KEY_FILE,
          ).bucket(uploadBucket),
          publisher: routePublisher(app, config),
        }),
      });
      mountPipelinePush(app, {
        service: "media-processor",
        pipelineName: "media-transcode",
        config,
        auth,
        makeHandler: (handlerDeps) =>
          createMediaTranscodeHandler({ ...handlerDeps, processor: thumbnailProcessor(store) }),
      });
      mountBodyRoute(app, thumbnailsRoute, async (body, req): Promise<ThumbnailsResponse> => {
        const response = await storeThumbnails(store, body);
        req.log.info(
          { mediaId: body.mediaId, thumbnails: response.thumbnails.length },
          "thumbnails stored",
        );
        return response;
      });
    },
  );
}
