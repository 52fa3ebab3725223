/**
 * The `avalo` command. Each subcommand is one entry of the table below: a one-line summary and a
 * lazily loaded runner that receives the remaining arguments and resolves to the exit code.
 * Runners are loaded on use so that one command never pays for another's imports.
 */
interface Command {
  readonly summary: string;
  readonly run: (argv: readonly string[]) => Promise<number>;
}

/** CommonJS `require` of a command module, so it works under both `tsx` and `node -r tsx/cjs`. */
function load<T>(path: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path) as T;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  preview: {
    summary: "offline plan, diff, GCP constraint checks and policies for every stack",
    run: (argv) => load<typeof import("./preview/run")>("./preview/run").previewCommand(argv),
  },
  cost: {
    summary: "monthly cost of the offline plans and of a usage model (--usage usage/20m.yaml)",
    run: (argv) => load<typeof import("./cost")>("./cost").runCostCommand(argv),
  },
  up: {
    summary: "the whole platform on this machine (up --local [--once] [--region <id>])",
    run: (argv) => load<typeof import("./local/up")>("./local/up").runUpCommand(argv),
  },
  load: {
    summary:
      "open-loop load on the local platform or staging, percentiles, report, cost (load --help)",
    run: (argv) => load<typeof import("./load/command")>("./load/command").runLoadCommand(argv),
  },
  policies: {
    summary:
      "coverage of Pulumi's Google Cloud packs and Checkov by the policy pack (policies --coverage [--markdown])",
    run: (argv) =>
      load<typeof import("./policies/command")>("./policies/command").runPoliciesCommand(argv),
  },
  dlq: {
    summary:
      "list, inspect or replay a pipeline's dead letters (dlq list|inspect|replay <pipeline>)",
    run: (argv) => load<typeof import("./dlq")>("./dlq").runDlqCommand(argv),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(
    ([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`,
  );
  return `usage: avalo <command> [args]\n\ncommands:\n${lines.join("\n")}\n`;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    process.stderr.write(
      name && !["-h", "--help"].includes(name) ? `unknown command "${name}"\n${usage()}` : usage(),
    );
    return name && !["-h", "--help"].includes(name) ? 1 : 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
