import Module from "node:module";
import { sep } from "node:path";

/**
 * Modules that a preview worker loads at import time but a mock run never uses: `@pulumi/pulumi`
 * loads `typescript`, `@npmcli/arborist`, `normalize-package-data` and `fdir` for closure
 * serialization and its whole Automation API from its index; runtime/security/audit.ts loads
 * the Firestore client for the audit trail the services write. Together they are ~0.6 s of a
 * worker's start-up. Deferring them turns each into a proxy that loads the real module on first
 * use, so behaviour is unchanged if anything does use them.
 */
const DEFERRED = new Set([
  "typescript",
  "@npmcli/arborist",
  "normalize-package-data",
  "fdir",
  "firebase-admin/firestore",
]);

/** Relative requests deferred only from the given module (path suffix of the requiring file). */
const DEFERRED_FROM: ReadonlyArray<{ readonly request: string; readonly parent: string }> = [
  { request: "./automation", parent: ["@pulumi", "pulumi", "index.js"].join(sep) },
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
