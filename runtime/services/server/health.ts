/**
 * Dependency checks behind `/healthz`: each service lists the dependencies it cannot work
 * without (Redis, Firestore, its object store), and `/healthz` answers 503 naming the ones
 * that are down.
 */
export interface DependencyCheck {
  readonly name: string;
  /** Resolves when the dependency answers; rejects (or times out) when it does not. */
  check(): Promise<unknown>;
}

export interface HealthReport {
  readonly status: "ok" | "unavailable";
  readonly checks: Readonly<Record<string, string>>;
}

/** Default time a dependency gets to answer before it counts as down. */
export const HEALTH_CHECK_TIMEOUT_MILLIS = 3000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs every check in parallel; `ok` only when all pass. */
export async function runHealthChecks(
  checks: readonly DependencyCheck[],
  timeoutMillis = HEALTH_CHECK_TIMEOUT_MILLIS,
): Promise<HealthReport> {
  const results = await Promise.all(
    checks.map(async (c) => {
      try {
        await withTimeout(
          Promise.resolve().then(() => c.check()),
          timeoutMillis,
          c.name,
        );
        return [c.name, "ok"] as const;
      } catch (error) {
        return [c.name, `down: ${(error as Error).message}`] as const;
      }
    }),
  );
  const ok = results.every(([, r]) => r === "ok");
  return { status: ok ? "ok" : "unavailable", checks: Object.fromEntries(results) };
}
