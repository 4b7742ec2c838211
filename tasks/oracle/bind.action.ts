import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import type { BindListJson } from "../../src/oracle/bind-list.js";
import type { BindArgs, BindCommandResult } from "../../src/oracle/commands.js";
import { buildContracts } from "../build-contracts.js";
import { runTask, table } from "../shared/output.js";

function render(result: BindCommandResult | BindListJson): string {
  if (result.kind === "bound-list") {
    return table([
      ["entries", result.entries],
      ["bound now", result.bound.length],
      ["already bound (skipped)", result.alreadyBound.length],
      ["gas used", result.gasUsed],
    ]);
  }
  if (result.kind === "message") {
    return [
      `Sign this message with ${result.btcAddress} (BIP-322, or BIP-137 for legacy addresses):`,
      "",
      result.message,
      "",
      `then: oracle:bind --user ${result.user} --btc-address ${result.btcAddress} --signature <base64>`,
    ].join("\n");
  }
  const { kind: _kind, message: _message, ...rest } = result;
  return table(Object.entries(rest));
}

export default async function bindAction(
  args: BindArgs & { json: boolean; file: string; operators: string; operatorTimeout: number },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  await runTask(
    args.json,
    async () => {
      await buildContracts(hre);
      // Imported after the build: they need the generated contract bindings.
      const { loadOracleContext, resolveRemoteOperators } = await import("../../src/oracle/context.js");
      const { bindCommand } = await import("../../src/oracle/commands.js");
      const connection = await hre.network.getOrCreate();
      // --print-message asks nobody to sign: no keys, no operator nodes.
      const operators = args.printMessage
        ? undefined
        : await resolveRemoteOperators(hre.hooks, args.operators);
      const ctx = await loadOracleContext(connection, {
        hooks: hre.hooks,
        ...(args.printMessage ? { withoutKeys: true } : {}),
        ...(operators === undefined ? {} : { operators, signTimeoutMs: args.operatorTimeout * 1000 }),
      });
      if (args.file === "") return bindCommand(ctx, args);
      const { bindFileCommand } = await import("../../src/oracle/bind-list.js");
      return bindFileCommand(ctx, args, (done, total) => {
        if (done % 25 === 0 || done === total) process.stderr.write(`bound ${done} of ${total}\n`);
      });
    },
    render,
  );
}
