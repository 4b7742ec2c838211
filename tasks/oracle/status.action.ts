import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { buildContracts } from "../build-contracts.js";
import { runTask, table } from "../shared/output.js";

export default async function statusAction(
  args: { user: string; json: boolean },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  await runTask(
    args.json,
    async () => {
      await buildContracts(hre);
      const { loadOracleContext } = await import("../../src/oracle/context.js");
      const { userStatusCommand } = await import("../../src/oracle/commands.js");
      const ctx = await loadOracleContext(await hre.network.getOrCreate(), {
        hooks: hre.hooks,
        withoutKeys: true,
      });
      return userStatusCommand(ctx, args.user);
    },
    (r) => table(Object.entries(r).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : v])),
  );
}
