import { constants } from "node:fs";
import { access, mkdir, readFile, stat, writeFile } from "node:fs/promises";
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
  /** The stored object's content type and size, or undefined when it does not exist. */
  head(key: string): Promise<ObjectHead | undefined>;
  /** `/healthz` check. */
  readonly check: DependencyCheck;
}

/** What the store knows about an object without reading it. */
export interface ObjectHead {
  readonly contentType: string;
  readonly bytes: number;
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

/**
 * A directory as an object store (local runs and tests). Content types are kept beside the
 * objects in `.meta/<key>.json`, as Cloud Storage keeps them in object metadata.
 */
export function directoryStore(root: string): ObjectStore {
  const base = resolve(root);
  const inside = (dir: string, key: string) => {
    const p = resolve(dir, checkKey(key));
    if (!p.startsWith(base + sep))
      throw new Error(`object key ${JSON.stringify(key)} leaves the store`);
    return p;
  };
  const path = (key: string) => inside(base, key);
  const metaPath = (key: string) => `${inside(resolve(base, ".meta"), key)}.json`;
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
    async put(key, data, contentType) {
      const p = path(key);
      const meta = metaPath(key);
      await mkdir(dirname(p), { recursive: true });
      await mkdir(dirname(meta), { recursive: true });
      await writeFile(meta, JSON.stringify({ contentType }));
      await writeFile(p, data);
    },
    async head(key) {
      try {
        const [info, meta] = await Promise.all([stat(path(key)), readFile(metaPath(key), "utf8")]);
        return { contentType: (JSON.parse(meta) as ObjectHead).contentType, bytes: info.size };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
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
    async head(key) {
      try {
        const [meta] = await bucket.file(checkKey(key)).getMetadata();
        return { contentType: meta.contentType ?? "", bytes: Number(meta.size ?? 0) };
      } catch (error) {
        if ((error as { code?: number }).code === 404) return undefined;
        throw error;
      }
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
