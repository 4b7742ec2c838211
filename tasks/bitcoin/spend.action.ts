import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { parseAddress } from "../../src/bitcoin/address.js";
import { DevnetControl } from "../../src/bitcoin/devnet/control.js";
import { UserInputError } from "../../src/errors.js";
import { runTask, table } from "../shared/output.js";

interface Args {
  from: string;
  to: string;
  sats: bigint;
  feeSats: bigint;
  url: string;
  json: boolean;
}

export default async function spendAction(args: Args, _hre?: HardhatRuntimeEnvironment) {
  return runTask(
    args.json,
    async () => {
      if (args.from === "" || args.to === "") throw new UserInputError("--from and --to are required");
      if (args.sats <= 0n) throw new UserInputError("--sats must be positive");
      const devnet = new DevnetControl(args.url);
      const { network } = await devnet.info();
      parseAddress(args.from, network, { name: "from" });
      parseAddress(args.to, network, { name: "to" });
      const r = await devnet.spend(args.from, args.to, args.sats, args.feeSats);
      const change = r.outputs.find((o, i) => i > 0 && o.address === args.from)?.sats ?? "0";
      return {
        txid: r.txid,
        from: args.from,
        to: args.to,
        sats: args.sats.toString(),
        feeSats: r.fee,
        changeSats: change,
        ...r.info,
      };
    },
    (r) => table(Object.entries(r)),
  );
}
