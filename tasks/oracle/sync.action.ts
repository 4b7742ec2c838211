import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import type { RoundJson } from "../../src/oracle/commands.js";
import { runTask, table } from "../bitcoin/output.js";
import { buildContracts } from "../build-contracts.js";

interface Args {
  bitcoin: string;
  btcNetwork: string;
  dryRun: boolean;
  batchSize: number;
  concurrency: number;
  json: boolean;
}

function render(r: RoundJson): string {
  const rows: Array<[string, unknown]> = [
    ["mode", r.dryRun ? "dry run (nothing sent)" : "submitted"],
    ["chain", `${r.chainId} block ${r.chainBlock}, Oracle ${r.oracle}`],
    ["bitcoin tip", `${r.bitcoin.tipHeight} ${r.bitcoin.tipHash}`],
    ["min confirmations", String(r.minConfirmations)],
    ...(r.reorg !== null
      ? ([
          [
            "bitcoin reorg",
            `at attested height ${r.reorg.height}: ${r.reorg.previousHash} → ${r.reorg.newHash}`,
          ],
        ] as Array<[string, unknown]>)
      : []),
    [
      "committee",
      `${r.committee.threshold} of ${r.committee.operators} (${r.committee.localOperators} keys here)`,
    ],
    ["users checked", String(r.usersChecked)],
    ["unchanged", String(r.unchanged)],
    ["changed", String(r.changed)],
    ["minted sats", r.mintedSats],
    ["burned sats", r.burnedSats],
    ["deferred (fee)", `${r.deferred.length}${r.deferred.length > 0 ? ` ${r.deferred.join(", ")}` : ""}`],
    ["queued (cap)", `${r.queued.length}${r.queued.length > 0 ? ` ${r.queued.join(", ")}` : ""}`],
    ["emergency burns", String(r.emergencyBurns)],
    ["skipped", String(r.skipped.length)],
    ["transactions", String(r.batches.length)],
    ["gas used", `${r.gasUsed} (${r.gasPerReport} per report)`],
    ["rpc calls", `evm ${r.rpcCalls.evm}, bitcoin ${r.rpcCalls.bitcoin}, ${r.rpcCalls.perUser} per user`],
    ["duration", `${r.durationMs} ms`],
  ];
  const lines = [table(rows)];
  if (r.reports.length > 0) {
    lines.push("", "reports:");
    for (const p of r.reports.slice(0, 50)) {
      lines.push(
        `  ${p.user}  ${p.previousSats} → ${p.newTotalSats} sats  (seq ${p.sequence}, height ${p.btcHeight})`,
      );
    }
    if (r.reports.length > 50) lines.push(`  … ${r.reports.length - 50} more (--json lists all)`);
  }
  if (r.skipped.length > 0) {
    lines.push("", "skipped:");
    for (const s of r.skipped) lines.push(`  ${s.user}  ${s.reason}: ${s.detail}`);
  }
  return lines.join("\n");
}

export default async function syncAction(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runTask(
    args.json,
    async () => {
      await buildContracts(hre);
      const { loadOracleContext } = await import("../../src/oracle/context.js");
      const { syncCommand, parseBtcNetwork } = await import("../../src/oracle/commands.js");
      const { bitcoinSourceFor } = await import("../../src/oracle/bitcoin-source.js");
      const bitcoin = bitcoinSourceFor(args.bitcoin, parseBtcNetwork(args.btcNetwork));
      const connection = await hre.network.getOrCreate();
      const ctx = await loadOracleContext(connection, { hooks: hre.hooks });
      const { json } = await syncCommand(ctx, bitcoin, {
        dryRun: args.dryRun,
        ...(args.batchSize > 0 ? { batchSize: args.batchSize } : {}),
        bitcoinConcurrency: args.concurrency,
      });
      return json;
    },
    render,
  );
}
