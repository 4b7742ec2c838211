import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import type { DemoReport } from "../../src/demo/run.js";
import { runTask, table } from "../bitcoin/output.js";

function render(report: DemoReport): string {
  const users = report.users.map(
    (u) =>
      `  ${u.id.padEnd(6)} ${u.btcAddressType.padEnd(7)} btc ${String(u.btcConfirmedSats).padStart(8)}  ` +
      `attested ${String(u.attestedSats).padStart(8)}  free ${String(u.rbtcFree).padStart(8)}  ` +
      `escrow ${String(u.rbtcEscrow).padStart(7)}  wrBTC ${String(u.wrbtc).padStart(7)}  (${u.proofKind})`,
  );
  const rounds = report.rounds.map(
    (r) =>
      `  ${r.name.padEnd(44)} reports ${r.changed}  minted ${r.mintedSats}  burned ${r.burnedSats}  ` +
      `deferred ${r.deferred}  gas ${r.gasUsed}  ${r.durationMs} ms`,
  );
  const checks = report.checks.map((c) => `  [${c.ok ? "ok" : "FAIL"}] ${c.name} (${c.detail})`);
  return [
    table([
      ["chain id", report.chainId.toString()],
      ["oracle", report.contracts.oracle ?? ""],
      ["bitcoin devnet", `${report.bitcoin.url} (tip ${report.bitcoin.tipHeight})`],
      ["min confirmations", String(report.bitcoin.minConfirmations)],
      ["committee", `${report.committee.threshold} of ${report.committee.operators}`],
    ]),
    "",
    "rounds:",
    ...rounds,
    "",
    "balances (sats):",
    ...users,
    "",
    `supply: rBTC ${report.supply.rbtcSupply} (escrow ${report.supply.rbtcEscrow}), wrBTC ${report.supply.wrbtcSupply}, ` +
      `uncovered ${report.supply.uncoveredSats}`,
    "",
    "checks:",
    ...checks,
    "",
    `verdict: ${report.verdict.toUpperCase()} in ${(report.durationMs / 1000).toFixed(1)} s`,
  ].join("\n");
}

export default async function demoAction(
  args: { json: boolean },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  const log = (message: string) => {
    if (!args.json) console.log(`… ${message}`);
    else console.error(`… ${message}`);
  };
  const report = await runTask(
    args.json,
    async () => {
      log("compiling contracts");
      await hre.tasks.getTask("build").run({ quiet: true });
      // Imported after the build: the address book needs the generated contract bindings.
      const { runDemo } = await import("../../src/demo/run.js");
      const connection = await hre.network.create();
      return runDemo(connection, log);
    },
    render,
  );
  if (report !== undefined && report.verdict !== "pass") process.exitCode = 1;
}
