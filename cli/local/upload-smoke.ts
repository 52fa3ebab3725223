import { existsSync } from "node:fs";
import { join } from "node:path";
import type { IssuedUpload } from "../../runtime/services/media-processor/uploads";
import type { Platform } from "./platform";

/**
 * The smoke run's upload: a policy from media-processor, the form POSTed to the local upload
 * endpoint as a client would (and once more into another user's prefix, which must be refused),
 * the completion, and then the media-transcode job done with its thumbnails stored.
 */

const PIXEL_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
  "base64",
);

async function postForm(
  issued: IssuedUpload,
  change: Record<string, string> = {},
): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries({ ...issued.fields, ...change })) form.append(k, v);
  form.append("file", new Blob([PIXEL_PNG], { type: "image/png" }));
  return fetch(issued.url, { method: "POST", body: form, signal: AbortSignal.timeout(10_000) });
}

async function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
}

/** Runs the upload end to end; resolves with a one-line summary or throws saying what failed. */
export async function uploadCheck(platform: Platform, run: string): Promise<string> {
  const processor = platform.services.find((s) => s.service === "media-processor");
  if (!processor) throw new Error("media-processor is not running");
  const ownerId = `u-${run}`;
  const issuedRes = await postJson(`${processor.url}/v1/uploads`, {
    ownerId,
    contentType: "image/png",
  });
  if (issuedRes.status !== 201) {
    throw new Error(`POST /v1/uploads answered ${issuedRes.status}: ${await issuedRes.text()}`);
  }
  const issued = (await issuedRes.json()) as IssuedUpload;

  const foreign = await postForm(issued, { key: `uploads/someone-else/${issued.mediaId}` });
  await foreign.arrayBuffer();
  if (foreign.status !== 403) {
    throw new Error(`an upload into another user's prefix answered ${foreign.status}, not 403`);
  }
  const uploaded = await postForm(issued);
  if (uploaded.status !== 204) {
    throw new Error(`the upload POST answered ${uploaded.status}: ${await uploaded.text()}`);
  }
  const done = await postJson(`${processor.url}/v1/uploads/complete`, {
    ownerId,
    mediaId: issued.mediaId,
  });
  if (done.status !== 202) {
    throw new Error(`POST /v1/uploads/complete answered ${done.status}: ${await done.text()}`);
  }

  const job = `media_jobs/${issued.mediaId}`;
  const deadline = Date.now() + 30_000;
  let status: unknown;
  while (Date.now() < deadline) {
    status = (await platform.db.doc(job).get()).get("status");
    if (status === "done") break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (status !== "done") throw new Error(`${job} is ${String(status)} after 30 s, not done`);
  const thumbnail = join(platform.mediaDir, "thumbnails", issued.mediaId, "small.webp");
  if (!existsSync(thumbnail)) throw new Error(`no thumbnail at ${thumbnail}`);
  return `${issued.key} uploaded (another user's prefix refused with 403), transcoded: ${job} done`;
}
