import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { devnetBindingProof } from "../../src/bitcoin/devnet/binding.js";
import { parseWalletAddressType } from "../../src/bitcoin/devnet/wallet.js";
import { parseNetwork } from "../../src/bitcoin/networks.js";
import type { ProofKind } from "../../src/bitcoin/proof.js";
import { UserInputError } from "../../src/errors.js";
import { runTask, table } from "../shared/output.js";

interface Args {
  user: string;
  type: string;
  index: number;
  chainId: bigint;
  oracle: string;
  evmUser: string;
  nonce: bigint;
  kind: string;
  btcNetwork: string;
  json: boolean;
}

const KINDS: readonly string[] = ["bip322-simple", "bip322-full", "bip137"];

export default async function proveAction(args: Args, _hre?: HardhatRuntimeEnvironment) {
  return runTask(
    args.json,
    async () => {
      if (args.user === "") throw new UserInputError("--user is required (a devnet wallet name, e.g. alice)");
      if (args.oracle === "" || args.evmUser === "")
        throw new UserInputError("--oracle and --evm-user are required");
      if (args.kind !== "" && !KINDS.includes(args.kind)) {
        throw new UserInputError(`--kind must be one of ${KINDS.join(", ")}, got "${args.kind}"`);
      }
      return devnetBindingProof({
        user: args.user,
        type: parseWalletAddressType(args.type),
        index: args.index,
        chainId: args.chainId,
        oracle: args.oracle,
        evmUser: args.evmUser,
        nonce: args.nonce,
        network: parseNetwork(args.btcNetwork),
        ...(args.kind !== "" ? { kind: args.kind as ProofKind } : {}),
      });
    },
    (r) =>
      `${table([
        ["user", r.user],
        ["type", r.type],
        ["path", r.path],
        ["address", r.address],
        ["kind", r.kind],
        ["signature", r.signature],
        ["digest", r.digest],
      ])}\n\n${r.message}`,
  );
}
