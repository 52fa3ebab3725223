import { OAuth2Client } from "google-auth-library";

/**
 * Who may call a service. In production every request carries a Google ID token whose audience
 * is the service's URL (Cloud Run's own invoker check has passed by then; this proves the token
 * was minted for this service). Local mode accepts every request and is logged at start.
 */
export interface Caller {
  /** The caller's service-account email, or `local` in local mode. */
  readonly email: string;
}

export interface Authenticator {
  /** `google-oidc` or `local`, logged at start. */
  readonly mode: "google-oidc" | "local";
  /** Resolves the caller or throws `UnauthorizedError`. */
  authenticate(authorization: string | undefined): Promise<Caller>;
}

/** The request has no valid token; the message says why. */
export class UnauthorizedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnauthorizedError";
  }
}

/** Verifies Google-signed ID tokens for the given audiences. */
export function googleOidcAuthenticator(
  audiences: readonly string[],
  client: Pick<OAuth2Client, "verifyIdToken"> = new OAuth2Client(),
): Authenticator {
  return {
    mode: "google-oidc",
    async authenticate(authorization) {
      const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
      if (!token) throw new UnauthorizedError("missing bearer token in the Authorization header");
      try {
        const ticket = await client.verifyIdToken({ idToken: token, audience: [...audiences] });
        const payload = ticket.getPayload();
        if (!payload?.email || payload.email_verified === false) {
          throw new Error("token has no verified email");
        }
        return { email: payload.email };
      } catch (error) {
        throw new UnauthorizedError(`invalid ID token: ${(error as Error).message}`);
      }
    },
  };
}

/** Accepts every request: only for local runs, where AVALO_AUTH=local says so explicitly. */
export const localAuthenticator: Authenticator = {
  mode: "local",
  async authenticate() {
    return { email: "local" };
  },
};
