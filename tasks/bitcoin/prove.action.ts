import { writeFile } from "node:fs/promises";

import { getAddress, isAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { devnetBindingList, devnetBindingProof } from "../../src/bitcoin/devnet/binding.js";
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
  count: number;
  out: string;
  json: boolean;
}

const KINDS: readonly string[] = ["bip322-simple", "bip322-full", "bip137"];

/** `btc:prove --count N --out FILE`: a bindings file for N simulated devnet users (read by oracle:bind --file). */
async function proveMany(args: Args) {
  if (!Number.isSafeInteger(args.count) || args.count < 1 || args.count > 100_000) {
    throw new UserInputError(`--count must be a whole number from 1 to 100000, got ${args.count}`);
  }
  if (args.out === "") throw new UserInputError("--count writes a bindings file: give it --out FILE");
  if (args.evmUser !== "" || args.index !== 0 || args.nonce !== 0n || args.kind !== "") {
    throw new UserInputError(
      "--count derives the EVM users, address indexes 0..N-1 and nonce 0: drop --evm-user, --index, --nonce, --kind",
    );
  }
  const list = devnetBindingList({
    wallet: args.user,
    count: args.count,
    type: parseWalletAddressType(args.type),
    chainId: args.chainId,
    oracle: getAddress(args.oracle),
    network: parseNetwork(args.btcNetwork),
  });
  await writeFile(args.out, `${JSON.stringify(list, null, 2)}\n`);
  return {
    out: args.out,
    count: list.length,
    wallet: args.user,
    type: args.type,
    oracle: getAddress(args.oracle),
  };
}

export default async function proveAction(args: Args, _hre?: HardhatRuntimeEnvironment) {
  if (args.count !== 0 || args.out !== "") {
    return runTask(
      args.json,
      async () => {
        if (args.user === "")
          throw new UserInputError("--user is required (a devnet wallet name, e.g. alice)");
        const oracle: string = args.oracle;
        if (!isAddress(oracle))
          throw new UserInputError(`--oracle must be the Oracle's address, got "${args.oracle}"`);
        return proveMany(args);
      },
      (r) => `${table(Object.entries(r))}\n\nthen: oracle:bind --file ${r.out}`,
    );
  }
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
