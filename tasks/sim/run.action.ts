import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import type { SimReport } from "../../src/sim/engine.js";
import { buildContracts } from "../build-contracts.js";
import { runTask, table } from "../shared/output.js";

function render(report: SimReport): string {
  const steps = report.steps.map((s) => {
    const details = Object.entries(s.details)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(" ");
    return (
      `  [${s.ok ? "ok" : "FAIL"}] ${String(s.index).padStart(3)} ${s.label.padEnd(40)} gas ${String(s.gasUsed).padStart(9)}  ` +
      `${String(s.durationMs).padStart(5)} ms  ${details}${s.error !== undefined ? `  (${s.error})` : ""}`
    );
  });
  return [
    table([
      ["scenario", report.scenario],
      ["network", `${report.network.name} (chain ${report.network.chainId}, ${report.network.mode})`],
      ...(report.network.forkedFrom === undefined
        ? []
        : ([["forked from", `${report.network.forkedFrom} @ ${report.network.forkBlock ?? "latest"}`]] as [
            string,
            string,
          ][])),
      ["oracle", report.deployment.oracle],
      [
        "committee",
        `${report.committee.threshold} of ${report.committee.operators.length} operator nodes on loopback ` +
          `(signed/refused/failed: ${report.committee.nodes.map((n) => `#${n.index} ${n.signed}/${n.refused}/${n.failed}`).join(", ")})`,
      ],
      ["min confirmations", String(report.committee.minConfirmations)],
      ["bitcoin devnet", `${report.bitcoin.url} (tip ${report.bitcoin.tipHeight})`],
      [
        "setup",
        `${report.users.length} users, ${report.setup.bindings} bindings, ${report.setup.gasUsed} gas, ${report.setup.durationMs} ms`,
      ],
    ]),
    "",
    "steps:",
    ...steps,
    "",
    ...(report.failures.length > 0 ? ["failures:", ...report.failures.map((f) => `  ${f}`), ""] : []),
    `${report.passed ? "PASS" : "FAIL"}: ${report.steps.filter((s) => s.ok).length}/${report.steps.length} steps, ` +
      `${report.gasUsed} gas, ${(report.durationMs / 1000).toFixed(1)} s`,
  ].join("\n");
}

export default async function simRunAction(
  args: { scenario: string; deploymentChainId: string; deploymentDir: string; json: boolean },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  // Progress goes to stderr, so stdout is only the report (a table, or one JSON document with --json).
  const log = (message: string) => console.error(`… ${message}`);
  const report = await runTask(
    args.json,
    async () => {
      // Validate before anything compiles, deploys or starts.
      const { loadScenarioFile } = await import("../../src/sim/scenario.js");
      const scenario = await loadScenarioFile(args.scenario);
      await buildContracts(hre);
      // Imported after the build: the engine needs the generated contract bindings.
      const { runScenarioOnNetwork } = await import("../../src/sim/run.js");
      const connection = await hre.network.create();
      return runScenarioOnNetwork(scenario, connection, {
        deploymentChainId: args.deploymentChainId,
        deploymentDir: args.deploymentDir,
        onProgress: log,
      });
    },
    render,
  );
  if (report !== undefined && !report.passed) process.exitCode = 1;
}
