import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskLogger } from "../../src/logging.js";
import type { RunningOperator } from "../../src/oracle/operator/start.js";
import { buildContracts } from "../build-contracts.js";
import { reportFatal, stopOnSignals } from "../shared/process.js";

interface Args {
  port: number;
  host: string;
  bitcoin: string;
  bitcoinQuorum: number;
  btcNetwork: string;
  concurrency: number;
  dataDir: string;
  keyVariable: string;
  devAccount: number;
  tokensVariable: string;
  allowRevocation: string;
  revocationsFile: string;
  rateLimit: number;
  noPrefetch: boolean;
  noCompile: boolean;
  logLevel: string;
  json: boolean;
}

/**
 * Long-running: log lines on stdout (one pino JSON object per line with --json, human-readable lines otherwise), the
 * first `"event":"listening"` with the URL. SIGINT/SIGTERM →
 * requests in progress finish, the port and the slashing-protection record are closed, exit 0; a second signal exits
 * at once (1) — the record is crash-safe either way.
 */
export default async function operatorAction(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const logger = taskLogger({ json: args.json, level: args.logLevel, service: "reservebtc-operator" });
  const stop = stopOnSignals(logger, "closing the signing API");
  let running: RunningOperator | undefined;
  try {
    const { UserInputError } = await import("../../src/errors.js");
    if (args.port < 0 || args.port > 65_535) {
      throw new UserInputError("--port is required: the port of the signing API (0 = any free port)", "PORT");
    }
    // The build check keeps Hardhat's compiler state in the process for its whole life (~180 MB of RSS):
    // long-running nodes built once beforehand skip it with --no-compile.
    if (!args.noCompile) await buildContracts(hre);
    const modules = await Promise.all([
      import("../../src/oracle/commands.js"),
      import("../../src/oracle/operator/start.js"),
    ]).catch((error: unknown) => {
      if (args.noCompile && /ethers-contracts/.test(String(error))) {
        throw new UserInputError(
          "the contract bindings are not built: run `npx hardhat build` (or drop --no-compile)",
        );
      }
      throw error;
    });
    const [{ parseBtcNetwork }, { startOperator }] = modules;
    const connection = await hre.network.getOrCreate();
    running = await startOperator(
      connection,
      {
        host: args.host,
        port: args.port,
        bitcoin: args.bitcoin,
        btcNetwork: parseBtcNetwork(args.btcNetwork),
        ...(args.bitcoinQuorum > 0 ? { bitcoinQuorum: args.bitcoinQuorum } : {}),
        concurrency: args.concurrency,
        dataDir: args.dataDir,
        keyVariable: args.keyVariable,
        devAccount: args.devAccount,
        tokensVariable: args.tokensVariable,
        allowRevocation: args.allowRevocation,
        revocationsFile: args.revocationsFile,
        rateLimit: args.rateLimit,
        prefetch: !args.noPrefetch,
      },
      logger,
      { hooks: hre.hooks },
    );
    await new Promise<void>((resolve) => {
      if (stop.signal.aborted) resolve();
      stop.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    await running.close();
    running = undefined;
    logger.info({ event: "stop" }, "operator node stopped");
  } catch (error) {
    reportFatal(logger, error, "operator node cannot start");
  } finally {
    stop.dispose();
    await running?.close().catch(() => undefined);
  }
}
