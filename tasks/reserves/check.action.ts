import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import type { ReserveReport } from "../../src/reserves/check.js";
import { checkReserves, describeDiscrepancies, reserveExitCode } from "../../src/reserves/check.js";
import { runTask, table } from "../shared/output.js";
import { reserveContext } from "./context.js";

function render(r: ReserveReport): string {
  const t = r.totals;
  const p = r.proofOfReserves;
  const lines = r.discrepancies.map(
    (u) =>
      `  ${u.user} ${u.status.padEnd(7)} btc ${u.bitcoinSats}  attested ${u.attestedSats}  ` +
      `rBTC ${u.rbtcBackedSats}  uncovered ${u.uncoveredSats}  deficit ${u.deficitSats}`,
  );
  return [
    table([
      ["chain / block", `${r.chainId} / ${r.block}`],
      ["bitcoin tip", `${r.bitcoin.tipHeight} ${r.bitcoin.tipHash} (≥ ${r.bitcoin.minConfirmations} conf)`],
      ["bitcoin (recomputed)", `${t.bitcoinSats} sats`],
      ["rBTC supply", `${t.rbtcSupply} (free ${t.rbtcFree}, escrow ${t.rbtcEscrow})`],
      ["wrBTC supply", `${t.wrbtcSupply} (uncovered ${t.uncoveredSats})`],
      ["liabilities / deficit", `${t.liabilitiesSats} / ${t.deficitSats}`],
      ["PoR round", `${p.round} at height ${p.btcHeight}: ${p.attestedSats} sats attested`],
      ["PoR root", `${p.merkleRoot} (${p.rootMatches ? "matches" : `recomputed ${p.recomputedRoot}`})`],
      ["PoR backing ratio", `${Number(p.backingRatio) / 1e6}% (on-chain fully backed: ${p.isFullyBacked})`],
    ]),
    "",
    r.discrepancies.length === 0 ? describeDiscrepancies([]) : `${describeDiscrepancies(r.discrepancies)}:`,
    ...lines,
    "",
    `verdict: ${r.fullyBacked ? "FULLY BACKED" : "DEFICIT"}`,
  ].join("\n");
}

export default async function checkAction(
  args: { bitcoin: string; json: boolean },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  const report = await runTask(
    args.json,
    async () => {
      const { contracts, bitcoin } = await reserveContext(hre, args.bitcoin);
      return checkReserves(contracts, bitcoin);
    },
    render,
  );
  if (report !== undefined) process.exitCode = reserveExitCode(report);
}
