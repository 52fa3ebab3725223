import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { Apis } from "./apis";
import type { PlatformArgs } from "./context";
import { platformLabels } from "./labels";
import { checkOneOf, checkPattern, checkPlatformArgs } from "./validation";

/** App Check modes of a service: `unenforced` collects metrics only, `enforced` rejects. */
export const APP_CHECK_ENFORCEMENT = ["unenforced", "enforced"] as const;
export type AppCheckEnforcement = (typeof APP_CHECK_ENFORCEMENT)[number];

/**
 * Firebase services the apps call directly, whose App Check enforcement the component sets.
 * Cloud Storage for Firebase is absent: uploads go through signed POST policies to the bucket's
 * XML API (runtime/services/media-processor/uploads.ts), which App Check does not front.
 */
const APP_CHECK_SERVICES = ["firestore.googleapis.com"] as const;

/** The client apps of one geography (stack config `avalo:clientApps`). */
export interface ClientApps {
  /** Android application id, e.g. `app.avalo.android`. */
  readonly androidPackage: string;
  /** SHA-256 fingerprints (64 hex digits) of the release signing certificates. @default [] */
  readonly androidSha256?: readonly string[];
  /** iOS bundle id, e.g. `app.avalo.ios`. */
  readonly iosBundleId: string;
  /** Apple Developer Team ID (10 characters); App Attest needs it on the app. */
  readonly iosTeamId?: string;
  /** The web app's origin, `https://host` (its host is the reCAPTCHA key's allowed domain). */
  readonly webOrigin: string;
}

/** Arguments of {@link AppCheck}. */
export interface AppCheckArgs extends PlatformArgs {
  /** Enabled APIs (Firebase, App Check, reCAPTCHA Enterprise); every child depends on them. */
  readonly apis: Apis;
  readonly clientApps: ClientApps;
  /**
   * Enforcement of every service in {@link APP_CHECK_SERVICES}; roll out `unenforced` (metrics
   * only) first, then `enforced`.
   */
  readonly enforcement: AppCheckEnforcement;
  /**
   * Lifetime of App Check tokens (Firebase allows 30 minutes to 7 days).
   * @default "3600s"
   */
  readonly tokenTtl?: string;
}

const PACKAGE = /^[a-zA-Z][a-zA-Z0-9_]*(\.[a-zA-Z][a-zA-Z0-9_]*)+$/;
const BUNDLE_ID = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
const TEAM_ID = /^[A-Z0-9]{10}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const HTTPS_ORIGIN = /^https:\/\/([a-z0-9-]+(\.[a-z0-9-]+)+)$/;
const TOKEN_TTL_SECONDS = { min: 30 * 60, max: 7 * 24 * 3600 };

/**
 * Firebase App Check for one geography's project: the Firebase project, its Android, Apple and
 * web apps with their attestation providers (Play Integrity, App Attest, reCAPTCHA Enterprise
 * with a score key limited to the web origin's domain), and the enforcement mode of each
 * client-facing Firebase service. iOS attests with App Attest rather than DeviceCheck, which
 * would need an Apple private key in the program. The apps are abandoned, not deleted, on
 * destroy: their app ids are compiled into shipped clients.
 */
export class AppCheck extends pulumi.ComponentResource {
  readonly firebaseProject: gcp.firebase.Project;
  readonly androidApp: gcp.firebase.AndroidApp;
  readonly appleApp: gcp.firebase.AppleApp;
  readonly webApp: gcp.firebase.WebApp;
  readonly recaptchaKey: gcp.recaptcha.EnterpriseKey;
  /** Enforcement per service id. */
  readonly serviceConfigs: Readonly<Record<string, gcp.firebase.AppCheckServiceConfig>>;

  constructor(name: string, args: AppCheckArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("avalo:edge:AppCheck", name, {}, opts);
    checkPlatformArgs(this, args);
    const apps = args.clientApps;
    checkOneOf(this, "enforcement", args.enforcement, APP_CHECK_ENFORCEMENT);
    checkPattern(
      this,
      "clientApps.androidPackage",
      apps.androidPackage,
      PACKAGE,
      "an application id such as app.avalo.android",
    );
    for (const hash of apps.androidSha256 ?? []) {
      checkPattern(this, "clientApps.androidSha256[]", hash, SHA256, "64 lowercase hex digits");
    }
    checkPattern(
      this,
      "clientApps.iosBundleId",
      apps.iosBundleId,
      BUNDLE_ID,
      "a bundle id such as app.avalo.ios",
    );
    if (apps.iosTeamId !== undefined) {
      checkPattern(
        this,
        "clientApps.iosTeamId",
        apps.iosTeamId,
        TEAM_ID,
        "10 uppercase letters or digits",
      );
    }
    checkPattern(
      this,
      "clientApps.webOrigin",
      apps.webOrigin,
      HTTPS_ORIGIN,
      "an https origin without path or port, such as https://app.avalo.example",
    );
    const tokenTtl = args.tokenTtl ?? "3600s";
    const ttl = Number(/^(\d+)s$/.exec(tokenTtl)?.[1] ?? NaN);
    if (!(ttl >= TOKEN_TTL_SECONDS.min && ttl <= TOKEN_TTL_SECONDS.max)) {
      throw new pulumi.ResourceError(
        `\`tokenTtl\` must be ${TOKEN_TTL_SECONDS.min}s–${TOKEN_TTL_SECONDS.max}s (30 minutes to 7 days), but ${JSON.stringify(tokenTtl)} was provided`,
        this,
      );
    }

    const project = args.project;
    const after = { parent: this, dependsOn: args.apis.services };
    this.firebaseProject = new gcp.firebase.Project(name, { project }, after);
    const inFirebase = { parent: this, dependsOn: [...args.apis.services, this.firebaseProject] };
    const display = (kind: string) => `Avalo ${kind} (${args.geography.id})`;

    this.androidApp = new gcp.firebase.AndroidApp(
      `${name}-android`,
      {
        project,
        displayName: display("Android"),
        packageName: apps.androidPackage,
        sha256Hashes: [...(apps.androidSha256 ?? [])],
        deletionPolicy: "ABANDON",
      },
      inFirebase,
    );
    this.appleApp = new gcp.firebase.AppleApp(
      `${name}-ios`,
      {
        project,
        displayName: display("iOS"),
        bundleId: apps.iosBundleId,
        ...(apps.iosTeamId ? { teamId: apps.iosTeamId } : {}),
        deletionPolicy: "ABANDON",
      },
      inFirebase,
    );
    this.webApp = new gcp.firebase.WebApp(
      `${name}-web`,
      { project, displayName: display("web"), deletionPolicy: "ABANDON" },
      inFirebase,
    );
    this.recaptchaKey = new gcp.recaptcha.EnterpriseKey(
      `${name}-web-recaptcha`,
      {
        project,
        displayName: display("web App Check"),
        webSettings: {
          integrationType: "SCORE",
          allowedDomains: [HTTPS_ORIGIN.exec(apps.webOrigin)![1]],
          allowAllDomains: false,
          allowAmpTraffic: false,
        },
        labels: platformLabels(args, args.regions[0].id, { purpose: "app-check" }),
      },
      after,
    );

    const playIntegrity = new gcp.firebase.AppCheckPlayIntegrityConfig(
      `${name}-android-play-integrity`,
      { project, appId: this.androidApp.appId, tokenTtl },
      { parent: this, dependsOn: [this.androidApp] },
    );
    const appAttest = new gcp.firebase.AppCheckAppAttestConfig(
      `${name}-ios-app-attest`,
      { project, appId: this.appleApp.appId, tokenTtl },
      { parent: this, dependsOn: [this.appleApp] },
    );
    const recaptcha = new gcp.firebase.AppCheckRecaptchaEnterpriseConfig(
      `${name}-web-recaptcha-enterprise`,
      { project, appId: this.webApp.appId, siteKey: this.recaptchaKey.name, tokenTtl },
      { parent: this, dependsOn: [this.webApp] },
    );

    // The providers first: enforcing before the apps can attest would lock every client out.
    const providers = [playIntegrity, appAttest, recaptcha];
    this.serviceConfigs = Object.fromEntries(
      APP_CHECK_SERVICES.map((serviceId) => [
        serviceId,
        new gcp.firebase.AppCheckServiceConfig(
          `${name}-${serviceId.split(".")[0]}`,
          { project, serviceId, enforcementMode: args.enforcement.toUpperCase() },
          { parent: this, dependsOn: providers },
        ),
      ]),
    );
    this.registerOutputs({
      androidAppId: this.androidApp.appId,
      appleAppId: this.appleApp.appId,
      webAppId: this.webApp.appId,
      recaptchaSiteKey: this.recaptchaKey.name,
    });
  }
}
