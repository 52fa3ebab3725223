import { expect } from "chai";
import { getService } from "../../../runtime/catalog/services";
import { PUSH_INVOKER_VARIABLE, serviceEnvironment } from "../../../runtime/services/container";
import { CLOUD } from "./env";

describe("service environment (the deploy contract's variables)", () => {
  it("names exactly the variables a consumer service reads on Cloud Run, and no cache it does not use", () => {
    expect(serviceEnvironment(getService("media-processor"), CLOUD)).to.deep.equal({
      AVALO_REGION: "eu-west",
      AVALO_GEOGRAPHY: "eu",
      AVALO_ENVIRONMENT: "prod",
      AVALO_AUTH: "google-oidc",
      AVALO_SERVICE_URL: "https://media-processor-1.europe-west1.run.app",
      GOOGLE_CLOUD_PROJECT: "avalo-eu",
      [PUSH_INVOKER_VARIABLE]: "media-transcode-push@avalo-eu.iam.gserviceaccount.com",
      MEDIA_BUCKET: "avalo-eu-media",
      MEDIA_UPLOAD_BUCKET: "avalo-eu-media",
    });
  });

  it("gives local stand-ins where this machine has no Cloud Storage, BigQuery or Vertex AI", () => {
    const local = serviceEnvironment(getService("analytics-aggregator"), {
      ...CLOUD,
      auth: "local",
      analytics: { ndjsonDir: "/tmp/rows" },
    });
    expect(local).to.include({ AVALO_AUTH: "local", ANALYTICS_NDJSON_DIR: "/tmp/rows" });
    expect(local).not.to.have.property("ANALYTICS_DATASET");
    const ai = serviceEnvironment(getService("ai-inference"), { ...CLOUD, ai: "local" });
    expect(ai).to.include({ AI_PROVIDER: "local" });
    expect(ai).not.to.have.property("AI_VERTEX_LOCATION");
  });

  it("rejects a service that consumes two pipelines, whose second invoker it could not accept", () => {
    const spec = getService("media-processor");
    const pipelines = [
      { name: "media-transcode", consumer: "media-processor" },
      { name: "media-moderation", consumer: "media-processor" },
    ];
    expect(() => serviceEnvironment(spec, CLOUD, pipelines)).to.throw(
      "service media-processor consumes 2 pipelines (media-transcode, media-moderation), but a " +
        "service accepts pushes from one invoker (AVALO_PUSH_INVOKER_EMAIL); give each pipeline its own consumer service",
    );
  });
});
