import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import type { RealtimeArgs } from "./run.js";
import { runRealtimeTask } from "./run.js";

export default async function action(args: RealtimeArgs, hre: HardhatRuntimeEnvironment) {
  return runRealtimeTask("sync-status", args, hre);
}
