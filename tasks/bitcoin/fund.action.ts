import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { parseAddress } from "../../src/bitcoin/address.js";
import { DevnetControl } from "../../src/bitcoin/devnet/control.js";
import { UserInputError } from "../../src/errors.js";
import { runTask, table } from "../shared/output.js";

interface Args {
  address: string;
  sats: bigint;
  url: string;
  json: boolean;
}

export default async function fundAction(args: Args, _hre?: HardhatRuntimeEnvironment) {
  return runTask(
    args.json,
    async () => {
      if (args.address === "") throw new UserInputError("--address is required");
      if (args.sats <= 0n) throw new UserInputError("--sats must be positive");
      const devnet = new DevnetControl(args.url);
      const { network } = await devnet.info();
      parseAddress(args.address, network, { name: "address" });
      const r = await devnet.fund(args.address, args.sats);
      return { txid: r.txid, address: args.address, sats: args.sats.toString(), ...r.info };
    },
    (r) => table(Object.entries(r)),
  );
}
