import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import type { RelaySyncResult } from "../../src/relay/sync.js";
import { buildContracts } from "../build-contracts.js";
import { runTask, table } from "../shared/output.js";

interface Args {
  bitcoin: string;
  relay: string;
  dryRun: boolean;
  json: boolean;
}

function render(r: RelaySyncResult & { chainId: string; sender: string | null }): string {
  const rows: Array<[string, unknown]> = [
    ["mode", r.dryRun ? "dry run (nothing sent)" : `submitted by ${r.sender}`],
    ["relay", `${r.relay} on chain ${r.chainId}`],
    [
      "rules",
      `${r.rules.retargeting ? "retargeting" : "no retargeting (regtest)"}, proof factor ${r.rules.txProofDifficultyFactor}`,
    ],
    ["bitcoin tip", `${r.bitcoin.tipHeight} ${r.bitcoin.tipHash}`],
    ["epoch", r.epochBefore === r.epochAfter ? String(r.epochAfter) : `${r.epochBefore} → ${r.epochAfter}`],
    ["retargets", String(r.retargets.length)],
    ["next retarget at height", r.nextRetargetAtHeight === null ? "-" : String(r.nextRetargetAtHeight)],
    [
      "tip check",
      r.tip.accepted ? `accepted ${r.tip.fromHeight}..${r.tip.toHeight}` : `refused: ${r.tip.reason}`,
    ],
    ["up to date", String(r.upToDate)],
  ];
  return table(rows);
}

export default async function relaySyncAction(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runTask(
    args.json,
    async () => {
      await buildContracts(hre);
      const { relaySyncCommand } = await import("../../src/relay/commands.js");
      return relaySyncCommand(await hre.network.getOrCreate(), {
        bitcoin: args.bitcoin,
        relay: args.relay,
        dryRun: args.dryRun,
        progress: (line) => console.error(line),
      });
    },
    render,
  );
}
