import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { workerBundle } from "../../build/worker-bundle";
import { ROOT, WORKER_ENTRY, preview } from "./preview-env";

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

describe("avalo preview workers (compiled worker and program)", function () {
  this.timeout(300_000);

  it("reruns a failing program from its sources, so the error names the TypeScript file and line", async () => {
    const src = tmp("avalo-worker-src-");
    const program = join(src, "program.ts");
    writeFileSync(program, 'export const x = 1;\nthrow new Error("program exploded");\n');
    const run = await preview([
      "--stack",
      "us-east",
      "--program",
      program,
      "--config-dir",
      ROOT,
      "--out",
      tmp("plan-w-"),
    ]);
    expect(run.exitCode).to.equal(1);
    expect(run.stdout).to.match(/^us-east: program error \(/);
    expect(run.stdout).to.include("Error: program exploded");
    expect(run.stdout).to.include(`${program}:2:`);
    const bundle = await workerBundle(WORKER_ENTRY, program);
    rmSync(dirname(bundle!.worker), { recursive: true, force: true });
    rmSync(src, { recursive: true, force: true });
  });
});
