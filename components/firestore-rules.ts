import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import {
  readFirestoreRulesSource,
  renderFirestoreRules,
  rulesContentHash,
} from "../runtime/security/rules";
import type { Apis } from "./apis";
import type { PlatformArgs } from "./context";
import { checkPlatformArgs } from "./validation";

/** Arguments of {@link FirestoreRules}. */
export interface FirestoreRulesArgs extends PlatformArgs {
  /** Enabled APIs (`firebaserules.googleapis.com` among them). */
  readonly apis: Apis;
  /**
   * Database the rules are released to; pass `FirestoreDatabase.databaseName` so the release
   * waits for the database.
   * @default "(default)"
   */
  readonly databaseName?: pulumi.Input<string>;
  /**
   * Rules source with the `{{GEOGRAPHY}}` placeholder.
   * @default the repository's firestore.rules
   */
  readonly source?: string;
}

/** Name of the rules file inside the ruleset, as the Firebase console shows it. */
const RULES_FILE_NAME = "firestore.rules";

/** Release name for a database: `cloud.firestore` for `(default)`, else `cloud.firestore/<db>`. */
export function firestoreReleaseName(databaseName: string): string {
  return databaseName === "(default)" ? "cloud.firestore" : `cloud.firestore/${databaseName}`;
}

/**
 * Releases firestore.rules to the geography's Firestore database: a ruleset holding the rules
 * rendered for the geography, and the `cloud.firestore` release pointing at it. The content's
 * SHA-256 is the ruleset file's fingerprint, so a rules change shows in the plan and its diff.
 * A ruleset is immutable: a change creates a new one, moves the release, then deletes the old.
 */
export class FirestoreRules extends pulumi.ComponentResource {
  readonly ruleset: gcp.firebaserules.Ruleset;
  readonly release: gcp.firebaserules.Release;
  /** Hex SHA-256 of the released rules content. */
  readonly contentSha256: pulumi.Output<string>;

  constructor(name: string, args: FirestoreRulesArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("avalo:firestore:FirestoreRules", name, {}, opts);
    checkPlatformArgs(this, args);
    let content: string;
    try {
      content = renderFirestoreRules(args.source ?? readFirestoreRulesSource(), args.geography.id);
    } catch (e) {
      throw new pulumi.ResourceError(`\`source\`: ${(e as Error).message}`, this);
    }
    const sha256 = rulesContentHash(content);
    const childOpts = { parent: this, dependsOn: args.apis.services };
    this.ruleset = new gcp.firebaserules.Ruleset(
      `${name}-ruleset`,
      {
        project: args.project,
        source: {
          language: "FIREBASE_RULES",
          files: [{ name: RULES_FILE_NAME, content, fingerprint: sha256 }],
        },
      },
      childOpts,
    );
    this.release = new gcp.firebaserules.Release(
      `${name}-release`,
      {
        project: args.project,
        name: pulumi.output(args.databaseName ?? "(default)").apply(firestoreReleaseName),
        rulesetName: pulumi.interpolate`projects/${args.project}/rulesets/${this.ruleset.name}`,
      },
      childOpts,
    );
    this.contentSha256 = pulumi.output(sha256);
    this.registerOutputs({ contentSha256: this.contentSha256, release: this.release.name });
  }
}
