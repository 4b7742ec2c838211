import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { startDevnet } from "../../src/bitcoin/devnet/server.js";
import type { RunningDevnet } from "../../src/bitcoin/devnet/server.js";
import { parseNetwork } from "../../src/bitcoin/networks.js";
import { runTask, table } from "../shared/output.js";

interface Args {
  port: number;
  state: string;
  btcNetwork: string;
  json: boolean;
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const done = (signal: string) => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve(signal);
    };
    process.on("SIGINT", done);
    process.on("SIGTERM", done);
  });
}

export default async function devnetAction(args: Args, _hre: HardhatRuntimeEnvironment): Promise<void> {
  let devnet: RunningDevnet | undefined;
  await runTask(
    args.json,
    async () => {
      devnet = await startDevnet({
        port: args.port,
        network: parseNetwork(args.btcNetwork),
        ...(args.state !== "" ? { stateFile: args.state } : {}),
      });
      return {
        url: devnet.url,
        network: devnet.chain.network,
        tipHeight: devnet.chain.tipHeight,
        tipHash: devnet.chain.tipHash,
        stateFile: args.state === "" ? null : args.state,
      };
    },
    (r) => `${table(Object.entries(r))}\nBitcoin devnet (Esplora API) listening on ${r.url} — Ctrl-C to stop`,
  );
  if (!devnet) return;
  const signal = await untilSignal();
  await devnet.close();
  if (!args.json) console.log(`devnet stopped (${signal})`);
}
