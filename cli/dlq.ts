import { PubSub } from "@google-cloud/pubsub";
import { getPipeline } from "../runtime/catalog/pipelines";
import {
  holdSubscriptionName,
  inspectDeadLetter,
  listDeadLetters,
  replayDeadLetters,
  type DeadLetter,
} from "../runtime/pipelines/dlq";

/**
 * `avalo dlq list|inspect|replay <pipeline>`: reads a pipeline's dead-letter hold subscription
 * and shows each message with its reason; `replay` republishes to the pipeline's topic with a
 * `replayOf` attribute after a fix. Talks to the project in `--project` (or GOOGLE_CLOUD_PROJECT),
 * or to the emulator when PUBSUB_EMULATOR_HOST is set.
 */

const USAGE = `usage: avalo dlq <list|inspect|replay> <pipeline> [options]

  list <pipeline>                 show every held dead letter with its reason
  inspect <pipeline> <messageId>  show one dead letter in full, with its body
  replay <pipeline> [messageId…]  republish (all, or the given ids) with a replayOf attribute

options:
  --project <id>   GCP project (default GOOGLE_CLOUD_PROJECT, else avalo-local)
  --prefix <p>     prefix of the topic and subscription ids (local isolation)
  --max <n>        read at most n messages (default 100)
`;

export interface DlqIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** @default new PubSub({ projectId }) */
  readonly pubsub?: PubSub;
}

interface Parsed {
  readonly action: string;
  readonly pipeline: string;
  readonly ids: string[];
  readonly project: string;
  readonly prefix: string;
  readonly max: number;
}

function parse(argv: readonly string[]): Parsed | string {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--")) {
      const value = argv[i + 1];
      if (value === undefined) return `option ${a} needs a value`;
      if (!["--project", "--prefix", "--max"].includes(a)) {
        return `unknown option ${a}; allowed: --project, --prefix, --max`;
      }
      flags[a.slice(2)] = value;
      i++;
    } else positional.push(a);
  }
  const [action, pipeline, ...ids] = positional;
  if (!action || !["list", "inspect", "replay"].includes(action)) {
    return `dlq action must be list, inspect or replay, but ${JSON.stringify(action ?? "")} was provided`;
  }
  if (!pipeline) return `dlq ${action} needs a pipeline name`;
  if (action === "inspect" && ids.length !== 1) return "dlq inspect needs exactly one message id";
  const max = flags.max === undefined ? 100 : Number(flags.max);
  if (!Number.isInteger(max) || max < 1) {
    return `--max must be a positive integer, but ${JSON.stringify(flags.max)} was provided`;
  }
  return {
    action,
    pipeline,
    ids,
    project: flags.project ?? process.env.GOOGLE_CLOUD_PROJECT ?? "avalo-local",
    prefix: flags.prefix ?? "",
    max,
  };
}

function row(l: DeadLetter): string {
  const source = l.originalMessageId ?? "-";
  const count = l.deliveryCount === undefined ? "-" : String(l.deliveryCount);
  return [l.messageId, l.reason, source, count, l.publishTime, l.error ?? ""].join("\t");
}

/** Runs `avalo dlq …`; resolves to the exit code. */
export async function runDlqCommand(
  argv: readonly string[],
  io: DlqIo = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  },
): Promise<number> {
  if (argv.length === 0 || argv.includes("-h") || argv.includes("--help")) {
    io.out(USAGE);
    return 0;
  }
  const parsed = parse(argv);
  if (typeof parsed === "string") {
    io.err(`${parsed}\n${USAGE}`);
    return 2;
  }
  let spec;
  try {
    spec = getPipeline(parsed.pipeline);
  } catch (err) {
    io.err(`${(err as Error).message}\n`);
    return 2;
  }
  const pubsub = io.pubsub ?? new PubSub({ projectId: parsed.project });
  const read = {
    holdSubscription: `${parsed.prefix}${holdSubscriptionName(spec)}`,
    max: parsed.max,
  };
  try {
    if (parsed.action === "list") {
      const letters = await listDeadLetters(pubsub, spec, read);
      io.out(
        ["messageId", "reason", "originalMessageId", "deliveries", "publishTime", "error"].join(
          "\t",
        ) + "\n",
      );
      for (const l of letters) io.out(row(l) + "\n");
      io.out(`${letters.length} dead letter(s) in ${read.holdSubscription}\n`);
      return 0;
    }
    if (parsed.action === "inspect") {
      const letter = await inspectDeadLetter(pubsub, spec, parsed.ids[0], read);
      if (!letter) {
        io.err(`no dead letter with message id ${parsed.ids[0]} in ${read.holdSubscription}\n`);
        return 1;
      }
      io.out(JSON.stringify(letter, null, 2) + "\n");
      return 0;
    }
    const replayed = await replayDeadLetters(pubsub, spec, {
      ...read,
      topic: `${parsed.prefix}${spec.topic}`,
      ...(parsed.ids.length > 0 ? { messageIds: parsed.ids } : {}),
    });
    for (const r of replayed)
      io.out(`replayed ${r.messageId} as ${r.newMessageId} (replayOf ${r.replayOf})\n`);
    io.out(`${replayed.length} message(s) replayed to ${parsed.prefix}${spec.topic}\n`);
    return 0;
  } finally {
    if (!io.pubsub) await pubsub.close();
  }
}
