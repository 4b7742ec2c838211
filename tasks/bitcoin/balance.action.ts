import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { parseAddress } from "../../src/bitcoin/address.js";
import { EsploraClient } from "../../src/bitcoin/esplora.js";
import { parseNetwork } from "../../src/bitcoin/networks.js";
import { UserInputError } from "../../src/errors.js";
import { runTask, table } from "../shared/output.js";

interface Args {
  address: string;
  minConf: number;
  url: string;
  btcNetwork: string;
  json: boolean;
}

export default async function balanceAction(args: Args, _hre?: HardhatRuntimeEnvironment) {
  return runTask(
    args.json,
    async () => {
      if (args.address === "") throw new UserInputError("--address is required");
      const network = parseNetwork(args.btcNetwork);
      const { address } = parseAddress(args.address, network, { name: "address" });
      const client = new EsploraClient({ baseUrl: args.url, network, retries: 2 });
      return client.confirmedBalance(address, args.minConf);
    },
    (r) => table(Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v])),
  );
}
