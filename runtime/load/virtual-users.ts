import { globalUserNumber, SINGLE_SHARD, type Shard } from "./shard";

/**
 * Virtual users: the identities operations are sent as. Each is a small object (ids, home
 * country, device, companion, counters), so 100,000 of them fit in a few tens of MB. Which user
 * acts next is drawn from the run's seeded PRNG, so the sequence is reproducible.
 */
export interface VirtualUser {
  /** User id sent to the platform: `load-<runId>-u<global number>`. */
  readonly id: string;
  readonly country: string;
  readonly deviceId: string;
  readonly companionId: string;
  /** Operations this user started, and how many of them failed. */
  started: number;
  failed: number;
}

const COUNTRIES = ["US", "US", "CA", "BR", "DE", "FR", "GB", "ES", "IN", "JP", "SG", "AU"];

export interface VirtualUsersArgs {
  readonly count: number;
  /** Short id of the run, so two runs never share users. */
  readonly runId: string;
  /** @default one shard */
  readonly shard?: Shard;
}

/** The virtual users of one generator (one shard). */
export class VirtualUsers {
  readonly users: VirtualUser[];

  constructor(args: VirtualUsersArgs) {
    const shard = args.shard ?? SINGLE_SHARD;
    this.users = new Array<VirtualUser>(args.count);
    for (let i = 0; i < args.count; i++) {
      const n = globalUserNumber(i, shard);
      this.users[i] = {
        id: `load-${args.runId}-u${n}`,
        country: COUNTRIES[n % COUNTRIES.length],
        deviceId: `load-${args.runId}-d${n}`,
        companionId: `companion-${n % 16}`,
        started: 0,
        failed: 0,
      };
    }
  }

  get size(): number {
    return this.users.length;
  }

  /** A user drawn uniformly with `random` (a draw in [0, 1)). */
  pick(random: () => number): VirtualUser {
    return this.users[Math.floor(random() * this.users.length)];
  }
}
