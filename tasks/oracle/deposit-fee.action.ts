import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { UserInputError } from "../../src/errors.js";
import { buildContracts } from "../build-contracts.js";
import { runTask, table } from "../shared/output.js";

export default async function depositFeeAction(
  args: { user: string; eth: string; file: string; json: boolean },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  await runTask(
    args.json,
    async () => {
      if (args.file !== "" && args.user !== "")
        throw new UserInputError("give either --user or --file, not both");
      await buildContracts(hre);
      const { loadOracleContext } = await import("../../src/oracle/context.js");
      const { depositFeeCommand, depositFeeListCommand } = await import("../../src/oracle/commands.js");
      const ctx = await loadOracleContext(await hre.network.getOrCreate(), {
        hooks: hre.hooks,
        withoutKeys: true,
      });
      if (args.file === "") return depositFeeCommand(ctx, args.user, args.eth);
      const { readBindingList } = await import("../../src/oracle/bind-list.js");
      const entries = await readBindingList(args.file);
      return depositFeeListCommand(
        ctx,
        entries.map((e) => e.user),
        args.file,
        args.eth,
        (done, total) => {
          if (done % 25 === 0 || done === total)
            process.stderr.write(`deposited for ${done} of ${total} users\n`);
        },
      );
    },
    (r) => table(Object.entries(r)),
  );
}
