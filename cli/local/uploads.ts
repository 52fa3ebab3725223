import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { directoryStore } from "../../runtime/services/media-processor/object-store";
import { LOCAL_UPLOAD_BUCKET, UPLOAD_LIMITS } from "../../runtime/services/media-processor/uploads";
import { checkPostPolicy, UploadRefusedError } from "./post-policy";

/**
 * The local platform's stand-in for Cloud Storage's form upload endpoint: it takes the
 * multipart POST a client sends with an issued policy, checks the policy as Cloud Storage does
 * (./post-policy.ts), and stores the file in the local media directory, or answers Cloud
 * Storage's XML error. media-processor signs with a key generated per run.
 */

/** A service-account key generated for one local run. */
export interface LocalSigner {
  readonly email: string;
  /** JSON key file (`client_email`, `private_key`) for MEDIA_UPLOAD_SIGNER_KEY_FILE. */
  readonly keyFile: string;
  readonly publicKey: KeyObject;
}

/** Generates an RSA key for `email` and writes its key file into `dir`. */
function createLocalSigner(
  dir: string,
  email = "media-processor@avalo-local.iam.gserviceaccount.com",
): LocalSigner {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyFile = join(dir, "upload-signer.json");
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  writeFileSync(keyFile, JSON.stringify({ client_email: email, private_key: pem }), {
    mode: 0o600,
  });
  return { email, keyFile, publicKey };
}

export interface UploadEndpointOptions {
  readonly mediaDir: string;
  readonly signers: ReadonlyMap<string, KeyObject>;
  /** @default {@link LOCAL_UPLOAD_BUCKET} */
  readonly bucket?: string;
  /** @default the system clock */
  readonly now?: () => Date;
}

export interface UploadEndpoint {
  readonly url: string;
  readonly bucket: string;
  stop(): Promise<void>;
}

/** Largest request body read: the policy limit plus room for the form fields. */
const MAX_BODY_BYTES = UPLOAD_LIMITS.maxBytes * 2;

function xmlError(res: ServerResponse, status: number, code: string, message: string): void {
  const escaped = message.replace(
    /[<>&]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[c]!,
  );
  res.writeHead(status, { "content-type": "application/xml; charset=UTF-8" });
  res.end(
    `<?xml version='1.0' encoding='UTF-8'?><Error><Code>${code}</Code><Message>${escaped}</Message></Error>`,
  );
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Starts the endpoint on a free loopback port. */
export async function startUploadEndpoint(options: UploadEndpointOptions): Promise<UploadEndpoint> {
  const store = directoryStore(options.mediaDir);
  const bucket = options.bucket ?? LOCAL_UPLOAD_BUCKET;
  const now = options.now ?? (() => new Date());
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "POST" || (req.url ?? "/") !== "/") {
      xmlError(res, 405, "MethodNotAllowed", "POST a form to /");
      return;
    }
    const body = await readBody(req);
    if (!body) {
      xmlError(res, 400, "EntityTooLarge", `the request is larger than ${MAX_BODY_BYTES} bytes`);
      return;
    }
    let form: FormData;
    try {
      form = await new Request("http://local/", {
        method: "POST",
        headers: { "content-type": req.headers["content-type"] ?? "" },
        body,
      }).formData();
    } catch (error) {
      xmlError(res, 400, "InvalidArgument", `not a multipart form: ${(error as Error).message}`);
      return;
    }
    const fields: Record<string, string> = {};
    let file: Blob | undefined;
    for (const [name, value] of form.entries()) {
      if (name === "file" && typeof value !== "string") file = value;
      else if (typeof value === "string") fields[name] = value;
    }
    if (!file) {
      xmlError(res, 400, "InvalidArgument", "missing form field file");
      return;
    }
    try {
      const accepted = checkPostPolicy(
        { fields, fileBytes: file.size },
        { bucket, signers: options.signers, now: now() },
      );
      await store.put(accepted.key, Buffer.from(await file.arrayBuffer()), accepted.contentType);
      res.writeHead(204);
      res.end();
    } catch (error) {
      if (error instanceof UploadRefusedError)
        xmlError(res, error.status, error.code, error.message);
      else xmlError(res, 500, "InternalError", (error as Error).message);
    }
  };
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bucket,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The upload path of a local run: a signer key in `runDir` and the endpoint writing into
 * `mediaDir`. `env` is what media-processor needs to issue policies for it.
 */
export async function startLocalUploads(
  runDir: string,
  mediaDir: string,
): Promise<{ readonly env: NodeJS.ProcessEnv; readonly endpoint: UploadEndpoint }> {
  const signer = createLocalSigner(runDir);
  const endpoint = await startUploadEndpoint({
    mediaDir,
    signers: new Map([[signer.email, signer.publicKey]]),
  });
  return {
    endpoint,
    env: {
      MEDIA_UPLOAD_URL: endpoint.url,
      MEDIA_UPLOAD_BUCKET: endpoint.bucket,
      MEDIA_UPLOAD_SIGNER_KEY_FILE: signer.keyFile,
    },
  };
}
