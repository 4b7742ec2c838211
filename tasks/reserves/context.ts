import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { EsploraClient } from "../../src/bitcoin/esplora.js";
import { UserInputError } from "../../src/errors.js";
import type { ReserveContracts } from "../../src/reserves/check.js";

/** The deployed contracts on the task's network (address book from the Ignition deployment) and a Bitcoin client. */
export async function reserveContext(
  hre: HardhatRuntimeEnvironment,
  bitcoinUrl: string,
): Promise<{ contracts: ReserveContracts; bitcoin: EsploraClient }> {
  if (!/^https?:\/\//.test(bitcoinUrl))
    throw new UserInputError(`--bitcoin: not an http(s) URL: ${bitcoinUrl}`);
  // Imported lazily: the address book needs the generated contract bindings.
  const { attachSystem, loadDeployment } = await import("../../src/deployments.js");
  const connection = await hre.network.getOrCreate();
  const { chainId } = await connection.ethers.provider.getNetwork();
  const system = attachSystem(await loadDeployment(chainId), connection.ethers.provider);
  return { contracts: system, bitcoin: new EsploraClient({ baseUrl: bitcoinUrl, retries: 2 }) };
}
