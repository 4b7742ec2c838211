import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { UserInputError } from "../../src/errors.js";
import type { UserProofReport } from "../../src/reserves/proof.js";
import { proveUser } from "../../src/reserves/proof.js";
import { runTask, table } from "../shared/output.js";
import { reserveContext } from "./context.js";

function render(r: UserProofReport): string {
  return [
    table([
      ["user", r.user],
      ["round", `${r.round} at height ${r.btcHeight}`],
      [
        "root",
        `${r.merkleRoot} (${r.rootMatches ? "matches Bitcoin now" : `recomputed ${r.recomputedRoot}`})`,
      ],
    ]),
    ...r.proofs.map(
      (p) =>
        `\n${p.btcAddress}: ${p.sats} sats, verified on-chain: ${p.verifiedOnChain}\n  leaf ${p.leaf}\n` +
        p.proof.map((h) => `  ${h}`).join("\n"),
    ),
  ].join("\n");
}

export default async function proofAction(
  args: { user: string; bitcoin: string; json: boolean },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  const report = await runTask(
    args.json,
    async () => {
      if (args.user === "") throw new UserInputError("--user is required");
      const { contracts, bitcoin } = await reserveContext(hre, args.bitcoin);
      return proveUser(contracts, bitcoin, args.user);
    },
    render,
  );
  // Not verifiable against the committed root (Bitcoin moved since the round): 3, like a reserve discrepancy.
  if (report !== undefined && report.proofs.some((p) => !p.verifiedOnChain)) process.exitCode = 3;
}
