import { constants } from "node:fs";
import { access, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, resolve, sep } from "node:path";
import type { Storage } from "@google-cloud/storage";
import type { DependencyCheck } from "../server/health";

/**
 * Where media bytes live: a Cloud Storage bucket in production, a directory locally. Keys are
 * relative paths (`uploads/u1/photo.jpg`).
 */
export interface ObjectStore {
  /** Human-readable location, e.g. `gs://bucket` or a directory path. */
  readonly location: string;
  /** The object's bytes, or undefined when it does not exist. */
  get(key: string): Promise<Buffer | undefined>;
  put(key: string, data: Buffer, contentType: string): Promise<void>;
  /** `/healthz` check. */
  readonly check: DependencyCheck;
}

/** Keys must stay inside the store: no absolute paths, no `..`. */
export function checkKey(key: string): string {
  if (!key || key.startsWith("/") || key.split("/").some((p) => p === ".." || p === "")) {
    throw new Error(
      `object key ${JSON.stringify(key)} must be a relative path without "..", "//" or a leading "/"`,
    );
  }
  return key;
}

/** A directory as an object store (local runs and tests). */
export function directoryStore(root: string): ObjectStore {
  const base = resolve(root);
  const path = (key: string) => {
    const p = resolve(base, checkKey(key));
    if (!p.startsWith(base + sep))
      throw new Error(`object key ${JSON.stringify(key)} leaves the store`);
    return p;
  };
  return {
    location: base,
    async get(key) {
      try {
        return await readFile(path(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
    },
    async put(key, data) {
      const p = path(key);
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, data);
    },
    check: { name: "object-store", check: () => access(base, constants.W_OK) },
  };
}

/** A Cloud Storage bucket as an object store. */
export function gcsStore(storage: Storage, bucketName: string): ObjectStore {
  const bucket = storage.bucket(bucketName);
  return {
    location: `gs://${bucketName}`,
    async get(key) {
      try {
        const [data] = await bucket.file(checkKey(key)).download();
        return data;
      } catch (error) {
        if ((error as { code?: number }).code === 404) return undefined;
        throw error;
      }
    },
    async put(key, data, contentType) {
      await bucket.file(checkKey(key)).save(data, { contentType, resumable: false });
    },
    check: {
      name: "object-store",
      check: async () => {
        const [exists] = await bucket.exists();
        if (!exists) throw new Error(`bucket gs://${bucketName} does not exist`);
      },
    },
  };
}

/** The key of a `sourceUri`: `gs://<bucket>/<key>` of the configured bucket, or a bare key. */
export function sourceKey(sourceUri: string, store: ObjectStore): string {
  const gs = /^gs:\/\/([^/]+)\/(.+)$/.exec(sourceUri);
  if (!gs) return checkKey(sourceUri);
  if (`gs://${gs[1]}` !== store.location) {
    throw new Error(`sourceUri ${sourceUri} is not in this service's bucket ${store.location}`);
  }
  return checkKey(gs[2]);
}
