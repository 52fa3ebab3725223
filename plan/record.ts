/**
 * The record of one registered resource, as the offline mock runtime records it
 * (stacks/offline/mocks.ts), as the offline preview writes it to a plan (`out/plan/<stack>.json`,
 * cli/preview/plan.ts) and as the policies and the diff compare it. Plain types, no imports, so
 * that `stacks/`, `cli/` and `policies/` all read the one definition.
 */

/** The offline plan of one stack: every resource the program registered. */
export interface Plan {
  readonly version: 1;
  readonly project: string;
  readonly stack: string;
  readonly geography: string;
  readonly resources: readonly PlanResource[];
}

/** One registered resource, as the engine would have received it. */
export interface PlanResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** Cloud resource (true) or component (false). */
  readonly custom: boolean;
  /** URN of the parent, "" for the stack. */
  readonly parent: string;
  /** URNs of explicit and implicit dependencies, sorted. */
  readonly dependencies: readonly string[];
  /** Dependencies (URNs, sorted) per input property; a plan leaves out properties without any. */
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
  readonly inputs: Readonly<Record<string, unknown>>;
  /** The resource options the engine received with the registration. */
  readonly options: PlanResourceOptions;
}

/**
 * The resource options of a registration that decide what a change destroys or keeps: each is
 * recorded with its default when the program did not set it, so that a change shows in a diff.
 */
export interface PlanResourceOptions {
  readonly protect: boolean;
  /** Input paths whose changes the engine ignores, sorted. */
  readonly ignoreChanges: readonly string[];
  /** Whether the engine leaves the cloud resource in place when Pulumi deletes it. */
  readonly retainOnDelete: boolean;
  /** Whether a replacement deletes the old resource before creating the new one. */
  readonly deleteBeforeReplace: boolean;
  /** Input paths whose changes force a replacement on top of the provider's, sorted. */
  readonly replaceOnChanges: readonly string[];
  /** URN of the resource whose deletion deletes this one ("" when none). */
  readonly deletedWith: string;
  /** Outputs the engine keeps secret, sorted. */
  readonly additionalSecretOutputs: readonly string[];
}
