import * as pulumi from "@pulumi/pulumi";

/**
 * The resource options the engine hands to policies (`protect`, `ignoreChanges`, ...), which the
 * offline recorder in stacks/offline/mocks.ts does not keep. Recorded per URN by wrapping the
 * mock monitor once more.
 */
export interface RecordedOptions {
  readonly protect: boolean;
  readonly ignoreChanges: readonly string[];
  readonly deleteBeforeReplace?: boolean;
  readonly additionalSecretOutputs: readonly string[];
  readonly retainOnDelete?: boolean;
}

interface OptionsRequest {
  getProtect(): boolean | undefined;
  getIgnorechangesList(): string[];
  getDeletebeforereplace(): boolean;
  getDeletebeforereplacedefined(): boolean;
  getAdditionalsecretoutputsList(): string[];
  getRetainondelete(): boolean | undefined;
}

type RegisterFn = (
  req: OptionsRequest,
  callback: (err: unknown, res?: { getUrn(): string }) => void,
) => Promise<void>;

/**
 * Starts recording the options of every resource registered from now on. Call it inside the
 * program passed to `runOffline` (after the mocks are installed, before any resource exists).
 */
export function recordResourceOptions(): Map<string, RecordedOptions> {
  const recorded = new Map<string, RecordedOptions>();
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: RegisterFn };
  const inner = monitor.registerResource.bind(monitor);
  monitor.registerResource = async (req, callback) => {
    await inner(req, (err, res) => {
      if (!err && res) {
        recorded.set(res.getUrn(), {
          protect: req.getProtect() === true,
          ignoreChanges: [...req.getIgnorechangesList()].sort(),
          ...(req.getDeletebeforereplacedefined()
            ? { deleteBeforeReplace: req.getDeletebeforereplace() }
            : {}),
          additionalSecretOutputs: [...req.getAdditionalsecretoutputsList()].sort(),
          ...(req.getRetainondelete() ? { retainOnDelete: true } : {}),
        });
      }
      callback(err, res);
    });
  };
  return recorded;
}
