import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { startPubSubEmulator, startRedis } from "../../../runtime/local/processes";

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function groupMembers(pgid: number): number[] {
  const out = execFileSync("ps", ["-e", "-o", "pid=,pgid="]).toString();
  return out
    .split("\n")
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter(([, g]) => g === pgid)
    .map(([p]) => p);
}

describe("local processes", () => {
  it("starts redis-server with AUTH on a free loopback port and stops it", async () => {
    const redis = await startRedis({ password: "s3cret" });
    expect(redis.host).to.equal("127.0.0.1");
    expect(redis.port).to.be.greaterThan(1024);
    const ping = execFileSync("redis-cli", [
      "-p",
      String(redis.port),
      "-a",
      "s3cret",
      "--no-auth-warning",
      "PING",
    ]);
    expect(ping.toString().trim()).to.equal("PONG");
    await redis.stop();
    expect(processAlive(redis.pid)).to.equal(false);
  });

  it("stops the Pub/Sub emulator's whole process group, Java child included", async function () {
    this.timeout(90_000);
    const emulator = await startPubSubEmulator();
    const res = await fetch(`http://${emulator.endpoint}/`);
    expect(res.status).to.equal(200);
    expect(groupMembers(emulator.pid).length).to.be.greaterThan(1);
    await emulator.stop();
    expect(groupMembers(emulator.pid)).to.deep.equal([]);
  });
});
