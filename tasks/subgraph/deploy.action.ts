import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { UserInputError } from "../../src/errors.js";
import { deploySubgraph } from "../../src/subgraph/deploy.js";
import { runTask } from "../shared/output.js";

interface Args {
  name: string;
  subgraphVersion: string;
  json: boolean;
}

/** `--name N --subgraph-version V`, or `--name N/V`. */
function nameAndVersion(args: Args): { name: string; version: string } {
  const [name = "", inlineVersion] = args.name.split("/", 2);
  const version = args.subgraphVersion !== "" ? args.subgraphVersion : (inlineVersion ?? "");
  if (name === "")
    throw new UserInputError("missing --name (e.g. --name reservebtc --subgraph-version 0.0.1)");
  if (version === "") throw new UserInputError("missing --subgraph-version (e.g. --subgraph-version 0.0.1)");
  return { name, version };
}

export default async function deployAction(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runTask(
    args.json,
    async () => {
      const { name, version } = nameAndVersion(args);
      const result = await deploySubgraph({ root: hre.config.paths.root, name, version, echo: !args.json });
      return { subgraph: result.subgraph, buildDir: result.buildDir };
    },
    (result) => `deployed ${result.subgraph} from ${result.buildDir} to Goldsky`,
  );
}
