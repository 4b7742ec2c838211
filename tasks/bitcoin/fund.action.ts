import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { parseAddress } from "../../src/bitcoin/address.js";
import { DevnetControl } from "../../src/bitcoin/devnet/control.js";
import { UserInputError } from "../../src/errors.js";
import { runTask, table } from "../shared/output.js";

interface Args {
  address: string;
  sats: bigint;
  file: string;
  url: string;
  json: boolean;
}

export default async function fundAction(args: Args, _hre?: HardhatRuntimeEnvironment) {
  return runTask(
    args.json,
    async () => {
      if (args.file !== "" && args.address !== "")
        throw new UserInputError("give either --address or --file, not both");
      if (args.file === "" && args.address === "")
        throw new UserInputError("--address is required (or --file)");
      if (args.sats <= 0n) throw new UserInputError("--sats must be positive");
      const devnet = new DevnetControl(args.url);
      if (args.file !== "") {
        const { readBindingList } = await import("../../src/oracle/bind-list.js");
        const addresses = (await readBindingList(args.file)).map((e) => e.btcAddress);
        for (const address of addresses) await devnet.fund(address, args.sats);
        return {
          file: args.file,
          addresses: addresses.length,
          satsEach: args.sats.toString(),
          sats: (args.sats * BigInt(addresses.length)).toString(),
        };
      }
      const { network } = await devnet.info();
      parseAddress(args.address, network, { name: "address" });
      const r = await devnet.fund(args.address, args.sats);
      return { txid: r.txid, address: args.address, sats: args.sats.toString(), ...r.info };
    },
    (r) => table(Object.entries(r)),
  );
}
