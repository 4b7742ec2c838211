import { runTask, table } from "../shared/output.js";

interface Args {
  bitcoin: string;
  btcNetwork: string;
  height: number;
  out: string;
  json: boolean;
}

export default async function relayGenesisAction(args: Args): Promise<void> {
  await runTask(
    args.json,
    async () => {
      const { relayGenesisCommand } = await import("../../src/relay/commands.js");
      return relayGenesisCommand(args);
    },
    (r) =>
      table([
        ["network", r.network],
        ["genesis", `${r.genesisHeight} ${r.genesisHash}`],
        ["parameters", r.out ?? JSON.stringify(r.parameters)],
        [
          "deploy",
          `npx hardhat ignition deploy deploy/modules/LightRelay.ts --network <network> --parameters ${r.out ?? "<file>"}`,
        ],
      ]),
  );
}
