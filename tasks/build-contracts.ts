import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

/**
 * Compiles the contracts a task needs (quietly; not the Solidity tests) so the generated typechain bindings exist
 * before the task imports the src/ modules that use them.
 */
export async function buildContracts(hre: HardhatRuntimeEnvironment): Promise<void> {
  await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
}
