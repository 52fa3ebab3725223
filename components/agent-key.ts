import * as gcp from "@pulumi/gcp";
import type * as pulumi from "@pulumi/pulumi";
import { KEY_DESTROY_SCHEDULED_DURATION, KEY_ROTATION_PERIOD } from "./defaults";
import { gcpName } from "./naming";

/** Settings of {@link agentKey}. */
export interface AgentKeySettings {
  /** Key ring the key goes into (`Kms.keyRings[region].id`). */
  readonly keyRing: pulumi.Input<string>;
  /** The key's name, passed through `gcpName("kms", ...)`. */
  readonly keyName: string;
  /** The only member that may use the key: a Google service agent. */
  readonly agent: pulumi.Input<string>;
  readonly labels: Readonly<Record<string, string>>;
  /** Protect the key and refuse its deletion in GCP. */
  readonly deletionProtection: boolean;
}

/**
 * A CMEK key of its own for one resource (a job, a repository), rotating like every key of the
 * stack, with encrypt/decrypt granted to exactly the service agent that uses it. Callers make
 * the resource depend on `grant`, so it is never created before its agent may use the key.
 */
export function agentKey(
  name: string,
  settings: AgentKeySettings,
  opts: pulumi.CustomResourceOptions,
): { key: gcp.kms.CryptoKey; grant: gcp.kms.CryptoKeyIAMMember } {
  const key = new gcp.kms.CryptoKey(
    `${name}-key`,
    {
      name: gcpName("kms", settings.keyName),
      keyRing: settings.keyRing,
      purpose: "ENCRYPT_DECRYPT",
      rotationPeriod: KEY_ROTATION_PERIOD,
      destroyScheduledDuration: KEY_DESTROY_SCHEDULED_DURATION,
      versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" },
      deletionPolicy: settings.deletionProtection ? "PREVENT" : "DELETE",
      labels: settings.labels,
    },
    { ...opts, protect: settings.deletionProtection },
  );
  const grant = new gcp.kms.CryptoKeyIAMMember(
    `${name}-key-agent`,
    {
      cryptoKeyId: key.id,
      role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      member: settings.agent,
    },
    opts,
  );
  return { key, grant };
}
