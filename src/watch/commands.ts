/**
 * `watch:scan`: one pass of the watchtower's off-chain half — every bound address with attested BTC, followed through
 * the given Esplora backends; every confirmed spend after the user's last report, with its relay proof checked against
 * the relay (nothing is submitted).
 */
import { getAddress } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { Oracle__factory } from "../../types/ethers-contracts/index.js";
import { EsploraClient } from "../bitcoin/esplora.js";
import { loadDeployment } from "../deployments.js";
import { UserInputError } from "../errors.js";
import { isEvmAddress } from "../evm-address.js";
import { attachRelay } from "../relay/relay.js";
import type { WatchReport } from "./spends.js";
import { loadWatchTargets, scanSpends } from "./spends.js";

export interface WatchScanArgs {
  /** Esplora API roots, comma-separated: the watcher's own backends. */
  bitcoin: string;
  /** LightRelay address (empty: the chain's Ignition deployment). */
  relay: string;
  /** Oracle address (empty: the chain's Ignition deployment). */
  oracle: string;
  deploymentsRoot?: string;
}

/** One watchtower pass. */
export async function watchScanCommand(
  connection: Pick<NetworkConnection, "ethers">,
  args: WatchScanArgs,
): Promise<WatchReport & { relay: string; oracle: string }> {
  const urls = args.bitcoin
    .split(",")
    .map((u) => u.trim())
    .filter((u) => u !== "");
  if (urls.length === 0) throw new UserInputError("--bitcoin needs at least one Esplora URL");
  const backends = urls.map((baseUrl) => new EsploraClient({ baseUrl }));
  const provider = connection.ethers.provider;
  const { chainId } = await provider.getNetwork();
  const relay = await attachRelay(provider, args.relay, chainId, args.deploymentsRoot);
  const oracleAddress = await oracleAddressOf(args.oracle, chainId, args.deploymentsRoot);
  if ((await provider.getCode(oracleAddress)) === "0x") {
    throw new UserInputError(`no contract at ${oracleAddress} on chain ${chainId}: is --oracle the Oracle?`);
  }
  const oracle = Oracle__factory.connect(oracleAddress, provider);
  const targets = await loadWatchTargets(oracle);
  const report = await scanSpends({ targets, backends, relay });
  return { relay: await relay.getAddress(), oracle: oracleAddress, ...report };
}

async function oracleAddressOf(address: string, chainId: bigint, deploymentsRoot?: string): Promise<string> {
  if (address !== "") {
    if (!isEvmAddress(address)) throw new UserInputError(`--oracle is not an EVM address: "${address}"`);
    return getAddress(address);
  }
  try {
    return (await loadDeployment(chainId, deploymentsRoot)).oracle;
  } catch (error) {
    throw new UserInputError((error as Error).message, "WATCH_NOT_DEPLOYED");
  }
}
