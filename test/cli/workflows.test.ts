import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { STACK_NAMES } from "../../runtime/topology";
import { COMMENT_MARKER } from "../../cli/preview/markdown";

const ROOT = join(__dirname, "..", "..");
const SCRIPTS = Object.keys(
  (
    JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    }
  ).scripts,
);

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
}
interface Job {
  readonly if?: string;
  readonly environment?: string;
  readonly permissions?: unknown;
  readonly strategy?: { matrix?: { stack?: string[] }; "max-parallel"?: number };
  readonly steps: Step[];
}
interface Workflow {
  readonly name: string;
  readonly on: Record<string, unknown>;
  readonly permissions: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

function workflow(file: string): { doc: Workflow; text: string } {
  const text = readFileSync(join(ROOT, ".github", "workflows", file), "utf8");
  return { doc: parse(text) as Workflow, text };
}

const steps = (doc: Workflow) => Object.values(doc.jobs).flatMap((j) => j.steps);

/** npm scripts a workflow calls (`npm run x`, `npm test`, `npm start`). */
function npmScripts(doc: Workflow): string[] {
  const runs = steps(doc)
    .map((s) => s.run ?? "")
    .join("\n");
  return [
    ...[...runs.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]),
    ...[...runs.matchAll(/npm (test|start)\b/g)].map((m) => m[1]),
  ];
}

describe("GitHub workflows", () => {
  it("preview.yml runs on pull_request (forks too) with a read-only token and no secrets", () => {
    const { doc, text } = workflow("preview.yml");
    expect(Object.keys(doc.on)).to.deep.equal(["pull_request"]);
    expect(doc.permissions).to.deep.equal({ contents: "read" });
    expect(Object.values(doc.jobs).every((j) => j.permissions === undefined)).to.equal(true);
    expect(text).not.to.match(/secrets\./);
    expect(npmScripts(doc)).to.deep.equal(["preview", "preview", "test"]);
    const runs = steps(doc).map((s) => s.run ?? "");
    expect(runs).to.include("npm ci");
    expect(
      runs.some((r) =>
        r.includes("npm run preview -- --base out/base-plan --markdown out/preview/preview.md"),
      ),
    ).to.equal(true);
    const base = steps(doc).find(
      (s) => s.with?.ref === "${{ github.event.pull_request.base.sha }}",
    );
    expect(base?.uses).to.equal("actions/checkout@v4");
    expect(steps(doc).find((s) => s.uses === "actions/upload-artifact@v4")?.with?.name).to.equal(
      "preview-markdown",
    );
  });

  it("preview-comment.yml comments from workflow_run with the write token and never checks out code", () => {
    const { doc, text } = workflow("preview-comment.yml");
    const preview = workflow("preview.yml").doc;
    expect(doc.on).to.deep.equal({
      workflow_run: { workflows: [preview.name], types: ["completed"] },
    });
    expect(doc.permissions).to.deep.equal({
      contents: "read",
      actions: "read",
      "pull-requests": "write",
    });
    expect(steps(doc).map((s) => s.uses)).to.deep.equal([
      "actions/download-artifact@v4",
      "actions/github-script@v7",
    ]);
    expect(steps(doc).some((s) => s.run !== undefined)).to.equal(false);
    expect(text).to.include(COMMENT_MARKER);
    expect(text).to.include("updateComment");
  });

  it("deploy-preview.yml previews with the policy pack on same-repo PRs and ups each stack behind approval", () => {
    const { doc } = workflow("deploy-preview.yml");
    expect(Object.keys(doc.on).sort()).to.deep.equal(["pull_request", "push"]);
    expect(doc.permissions).to.deep.equal({ contents: "read", "id-token": "write" });
    const { preview, up } = doc.jobs;
    expect(preview.if).to.include(
      "github.event.pull_request.head.repo.full_name == github.repository",
    );
    expect(preview.if).to.include("vars.GCP_WORKLOAD_IDENTITY_PROVIDER != ''");
    expect(up.if).to.include("github.event_name == 'push'");
    expect(up.environment).to.equal("production-${{ matrix.stack }}");
    expect(up.strategy?.["max-parallel"]).to.equal(1);
    for (const job of [preview, up]) {
      expect(job.strategy?.matrix?.stack).to.deep.equal([...STACK_NAMES]);
      const pulumi = job.steps.find((s) => s.uses === "pulumi/actions@v6");
      expect(pulumi?.with?.policyPacks).to.equal("policies");
      expect(pulumi?.with?.policyPackConfigs).to.equal("policies/config/${{ matrix.stack }}.json");
    }
    expect(preview.steps.find((s) => s.uses === "pulumi/actions@v6")?.with?.command).to.equal(
      "preview",
    );
    expect(up.steps.find((s) => s.uses === "pulumi/actions@v6")?.with?.command).to.equal("up");
    for (const stack of STACK_NAMES) {
      expect(existsSync(join(ROOT, "policies", "config", `${stack}.json`)), stack).to.equal(true);
    }
  });

  it("calls only npm scripts that exist in package.json", () => {
    for (const file of ["preview.yml", "preview-comment.yml", "deploy-preview.yml"]) {
      for (const script of npmScripts(workflow(file).doc)) {
        expect(SCRIPTS, `${file}: npm ${script}`).to.include(script);
      }
    }
  });
});
