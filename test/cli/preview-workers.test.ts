import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { workerBundle } from "../../cli/preview/worker-bundle";
import { ROOT, preview } from "./preview-env";

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

describe("avalo preview workers (compiled worker and program)", function () {
  this.timeout(300_000);

  it("compiles worker and program once, reuses them while the sources are unchanged, and rebuilds on a change", async () => {
    const src = tmp("avalo-worker-src-");
    const cache = tmp("avalo-worker-cache-");
    const program = join(src, "program.ts");
    writeFileSync(program, "export const where: string = __dirname;\nexport const answer = 41;\n");
    const first = await workerBundle(program, cache);
    expect(first).to.not.equal(undefined);
    const manifest = JSON.parse(
      readFileSync(join(dirname(first!.worker), "manifest.json"), "utf8"),
    );
    expect(Object.keys(manifest.inputs)).to.include.members([
      program,
      join(ROOT, "cli", "preview", "worker.ts"),
      join(ROOT, "stacks", "offline", "mocks.ts"),
    ]);
    const built = statSync(first!.program).mtimeMs;

    const again = await workerBundle(program, cache);
    expect(again).to.deep.equal(first);
    expect(statSync(again!.program).mtimeMs).to.equal(built);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const compiled = require(first!.program) as { where: string; answer: number };
    expect(compiled).to.deep.include({ where: src, answer: 41 });

    writeFileSync(program, "export const where: string = __dirname;\nexport const answer = 42;\n");
    const changed = await workerBundle(program, cache);
    expect(readFileSync(changed!.program, "utf8")).to.include("answer = 42");
    rmSync(src, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  it("gives up compiling a program that does not parse (the TypeScript run reports it)", async () => {
    const src = tmp("avalo-worker-src-");
    const cache = tmp("avalo-worker-cache-");
    const program = join(src, "program.ts");
    writeFileSync(program, "export const broken = ;\n");
    expect(await workerBundle(program, cache)).to.equal(undefined);
    rmSync(src, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

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
    const bundle = await workerBundle(program);
    rmSync(dirname(bundle!.worker), { recursive: true, force: true });
    rmSync(src, { recursive: true, force: true });
  });
});
