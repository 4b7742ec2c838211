import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { buildSubgraph } from "../../src/subgraph/build.js";
import { runTask } from "../shared/output.js";

export default async function buildAction(
  args: { json: boolean },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  await runTask(
    args.json,
    () => buildSubgraph(hre.config.paths.root, { echo: !args.json }),
    (result) => `subgraph built in ${result.seconds.toFixed(1)} s: ${result.manifest}`,
  );
}
