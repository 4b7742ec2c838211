/**
 * The runner process of the oracle benchmarks (bench/oracle-round-runner.ts), driven one round per stdin line, and
 * the load average sampled around each round. Shared by bench/oracle-round.ts and bench/oracle-operators.ts.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";

/** What the runner process prints for one round (bench/oracle-round-runner.ts). */
export interface RunnerRound {
  usersChecked: number;
  changed: number;
  unchanged: number;
  skipped: unknown[];
  deferred: string[];
  gasUsed: string;
  gasPerReport: string;
  rpcCalls: { evm: number; bitcoin: number; perUser: number };
  durationMs: number;
  wallMs: number;
  readyMs: number;
  transactions: number;
  largestBatch: number;
  rssBeforeMb: number;
  roundPeakRssMb: number;
  processPeakRssMb: number;
  heapUsedMb: number;
  rpc: Record<string, { calls: number; ms: number }>;
  phases: Array<{ atMs: number; what: string }>;
  /** Committee signing time per batch (the aggregator waiting for the operators). */
  signing: Array<{ reports: number; ms: number }>;
  tallies: Array<{ operator: string; url?: string; signed: number; refused: number; failed: number }>;
  dropped?: unknown[];
}

/** The 1-minute load average now (Linux), or null. */
export async function loadAverage(): Promise<number | null> {
  try {
    return Number((await readFile("/proc/loadavg", "utf8")).split(" ")[0]);
  } catch {
    return null;
  }
}

export const log = (message: string) =>
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

/** The runner process: one `round` line in, one `ROUND <json>` line out. */
export function startRunner(env: Record<string, string>) {
  const cli = path.resolve("node_modules/hardhat/dist/src/cli.js");
  const child = spawn(process.execPath, [cli, "run", "--no-compile", "bench/oracle-round-runner.ts"], {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, ...env },
  });
  const waiting: Array<(round: RunnerRound) => void> = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  createInterface({ input: child.stdout }).on("line", (line) => {
    if (line.startsWith("ROUND ")) waiting.shift()?.(JSON.parse(line.slice(6)) as RunnerRound);
  });
  return {
    pid: child.pid ?? 0,
    async round(): Promise<RunnerRound> {
      const answer = new Promise<RunnerRound>((resolve) => waiting.push(resolve));
      child.stdin.write("round\n");
      const result = await Promise.race([answer, exited]);
      if (typeof result !== "object" || result === null)
        throw new Error(`runner exited (${result}) during a round`);
      return result;
    },
    async stop(): Promise<void> {
      child.stdin.end();
      await exited;
    },
  };
}

/** Runs one round in the runner, sampling the load average every 5 s. */
export async function measuredRound(runner: ReturnType<typeof startRunner>) {
  const loads: number[] = [];
  const sample = async () => {
    const load = await loadAverage();
    if (load !== null) loads.push(load);
  };
  await sample();
  const timer = setInterval(() => void sample(), 5_000);
  try {
    const round = await runner.round();
    await sample();
    return { round, load: loads.length === 0 ? "n/a" : `${Math.min(...loads)}–${Math.max(...loads)}` };
  } finally {
    clearInterval(timer);
  }
}
