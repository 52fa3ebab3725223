import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { workerBundle } from "../../build/worker-bundle";
import { ROOT, WORKER_ENTRY } from "../cli/preview-env";

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

describe("compiled preview worker and program (build/worker-bundle.ts)", function () {
  this.timeout(300_000);

  it("compiles worker and program once, reuses them while the sources are unchanged, and rebuilds on a change", async () => {
    const src = tmp("avalo-worker-src-");
    const cache = tmp("avalo-worker-cache-");
    const program = join(src, "program.ts");
    writeFileSync(program, "export const where: string = __dirname;\nexport const answer = 41;\n");
    const first = await workerBundle(WORKER_ENTRY, program, cache);
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

    const again = await workerBundle(WORKER_ENTRY, program, cache);
    expect(again).to.deep.equal(first);
    expect(statSync(again!.program).mtimeMs).to.equal(built);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const compiled = require(first!.program) as { where: string; answer: number };
    expect(compiled).to.deep.include({ where: src, answer: 41 });

    writeFileSync(program, "export const where: string = __dirname;\nexport const answer = 42;\n");
    const changed = await workerBundle(WORKER_ENTRY, program, cache);
    expect(readFileSync(changed!.program, "utf8")).to.include("answer = 42");
    rmSync(src, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  it("gives up compiling a program that does not parse (the TypeScript run reports it)", async () => {
    const src = tmp("avalo-worker-src-");
    const cache = tmp("avalo-worker-cache-");
    const program = join(src, "program.ts");
    writeFileSync(program, "export const broken = ;\n");
    expect(await workerBundle(WORKER_ENTRY, program, cache)).to.equal(undefined);
    rmSync(src, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });
});
