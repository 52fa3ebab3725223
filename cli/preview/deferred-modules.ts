import Module from "node:module";

/**
 * `@pulumi/pulumi` loads `typescript` and `@npmcli/arborist` at import time for closure
 * serialization, which a mock run never uses; together they are ~1 s of a worker's start-up.
 * Deferring them turns each into a proxy that loads the real module on first use, so behaviour
 * is unchanged if anything does use them.
 */
const DEFERRED = new Set(["typescript", "@npmcli/arborist"]);

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;

/** Installs the deferral for the rest of the process. Call before importing `@pulumi/pulumi`. */
export function deferUnusedPulumiModules(): void {
  const loader = Module as unknown as { _load: Load };
  const load = loader._load;
  loader._load = function (request, parent, isMain) {
    if (!DEFERRED.has(request)) return load.call(this, request, parent, isMain);
    let real: Record<PropertyKey, unknown> | undefined;
    const target = () => (real ??= load.call(this, request, parent, isMain) as typeof real)!;
    // `__esModule` keeps TypeScript's `__importStar` from enumerating (and so loading) the module.
    return new Proxy(
      {},
      {
        get: (_t, key) => (key === "__esModule" ? true : target()[key]),
        has: (_t, key) => key in target(),
      },
    );
  };
}
