import type { GenerateRequest, GenerateResponse } from "../ai-inference/contract";
import type { ServiceClient } from "./service-client";

/** Typed client of ai-inference. */
export class AiInferenceClient {
  constructor(private readonly core: ServiceClient) {}

  /** A companion's reply. Spends the user's rate budget, so never retried. */
  generate(req: GenerateRequest): Promise<GenerateResponse> {
    return this.core.call({
      call: "generate",
      method: "POST",
      path: "/v1/generate",
      body: req,
      idempotent: false,
    });
  }
}
