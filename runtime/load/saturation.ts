import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { LOAD_DEFAULTS } from "./defaults";

/**
 * Which resource saturated first. A sampler reads /proc once a second: CPU time of the generator
 * process and of each watched process group (the local platform's emulators, redis-server and
 * services; a group includes the JVM children of the gcloud wrappers), and the machine's busy
 * share from /proc/stat. The analysis adds the generator's own signals (arrivals not sent because
 * of the in-flight cap, scheduler lag) and names the first condition that held for
 * `saturationSustainSeconds` in a row. On a machine without /proc the sampler records nothing and
 * the analysis says so.
 */

/** A process (or process group) to watch. */
export interface WatchedProcess {
  readonly name: string;
  readonly pid: number;
  /** Cores it can use at most: 1 for Node and redis-server, the machine's cores for a JVM. */
  readonly coreLimit: number;
  /** Count every process whose process group is `pid` (a detached child and its children). */
  readonly group: boolean;
}

/** One second: cores used per watched name, and the machine's busy share (0–1). */
export interface CpuSample {
  readonly second: number;
  readonly cores: Readonly<Record<string, number>>;
  readonly machineBusy: number;
}

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** utime + stime (ticks) and the process group of /proc/<pid>/stat, or undefined when gone. */
function readStat(procDir: string, pid: string): { ticks: number; pgrp: number } | undefined {
  try {
    const text = readFileSync(`${procDir}/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // After "pid (comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    return { pgrp: Number(fields[2]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

function readMachine(procDir: string): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync(`${procDir}/stat`, "utf8").split("\n")[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    return { busy: total - (v[3] ?? 0) - (v[4] ?? 0), total };
  } catch {
    return undefined;
  }
}

/** Samples CPU use of the watched processes once a second while a run lasts. */
export class CpuSampler {
  readonly samples: CpuSample[] = [];
  private readonly hz = clockTicksPerSecond();
  private timer: NodeJS.Timeout | undefined;
  private last:
    | { at: number; ticks: Map<string, number>; machine?: { busy: number; total: number } }
    | undefined;
  private startedAt = 0;

  constructor(
    readonly watched: readonly WatchedProcess[],
    private readonly procDir = "/proc",
  ) {}

  start(intervalMillis = 1000): void {
    this.startedAt = Date.now();
    this.last = this.read();
    this.timer = setInterval(() => this.sample(), intervalMillis);
    this.timer.unref();
  }

  stop(): CpuSample[] {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return this.samples;
  }

  /** Takes one sample now (the interval calls it). */
  sample(): void {
    const now = this.read();
    const last = this.last;
    this.last = now;
    if (!last || now.at <= last.at) return;
    const seconds = (now.at - last.at) / 1000;
    const cores: Record<string, number> = {};
    for (const w of this.watched) {
      const used = ((now.ticks.get(w.name) ?? 0) - (last.ticks.get(w.name) ?? 0)) / this.hz;
      cores[w.name] = Math.max(0, Math.round((used / seconds) * 1000) / 1000);
    }
    const machineBusy =
      now.machine && last.machine && now.machine.total > last.machine.total
        ? (now.machine.busy - last.machine.busy) / (now.machine.total - last.machine.total)
        : 0;
    this.samples.push({
      second: Math.round((now.at - this.startedAt) / 1000),
      cores,
      machineBusy: Math.round(machineBusy * 1000) / 1000,
    });
  }

  private read() {
    const ticks = new Map<string, number>();
    const groups = new Map<number, string>();
    for (const w of this.watched) {
      if (w.group) groups.set(w.pid, w.name);
      else ticks.set(w.name, readStat(this.procDir, String(w.pid))?.ticks ?? 0);
    }
    if (groups.size > 0) {
      let pids: string[] = [];
      try {
        pids = readdirSync(this.procDir).filter((p) => /^\d+$/.test(p));
      } catch {
        // No /proc: nothing to sample.
      }
      for (const pid of pids) {
        const stat = readStat(this.procDir, pid);
        const name = stat && groups.get(stat.pgrp);
        if (stat && name) ticks.set(name, (ticks.get(name) ?? 0) + stat.ticks);
      }
    }
    return { at: Date.now(), ticks, machine: readMachine(this.procDir) };
  }
}

/** One saturated resource. */
export interface SaturationFinding {
  readonly resource: string;
  readonly kind: "cpu" | "machine-cpu" | "in-flight-cap" | "scheduler-lag";
  /** First second of the run in which it held (for `saturationSustainSeconds`). */
  readonly firstSecond: number;
  readonly detail: string;
}

export interface CpuUse {
  readonly name: string;
  readonly limitCores: number;
  readonly meanCores: number;
  readonly peakCores: number;
}

export interface SaturationReport {
  /** The first resource that saturated, if any. */
  readonly first?: SaturationFinding;
  readonly findings: readonly SaturationFinding[];
  readonly cpu: readonly CpuUse[];
  readonly machineCores: number;
  readonly meanMachineBusy: number;
  /** Plain-language summary lines for the printout and the result. */
  readonly notes: readonly string[];
}

export interface SaturationInput {
  readonly samples: readonly CpuSample[];
  readonly watched: readonly WatchedProcess[];
  /** Arrivals not sent because of the in-flight cap, per second. */
  readonly notSent: ReadonlyMap<number, number>;
  readonly maxInFlight: number;
  readonly lag: ReadonlyArray<{ second: number; p99Ms: number }>;
  readonly targetOpsPerSecond: number;
  readonly achievedOpsPerSecond: number;
  /** @default os.cpus().length */
  readonly machineCores?: number;
  /** @default LOAD_DEFAULTS.saturationSustainSeconds */
  readonly sustainSeconds?: number;
}

/** First second where `holds` is true for `sustain` consecutive entries. */
function firstSustained<T extends { second: number }>(
  series: readonly T[],
  holds: (t: T) => boolean,
  sustain: number,
): T | undefined {
  let run = 0;
  for (let i = 0; i < series.length; i++) {
    run = holds(series[i]) ? run + 1 : 0;
    if (run >= sustain) return series[i - sustain + 1];
  }
  return undefined;
}

/** Names what saturated, in the order it happened. */
export function analyseSaturation(input: SaturationInput): SaturationReport {
  const sustain = input.sustainSeconds ?? LOAD_DEFAULTS.saturationSustainSeconds;
  const share = LOAD_DEFAULTS.saturatedCpuShare;
  const machineCores = input.machineCores ?? cpus().length;
  const findings: SaturationFinding[] = [];
  const cpu: CpuUse[] = input.watched.map((w) => {
    const values = input.samples.map((s) => s.cores[w.name] ?? 0);
    const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
    return {
      name: w.name,
      limitCores: w.coreLimit,
      meanCores: Math.round(mean * 100) / 100,
      peakCores: Math.round(Math.max(0, ...values) * 100) / 100,
    };
  });
  for (const w of input.watched) {
    const hit = firstSustained(
      input.samples,
      (s) => (s.cores[w.name] ?? 0) >= share * w.coreLimit,
      sustain,
    );
    if (hit) {
      findings.push({
        resource: w.name,
        kind: "cpu",
        firstSecond: hit.second,
        detail: `${w.name} at ${hit.cores[w.name]} of its ${w.coreLimit} core(s) from second ${hit.second}`,
      });
    }
  }
  const machine = firstSustained(input.samples, (s) => s.machineBusy >= 0.95, sustain);
  if (machine) {
    findings.push({
      resource: "machine CPU",
      kind: "machine-cpu",
      firstSecond: machine.second,
      detail: `all ${machineCores} cores ${Math.round(machine.machineBusy * 100)}% busy from second ${machine.second} (every process on the machine counts, not only this run's)`,
    });
  }
  const notSent = [...input.notSent.entries()].sort((a, b) => a[0] - b[0]);
  if (notSent.length > 0) {
    const total = notSent.reduce((n, [, c]) => n + c, 0);
    findings.push({
      resource: "in-flight cap",
      kind: "in-flight-cap",
      firstSecond: notSent[0][0],
      detail: `${total} arrivals found ${input.maxInFlight} requests outstanding and were not sent (first in second ${notSent[0][0]}); the target answered too slowly for the rate`,
    });
  }
  const lagged = firstSustained(
    input.lag,
    (l) => l.p99Ms >= LOAD_DEFAULTS.saturatedLagMillis,
    sustain,
  );
  if (lagged) {
    findings.push({
      resource: "generator event loop",
      kind: "scheduler-lag",
      firstSecond: lagged.second,
      detail: `the generator sent arrivals ${lagged.p99Ms} ms (p99) after their intended time from second ${lagged.second}: it could not keep up with its own schedule`,
    });
  }
  findings.sort((a, b) => a.firstSecond - b.firstSecond);
  const meanMachineBusy = input.samples.length
    ? Math.round(
        (input.samples.reduce((n, s) => n + s.machineBusy, 0) / input.samples.length) * 1000,
      ) / 1000
    : 0;
  const notes: string[] = [];
  const reached = input.achievedOpsPerSecond >= 0.95 * input.targetOpsPerSecond;
  notes.push(
    `steady-state rate ${Math.round(input.achievedOpsPerSecond)} ops/s of ${input.targetOpsPerSecond} targeted (${reached ? "reached" : "NOT reached"})`,
  );
  if (input.samples.length === 0) notes.push("no CPU samples (no /proc on this machine)");
  if (findings.length === 0) {
    notes.push("nothing saturated: every watched process stayed below 90% of its cores");
  } else {
    notes.push(`saturated first: ${findings[0].detail}`);
    for (const f of findings.slice(1)) notes.push(`then: ${f.detail}`);
  }
  const busiest = [...cpu].sort(
    (a, b) => b.meanCores / b.limitCores - a.meanCores / a.limitCores,
  )[0];
  if (busiest) {
    notes.push(
      `busiest process: ${busiest.name}, mean ${busiest.meanCores} / peak ${busiest.peakCores} of ${busiest.limitCores} core(s); machine ${Math.round(meanMachineBusy * 100)}% busy on average over ${machineCores} cores`,
    );
  }
  if (input.samples.length > 0) {
    const watchedCores = cpu.reduce((n, c) => n + c.meanCores, 0);
    const outside = Math.max(0, meanMachineBusy * machineCores - watchedCores);
    notes.push(
      `processes outside this run used ${Math.round(outside * 100) / 100} of the ${machineCores} cores on average`,
    );
  }
  return { first: findings[0], findings, cpu, machineCores, meanMachineBusy, notes };
}
