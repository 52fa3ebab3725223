import { serviceUrlVariable } from "../server/config";
import { googleIdTokens, noIdTokens } from "./id-token";
import { ServiceClient, type ServiceClientArgs } from "./service-client";

/**
 * A client core for `service` configured from the caller's environment: the URL from
 * `AVALO_URL_<SERVICE>` (set by the Service component for each service the caller may call),
 * Google ID tokens when the caller runs with AVALO_AUTH=google-oidc, none when local.
 */
export function serviceClientFromEnv(
  service: string,
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<ServiceClientArgs> = {},
): ServiceClient {
  const variable = serviceUrlVariable(service);
  const baseUrl = overrides.baseUrl ?? env[variable];
  if (!baseUrl) {
    throw new Error(
      `${variable} is not set: the URL of ${service}, which this service calls (add "${service}" to its calls in runtime/services/catalog.ts)`,
    );
  }
  const tokens = overrides.tokens ?? (env.AVALO_AUTH === "local" ? noIdTokens : googleIdTokens());
  return new ServiceClient({ ...overrides, service, baseUrl, tokens });
}
