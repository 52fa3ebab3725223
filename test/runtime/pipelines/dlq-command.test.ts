import { expect } from "chai";
import type { PubSub } from "@google-cloud/pubsub";
import { runDlqCommand } from "../../../cli/dlq";
import { getPipeline } from "../../../runtime/catalog/pipelines";
import { PubSubDeadLetterSink } from "../../../runtime/pipelines/deadletter";
import { provisionPipelines } from "../../../runtime/pipelines/provision";
import { emulatorPubSub, receive, uniquePrefix } from "./fixtures";

const spec = getPipeline("match-created");

describe("avalo dlq list|inspect|replay", function () {
  this.timeout(30_000);
  let pubsub: PubSub;
  before(async () => {
    pubsub = await emulatorPubSub();
  });
  after(async () => pubsub.close());

  async function run(argv: string[]) {
    let out = "";
    let err = "";
    const code = await runDlqCommand(argv, {
      out: (t) => (out += t),
      err: (t) => (err += t),
      pubsub,
    });
    return { code, out, err };
  }

  it("lists, inspects and replays held dead letters with their reasons", async () => {
    const prefix = uniquePrefix("cli");
    const [names] = await provisionPipelines(pubsub, { pipelines: [spec], prefix });
    const sink = new PubSubDeadLetterSink(pubsub, () => names.deadLetterTopic);
    await sink.deadLetter(
      spec,
      { id: "orig-1", data: Buffer.from("{bad"), attributes: { region: "eu-west" } },
      "malformed",
      "message data is not JSON",
    );

    const listed = await run(["list", "match-created", "--prefix", prefix]);
    expect(listed.code).to.equal(0);
    const lines = listed.out.trim().split("\n");
    expect(lines[0]).to.equal(
      "messageId\treason\toriginalMessageId\tdeliveries\tpublishTime\terror",
    );
    const [messageId, reason, original, deliveries, , error] = lines[1].split("\t");
    expect([reason, original, deliveries, error]).to.deep.equal([
      "malformed",
      "orig-1",
      "-",
      "message data is not JSON",
    ]);
    expect(lines[2]).to.equal(`1 dead letter(s) in ${prefix}avalo-match-created-dlq-hold`);

    const inspected = await run(["inspect", "match-created", messageId, "--prefix", prefix]);
    expect(JSON.parse(inspected.out)).to.include({
      messageId,
      reason: "malformed",
      data: "{bad",
      originalMessageId: "orig-1",
    });

    const replayed = await run(["replay", "match-created", "--prefix", prefix]);
    expect(replayed.out).to.match(
      new RegExp(
        `^replayed ${messageId} as \\S+ \\(replayOf orig-1\\)\\n1 message\\(s\\) replayed to ${prefix}avalo-match-created\\n$`,
      ),
    );
    const [again] = await receive(pubsub, names.subscriptions.local, 1);
    expect(again.attributes).to.deep.equal({ region: "eu-west", replayOf: "orig-1" });
    expect(again.data.toString()).to.equal("{bad");
  });

  it("rejects an unknown action and an unknown pipeline with the allowed values", async () => {
    const bad = await run(["purge", "match-created"]);
    expect(bad.code).to.equal(2);
    expect(bad.err.split("\n")[0]).to.equal(
      'dlq action must be list, inspect or replay, but "purge" was provided',
    );
    const unknown = await run(["list", "chat"]);
    expect(unknown.code).to.equal(2);
    expect(unknown.err).to.match(
      /^unknown pipeline "chat"; allowed: user-created, match-created, /,
    );
  });
});
