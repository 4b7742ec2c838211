import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import type { WatchReport } from "../../src/watch/spends.js";
import { buildContracts } from "../build-contracts.js";
import { runTask, table } from "../shared/output.js";

interface Args {
  bitcoin: string;
  relay: string;
  oracle: string;
  json: boolean;
}

function render(r: WatchReport): string {
  const lines = [
    table([
      ["bitcoin tip", `${r.tipHeight} ${r.tipHash}`],
      ["followed", `${r.users} users, ${r.addresses} addresses`],
      ["confirmations needed", String(r.requiredConfirmations)],
      ["spends", String(r.spends.length)],
      ["backends", r.backends.map((b) => `${b.url}${b.ok ? "" : ` (failed: ${b.error})`}`).join(", ")],
    ]),
  ];
  for (const s of r.spends) {
    lines.push(
      `  ${s.txid}  ${s.user}  block ${s.blockHeight} (${s.confirmations} conf)  left ${s.leftSats} sats  ` +
        `${s.status}${s.reason ? `: ${s.reason}` : ""}`,
    );
  }
  return lines.join("\n");
}

export default async function watchScanAction(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runTask(
    args.json,
    async () => {
      await buildContracts(hre);
      const { watchScanCommand } = await import("../../src/watch/commands.js");
      return watchScanCommand(await hre.network.getOrCreate(), args);
    },
    render,
  );
}
