import Module from "node:module";
import { sep } from "node:path";

/**
 * Modules that a preview worker loads at import time but a mock run never uses: `@pulumi/pulumi`
 * loads `typescript`, `@npmcli/arborist`, `normalize-package-data` and `fdir` for closure
 * serialization, its whole Automation API and provider server from its index, and gRPC
 * (`@grpc/grpc-js` and the generated engine, monitor and callback clients), which the mock
 * monitor replaces; runtime/security/audit.ts loads the Firestore client for the audit trail the
 * services write. Together they are ~0.8 s of a worker's start-up. Deferring them turns each into
 * a proxy that loads the real module on first use, so behaviour is unchanged if anything does
 * use them.
 */
const DEFERRED = new Set([
  "typescript",
  "@npmcli/arborist",
  "normalize-package-data",
  "fdir",
  "firebase-admin/firestore",
  "@grpc/grpc-js",
]);

/** Relative requests deferred only from the given module (path suffix of the requiring file). */
const DEFERRED_FROM: ReadonlyArray<{ readonly request: string; readonly parent: string }> = [
  ...["./automation", "./provider"].map((request) => ({
    request,
    parent: ["@pulumi", "pulumi", "index.js"].join(sep),
  })),
  ...["engine", "resource"].map((proto) => ({
    request: `../proto/${proto}_grpc_pb`,
    parent: ["@pulumi", "pulumi", "runtime", "settings.js"].join(sep),
  })),
  {
    request: "../proto/callback_grpc_pb",
    parent: ["@pulumi", "pulumi", "runtime", "callbacks.js"].join(sep),
  },
];

type Load = (
  request: string,
  parent: { filename?: string } | undefined,
  isMain: boolean,
) => unknown;

let installed = false;

function deferred(request: string, parent: { filename?: string } | undefined): boolean {
  if (DEFERRED.has(request)) return true;
  const from = parent?.filename ?? "";
  return DEFERRED_FROM.some((d) => d.request === request && from.endsWith(d.parent));
}

/** Installs the deferral for the rest of the process. Call before importing `@pulumi/pulumi`. */
export function deferUnusedPulumiModules(): void {
  if (installed) return;
  installed = true;
  const loader = Module as unknown as { _load: Load };
  const load = loader._load;
  loader._load = function (request, parent, isMain) {
    if (!deferred(request, parent)) return load.call(this, request, parent, isMain);
    let real: Record<PropertyKey, unknown> | undefined;
    const target = () => (real ??= load.call(this, request, parent, isMain) as typeof real)!;
    // `__esModule` keeps TypeScript's `__importStar` from enumerating (and so loading) the module;
    // `default` then answers as `__importDefault` would have for a CommonJS module.
    return new Proxy(function deferredModule() {}, {
      get: (_t, key) => {
        if (key === "__esModule") return true;
        const mod = target();
        return key === "default" && !mod.__esModule ? mod : mod[key];
      },
      has: (_t, key) => key in target(),
      apply: (_t, self, args: unknown[]) => Reflect.apply(target() as never, self, args),
    });
  };
}
