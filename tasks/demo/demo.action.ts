import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import type { DemoReport } from "../../src/demo/run.js";
import { buildContracts } from "../build-contracts.js";
import { jsonReplacer, runTask, table } from "../shared/output.js";

/** What the task timed around the run: compiling the contracts, and the whole process (Hardhat's start-up too). */
export interface DemoTiming {
  compileMs: number;
  totalMs: number;
}

/** The verdict line: how many checks hold, and what each duration measured. */
export function verdictLine(report: DemoReport, timing?: DemoTiming): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const passed = report.checks.filter((c) => c.ok).length;
  const times = [`the scenario and its checks ran in ${seconds(report.durationMs)}`];
  if (timing !== undefined) {
    times.push(`compiling took ${seconds(timing.compileMs)}`, `the whole demo ${seconds(timing.totalMs)}`);
  }
  return (
    `verdict: ${report.verdict.toUpperCase()} — ${passed} of ${report.checks.length} checks hold; ` +
    times.join("; ")
  );
}

/** The system report: components, rounds, balances, per-query latency, live metrics, checks and the verdict. */
export function renderDemo(report: DemoReport, timing?: DemoTiming): string {
  const components = report.components.map(
    (c) => `  [${c.status === "up" ? "up  " : "DOWN"}] ${c.name.padEnd(26)} ${c.detail}`,
  );
  const rounds = report.rounds.map(
    (r) =>
      `  ${r.name.padEnd(52)} reports ${r.changed}  minted ${r.mintedSats}  burned ${r.burnedSats}  ` +
      `deferred ${r.deferred}  emergency ${r.emergencyBurns}  reserves ${r.reserveRound}  gas ${r.gasUsed}  ` +
      `${r.durationMs} ms`,
  );
  const users = report.users.map(
    (u) =>
      `  ${u.id.padEnd(6)} ${u.btcAddressType.padEnd(12)} btc ${String(u.btcConfirmedSats).padStart(7)}  ` +
      `attested ${String(u.attestedSats).padStart(7)}  free ${String(u.rbtcFree).padStart(7)}  ` +
      `escrow ${String(u.rbtcEscrow).padStart(6)}  wrBTC ${String(u.wrbtc).padStart(6)}  (${u.proofKind})`,
  );
  const queries = report.queries.map(
    (q) =>
      `  ${`realtime:${q.name}`.padEnd(28)} ${q.latencyMs.toFixed(2).padStart(9)} ms  ` +
      `${q.available ? "ok  " : "FAIL"}  ${q.detail}`,
  );
  const nodes = report.committee.nodes.map(
    (n) =>
      `  ${n.operator}  signed ${String(n.signed).padStart(3)}  refused ${String(n.refused).padStart(3)}  ` +
      `failed ${String(n.failed).padStart(3)}  ${n.url ?? ""}`,
  );
  const checks = report.checks.map(
    (c) => `  [${c.ok ? "ok" : "FAIL"}] ${c.name}: expected ${c.expected}, actual ${c.actual}`,
  );
  return [
    "ReserveBTC system report",
    "",
    table([
      ["chain id", report.chainId.toString()],
      ["bitcoin devnet", `${report.bitcoin.url} (tip ${report.bitcoin.tipHeight})`],
      ["min confirmations", String(report.bitcoin.minConfirmations)],
      ["committee", `${report.committee.threshold} of ${report.committee.operators}`],
    ]),
    "",
    "components:",
    ...components,
    "",
    "operator nodes (requests signed / refused / failed):",
    ...nodes,
    "",
    "rounds:",
    ...rounds,
    "",
    "balances (sats):",
    ...users,
    "",
    "realtime queries (rpc source), latency:",
    ...queries,
    "",
    "live metrics:",
    JSON.stringify(report.metrics, jsonReplacer, 2),
    "",
    "checks (expected vs actual):",
    ...checks,
    "",
    verdictLine(report, timing),
  ].join("\n");
}

export default async function demoAction(
  args: { json: boolean },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  // Progress goes to stderr, so stdout is only the report (a table, or one JSON document with --json).
  const log = (message: string) => console.error(`… ${message}`);
  const timing: DemoTiming = { compileMs: 0, totalMs: 0 };
  const report = await runTask(
    args.json,
    async () => {
      log("compiling contracts");
      const compileStarted = Date.now();
      await buildContracts(hre);
      timing.compileMs = Date.now() - compileStarted;
      // Imported after the build: the address book needs the generated contract bindings.
      const { runDemo } = await import("../../src/demo/run.js");
      const connection = await hre.network.create();
      return runDemo(connection, { progress: log });
    },
    (result) => {
      timing.totalMs = Math.round(process.uptime() * 1000);
      return renderDemo(result, timing);
    },
  );
  if (report !== undefined && report.verdict !== "pass") process.exitCode = 1;
}
