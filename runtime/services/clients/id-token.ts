import { GoogleAuth, type IdTokenClient } from "google-auth-library";

/** Supplies the Authorization header for calls to a service URL. */
export interface IdTokenSource {
  headersFor(audience: string): Promise<Record<string, string>>;
}

/**
 * Google ID tokens for the callee's URL (the audience its server verifies), from the
 * service's own service account via the metadata server; cached and refreshed by the library.
 */
export function googleIdTokens(auth: GoogleAuth = new GoogleAuth()): IdTokenSource {
  const clients = new Map<string, Promise<IdTokenClient>>();
  return {
    async headersFor(audience) {
      let client = clients.get(audience);
      if (!client) {
        client = auth.getIdTokenClient(audience);
        clients.set(audience, client);
      }
      const headers = await (await client).getRequestHeaders();
      const authorization = headers.get("authorization");
      if (!authorization) throw new Error(`no ID token was issued for ${audience}`);
      return { authorization };
    },
  };
}

/** No token: for local runs, where the callee runs with AVALO_AUTH=local. */
export const noIdTokens: IdTokenSource = {
  async headersFor() {
    return {};
  },
};
