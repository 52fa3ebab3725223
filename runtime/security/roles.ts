import { getUserShardId } from "../sharding";
import { GEOGRAPHY_IDS, type GeographyId } from "../topology";

/**
 * Staff roles, carried as Firebase Auth custom claims and checked by firestore.rules. Each role
 * has an explicit, narrow grant; ordinary users carry no role.
 */

/** Staff roles, each with the grant listed in {@link ROLE_GRANTS}. */
export const ROLES = ["admin", "moderator", "support"] as const;
export type Role = (typeof ROLES)[number];

/** What each role may do directly under the rules (documentation, and checked by the tests). */
export const ROLE_GRANTS: Readonly<Record<Role, string>> = {
  admin:
    "read profiles, transactions, wallets, fraud decisions, roles, analytics and the audit log",
  moderator: "read chats and messages, and hide a message (hidden, moderatedBy)",
  support: "read profiles, transactions and wallets",
};

/** The custom claims Avalo sets on every user (the server sets them; clients cannot). */
export interface AvaloClaims {
  /** Home geography: the only database that serves this user. */
  readonly geo: GeographyId;
  /** The one user shard holding the profile, e.g. `user_shard_042`. */
  readonly userShard: string;
  /** Staff role, absent for ordinary users. */
  readonly role?: Role;
}

/** Whether a value names one of {@link ROLES}. */
export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/**
 * The role in a decoded token's claims, or undefined when there is none. An unknown role value
 * throws rather than being ignored, so a typo in a grant is found at once.
 */
export function roleFromClaims(claims: Readonly<Record<string, unknown>>): Role | undefined {
  const role = claims.role;
  if (role === undefined || role === null) return undefined;
  if (!isRole(role)) {
    throw new RangeError(
      `claim \`role\` must be one of ${ROLES.join(", ")}, but ${JSON.stringify(role)} was provided`,
    );
  }
  return role;
}

/**
 * The claims for a user homed in `geography`, with an optional role. Requires
 * `initSharding()` to have run (it computes the user's shard).
 */
export function userClaims(userId: string, geography: GeographyId, role?: Role): AvaloClaims {
  if (!(GEOGRAPHY_IDS as readonly string[]).includes(geography)) {
    throw new RangeError(
      `\`geography\` must be one of ${GEOGRAPHY_IDS.join(", ")}, but "${geography}" was provided`,
    );
  }
  if (role !== undefined && !isRole(role)) {
    throw new RangeError(
      `\`role\` must be one of ${ROLES.join(", ")}, but ${JSON.stringify(role)} was provided`,
    );
  }
  const base = { geo: geography, userShard: getUserShardId(userId) };
  return role ? { ...base, role } : base;
}

/**
 * The part of firebase-admin's `Auth` that role changes use; `getAuth()` satisfies it.
 */
export interface ClaimsWriter {
  getUser(uid: string): Promise<{ customClaims?: Record<string, unknown> }>;
  setCustomUserClaims(uid: string, claims: object | null): Promise<void>;
}
