import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import type { DemoReport } from "../../src/demo/run.js";
import { jsonReplacer, runTask, table } from "../shared/output.js";
import { buildContracts } from "../build-contracts.js";

/** The system report: components, rounds, balances, per-query latency, live metrics, checks and the verdict. */
export function renderDemo(report: DemoReport): string {
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
  const passed = report.checks.filter((c) => c.ok).length;
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
    `verdict: ${report.verdict.toUpperCase()} — ${passed} of ${report.checks.length} checks hold, ` +
      `${(report.durationMs / 1000).toFixed(1)} s`,
  ].join("\n");
}

export default async function demoAction(
  args: { json: boolean },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  // Progress goes to stderr, so stdout is only the report (a table, or one JSON document with --json).
  const log = (message: string) => console.error(`… ${message}`);
  const report = await runTask(
    args.json,
    async () => {
      log("compiling contracts");
      await buildContracts(hre);
      // Imported after the build: the address book needs the generated contract bindings.
      const { runDemo } = await import("../../src/demo/run.js");
      const connection = await hre.network.create();
      return runDemo(connection, { progress: log });
    },
    renderDemo,
  );
  if (report !== undefined && report.verdict !== "pass") process.exitCode = 1;
}
