import { expect } from "chai";
import { FcmSenderRole } from "../../components/fcm-sender-role";
import { named, ofType, runComponent } from "./fixtures";

describe("FcmSenderRole", () => {
  it("defines a custom role with only cloudmessaging.messages.create and grants it by name", async () => {
    const { resources } = await runComponent(() => {
      const role = new FcmSenderRole("fcm", { project: "avalo-eu" });
      role.grant(
        "serviceAccount:notification-worker-eu-west@avalo-eu.iam.gserviceaccount.com",
        "nw",
      );
      return role;
    }, "eu");
    const role = named(resources, "fcm");
    expect(role.type).to.equal("gcp:projects/iAMCustomRole:IAMCustomRole");
    expect(role.inputs).to.deep.equal({
      project: "avalo-eu",
      roleId: "avaloFcmSender",
      title: "Avalo FCM sender",
      description: "Sends Firebase Cloud Messaging messages; nothing else.",
      permissions: ["cloudmessaging.messages.create"],
      stage: "GA",
    });
    const grants = ofType(resources, "gcp:projects/iAMMember:IAMMember");
    expect(grants.map((g) => [g.name, g.inputs])).to.deep.equal([
      [
        "fcm-nw",
        {
          project: "avalo-eu",
          role: "projects/avalo-eu/roles/avaloFcmSender",
          member: "serviceAccount:notification-worker-eu-west@avalo-eu.iam.gserviceaccount.com",
        },
      ],
    ]);
    // The grant waits for the role it names.
    expect(grants[0].propertyDependencies.role).to.deep.equal([role.urn]);
  });
});
