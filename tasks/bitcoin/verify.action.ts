import { readFileSync } from "node:fs";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { parseAddress } from "../../src/bitcoin/address.js";
import { parseNetwork } from "../../src/bitcoin/networks.js";
import { proofDigest, verifyOwnershipProof } from "../../src/bitcoin/proof.js";
import { UserInputError } from "../../src/errors.js";
import { runTask, table } from "../shared/output.js";

interface Args {
  address: string;
  message: string;
  messageFile: string;
  signature: string;
  btcNetwork: string;
  json: boolean;
}

function readMessage(args: Args): string {
  if (args.messageFile === "") return args.message.replace(/\\n/g, "\n");
  try {
    return readFileSync(args.messageFile, "utf8");
  } catch (error) {
    throw new UserInputError(`cannot read --message-file ${args.messageFile}: ${(error as Error).message}`);
  }
}

export default async function verifyAction(args: Args, _hre?: HardhatRuntimeEnvironment) {
  return runTask(
    args.json,
    async () => {
      if (args.address === "" || args.signature === "")
        throw new UserInputError("--address and --signature are required");
      const message = readMessage(args);
      const network = parseNetwork(args.btcNetwork);
      parseAddress(args.address, network, { name: "address" });
      const result = verifyOwnershipProof({
        message,
        btcAddress: args.address,
        signature: args.signature,
        network,
      });
      return { ...result, address: args.address, digest: proofDigest(message, args.signature) };
    },
    (r) => table(Object.entries(r)),
  );
}
