import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { UserInputError } from "../../src/errors.js";
import type { AbiEntry } from "../../src/subgraph/manifest.js";
import { prepareSubgraph } from "../../src/subgraph/prepare.js";
import { runTask } from "../shared/output.js";

interface Args {
  chainId: string;
  graphNetwork: string;
  json: boolean;
}

/** Chain id from --chain-id, else from the selected network's config, else asked from its RPC. */
async function resolveChainId(args: Args, hre: HardhatRuntimeEnvironment): Promise<number> {
  if (args.chainId !== "") {
    if (!/^\d+$/.test(args.chainId)) throw new UserInputError(`invalid --chain-id "${args.chainId}"`);
    return Number(args.chainId);
  }
  const networkName = hre.globalOptions.network ?? "default";
  const config = hre.config.networks[networkName];
  if (config === undefined) throw new UserInputError(`unknown network "${networkName}"`);
  if (config.chainId !== undefined) return config.chainId;
  try {
    const connection = await hre.network.create();
    const hex = (await connection.provider.request({ method: "eth_chainId" })) as string;
    await connection.close();
    return Number(BigInt(hex));
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new UserInputError(
      `cannot ask network "${networkName}" for its chain id (${reason}): pass --chain-id`,
    );
  }
}

export default async function prepareAction(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runTask(
    args.json,
    async () =>
      prepareSubgraph({
        root: hre.config.paths.root,
        chainId: await resolveChainId(args, hre),
        graphNetwork: args.graphNetwork,
        readAbi: async (name) => (await hre.artifacts.readArtifact(name)).abi as readonly AbiEntry[],
      }),
    (result) =>
      [
        `subgraph prepared for chain ${result.chainId} (graph network "${result.network}"): ${result.manifest}, ${result.networksFile}`,
        ...result.dataSources.map(
          (ds) => `  ${ds.name.padEnd(10)} ${ds.address}  start block ${ds.startBlock}  ${ds.events} events`,
        ),
      ].join("\n"),
  );
}
