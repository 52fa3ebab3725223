import { createHash } from "node:crypto";
import { GoogleAuth } from "google-auth-library";

/**
 * Text generation behind one interface. Production uses Vertex AI; local runs use a
 * deterministic provider whose every answer says it is not a model.
 */
export interface GenerationInput {
  readonly userId: string;
  readonly companionId: string;
  readonly prompt: string;
}

export interface Generation {
  readonly text: string;
  readonly provider: string;
  readonly model: string;
}

export interface GenerationProvider {
  readonly name: string;
  readonly model: string;
  generate(input: GenerationInput, signal: AbortSignal): Promise<Generation>;
}

/** The label every local answer starts with. */
export const LOCAL_LABEL = "[local deterministic provider: not a model]";

const OPENERS = [
  "I hear you",
  "That's a lovely thought",
  "Tell me more",
  "I was just thinking of that",
  "Interesting",
];

/**
 * Deterministic local provider: the same prompt and companion always give the same answer,
 * derived from a hash of the prompt, and labelled so nobody mistakes it for a model.
 */
export const localProvider: GenerationProvider = {
  name: "local",
  model: "local-echo-1",
  async generate(input) {
    const digest = createHash("sha256").update(`${input.companionId}\n${input.prompt}`).digest();
    const opener = OPENERS[digest[0] % OPENERS.length];
    const words = input.prompt.trim().split(/\s+/).slice(0, 12).join(" ");
    return {
      text: `${LOCAL_LABEL} ${input.companionId}: ${opener}. You said: "${words}" (#${digest.toString("hex").slice(0, 8)})`,
      provider: "local",
      model: "local-echo-1",
    };
  },
};

export interface VertexArgs {
  readonly projectId: string;
  /** Vertex AI location, e.g. `europe-west1`. */
  readonly location: string;
  /** Publisher model id, e.g. `gemini-2.5-flash`. */
  readonly model: string;
  readonly maxOutputTokens?: number;
  /** Endpoint base; `https://<location>-aiplatform.googleapis.com` by default. */
  readonly endpoint?: string;
  /** Access token source; the service account via google-auth-library by default. */
  readonly accessToken?: () => Promise<string>;
}

interface VertexResponse {
  candidates?: { content?: { parts?: { text?: string }[] }; finishReason?: string }[];
  promptFeedback?: { blockReason?: string };
}

/** Vertex AI `generateContent` over REST, authenticated as the service account. */
export function vertexProvider(args: VertexArgs): GenerationProvider {
  const auth = new GoogleAuth({ scopes: ["https://www.googleapis.com/auth/cloud-platform"] });
  const token =
    args.accessToken ??
    (async () => {
      const t = await auth.getAccessToken();
      if (!t) throw new Error("no access token for Vertex AI");
      return t;
    });
  const endpoint = args.endpoint ?? `https://${args.location}-aiplatform.googleapis.com`;
  const url = `${endpoint}/v1/projects/${args.projectId}/locations/${args.location}/publishers/google/models/${args.model}:generateContent`;
  return {
    name: "vertex",
    model: args.model,
    async generate(input, signal) {
      const res = await fetch(url, {
        method: "POST",
        signal,
        headers: { authorization: `Bearer ${await token()}`, "content-type": "application/json" },
        body: JSON.stringify({
          contents: [{ role: "user", parts: [{ text: input.prompt }] }],
          generationConfig: { maxOutputTokens: args.maxOutputTokens ?? 512 },
          labels: {
            companion: input.companionId
              .toLowerCase()
              .replace(/[^a-z0-9_-]/g, "_")
              .slice(0, 63),
          },
        }),
      });
      const body = (await res.json().catch(() => ({}))) as VertexResponse & {
        error?: { message?: string };
      };
      if (!res.ok)
        throw new Error(
          `Vertex AI answered HTTP ${res.status}: ${body.error?.message ?? "no message"}`,
        );
      if (body.promptFeedback?.blockReason) {
        throw new Error(`Vertex AI blocked the prompt: ${body.promptFeedback.blockReason}`);
      }
      const text = (body.candidates?.[0]?.content?.parts ?? []).map((p) => p.text ?? "").join("");
      if (!text)
        throw new Error(
          `Vertex AI returned no text (finishReason ${body.candidates?.[0]?.finishReason ?? "none"})`,
        );
      return { text, provider: "vertex", model: args.model };
    },
  };
}
