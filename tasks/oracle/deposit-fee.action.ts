import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { runTask, table } from "../shared/output.js";
import { buildContracts } from "../build-contracts.js";

export default async function depositFeeAction(
  args: { user: string; eth: string; json: boolean },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  await runTask(
    args.json,
    async () => {
      await buildContracts(hre);
      const { loadOracleContext } = await import("../../src/oracle/context.js");
      const { depositFeeCommand } = await import("../../src/oracle/commands.js");
      const ctx = await loadOracleContext(await hre.network.getOrCreate(), {
        hooks: hre.hooks,
        withoutKeys: true,
      });
      return depositFeeCommand(ctx, args.user, args.eth);
    },
    (r) => table(Object.entries(r)),
  );
}
