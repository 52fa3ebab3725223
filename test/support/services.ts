import {
  startFirestoreEmulator,
  startPubSubEmulator,
  startRedis,
  type LocalProcess,
} from "../../runtime/local/processes";

/**
 * Shared real services for integration tests: each starts on first use, on a free loopback port,
 * and is stopped once after the whole run by the root hook in hooks.ts.
 */
const started = new Map<string, Promise<LocalProcess>>();

function shared(name: string, start: () => Promise<LocalProcess>): Promise<LocalProcess> {
  let p = started.get(name);
  if (!p) {
    p = start();
    started.set(name, p);
  }
  return p;
}

/** The shared redis-server. Tests use their own key prefixes or `flushdb` in their own db. */
export function useRedis(): Promise<LocalProcess> {
  return shared("redis", () => startRedis());
}

/** The shared Pub/Sub emulator; also sets PUBSUB_EMULATOR_HOST for clients created afterwards. */
export async function usePubSub(): Promise<LocalProcess> {
  const p = await shared("pubsub", () => startPubSubEmulator());
  process.env.PUBSUB_EMULATOR_HOST = p.endpoint;
  return p;
}

/** The shared Firestore emulator; also sets FIRESTORE_EMULATOR_HOST. */
export async function useFirestore(): Promise<LocalProcess> {
  const p = await shared("firestore", () => startFirestoreEmulator());
  process.env.FIRESTORE_EMULATOR_HOST = p.endpoint;
  return p;
}

/** Stops every shared service that was started. */
export async function stopSharedServices(): Promise<void> {
  const all = [...started.values()];
  started.clear();
  await Promise.all(all.map(async (p) => (await p).stop()));
}
