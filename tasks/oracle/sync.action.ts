import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import type { RoundJson } from "../../src/oracle/commands.js";
import { buildContracts } from "../build-contracts.js";
import { runTask, table } from "../shared/output.js";

interface Args {
  bitcoin: string;
  btcNetwork: string;
  dryRun: boolean;
  batchSize: number;
  concurrency: number;
  operators: string;
  operatorTimeout: number;
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
      r.committee.remoteOperators > 0
        ? `${r.committee.threshold} of ${r.committee.operators} (${r.committee.remoteOperators} operator nodes asked)`
        : `${r.committee.threshold} of ${r.committee.operators} (${r.committee.localOperators} keys here)`,
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
    ["dropped (no threshold)", String(r.dropped.length)],
    [
      "reserve round",
      r.reserves === null
        ? "-"
        : r.reserves.committed
          ? `round ${r.reserves.roundId}, ${r.reserves.attestedSats} sats`
          : `not committed: ${r.reserves.reason ?? ""}`,
    ],
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
  if (r.committee.remoteOperators > 0) {
    lines.push("", "operators (signed / refused / failed requests):");
    for (const t of r.committee.tallies)
      lines.push(`  ${t.operator}  ${t.signed} / ${t.refused} / ${t.failed}  ${t.url ?? ""}`);
  }
  if ((r.refusals ?? []).length > 0) {
    lines.push("", "refusals:");
    for (const f of r.refusals ?? []) {
      lines.push(
        `  ${f.operator} ${f.kind}${f.user === undefined ? "" : ` ${f.user}`}: ${f.field} proposed ${f.proposed}, ` +
          `observed ${f.observed} (${f.reason})`,
      );
    }
  }
  if (r.dropped.length > 0) {
    lines.push("", "dropped (fewer than the threshold of operators agreed; retried next round):");
    for (const d of r.dropped) {
      lines.push(`  ${d.user}  ${d.newTotalSats} sats (seq ${d.sequence})`);
      for (const f of d.refusals) {
        lines.push(
          `    ${f.operator}: ${f.field} proposed ${f.proposed}, observed ${f.observed} (${f.reason})`,
        );
      }
    }
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
      const { loadOracleContext, resolveRemoteOperators } = await import("../../src/oracle/context.js");
      const { syncCommand, parseBtcNetwork } = await import("../../src/oracle/commands.js");
      const { bitcoinSourceFor } = await import("../../src/oracle/bitcoin-source.js");
      const bitcoin = bitcoinSourceFor(args.bitcoin, parseBtcNetwork(args.btcNetwork));
      const connection = await hre.network.getOrCreate();
      const operators = await resolveRemoteOperators(hre.hooks, args.operators);
      const refusals: NonNullable<RoundJson["refusals"]> = [];
      const ctx = await loadOracleContext(connection, {
        hooks: hre.hooks,
        ...(operators === undefined
          ? {}
          : {
              operators,
              signTimeoutMs: args.operatorTimeout * 1000,
              remote: {
                onRefusal: (r) =>
                  refusals.push({
                    operator: r.operator,
                    url: r.url,
                    kind: r.kind,
                    ...(r.user === undefined ? {} : { user: r.user }),
                    field: r.field,
                    reason: r.reason,
                    proposed: r.proposed,
                    observed: r.observed,
                  }),
              },
            }),
      });
      const { json } = await syncCommand(ctx, bitcoin, {
        dryRun: args.dryRun,
        ...(args.batchSize > 0 ? { batchSize: args.batchSize } : {}),
        bitcoinConcurrency: args.concurrency,
      });
      return operators === undefined ? json : { ...json, refusals };
    },
    render,
  );
}
