/**
 * The relay tasks' single entry points: `relaySyncCommand` (relay:sync) and `relayGenesisCommand` (relay:genesis).
 * They validate the flags, connect to the chain and the Bitcoin backend, and call src/relay's logic.
 */
import { writeFile } from "node:fs/promises";

import type { NetworkConnection } from "hardhat/types/network";

import { EsploraClient } from "../bitcoin/esplora.js";
import { UserInputError } from "../errors.js";
import type { RelayGenesisResult } from "./genesis.js";
import { parseRelayNetwork, relayGenesis } from "./genesis.js";
import { attachRelay } from "./relay.js";
import type { RelaySyncResult } from "./sync.js";
import { syncRelay } from "./sync.js";

export interface RelaySyncArgs {
  /** Esplora API root. */
  bitcoin: string;
  /** Relay address; empty: the `LightRelay` of the chain's Ignition deployment. */
  relay: string;
  dryRun: boolean;
  /** Where `chain-<id>/` deployments live (default: deploy/deployments or $RESERVEBTC_DEPLOYMENTS_DIR). */
  deploymentsRoot?: string;
  progress?: (line: string) => void;
}

/** relay:sync: prove due retargets (account 0 of the network sends them) and check the relay at the tip. */
export async function relaySyncCommand(
  connection: Pick<NetworkConnection, "ethers">,
  args: RelaySyncArgs,
): Promise<RelaySyncResult & { chainId: string; sender: string | null }> {
  const esplora = new EsploraClient({ baseUrl: args.bitcoin });
  const provider = connection.ethers.provider;
  const { chainId } = await provider.getNetwork();
  const [signer] = await connection.ethers.getSigners().catch(() => []);
  if (signer === undefined && !args.dryRun) {
    throw new UserInputError(
      `the network of chain ${chainId} has no account to send retargets from: configure one, or use --dry-run`,
      "RELAY_NO_ACCOUNT",
    );
  }
  const runner = signer ?? provider;
  const relay = await attachRelay(runner, args.relay, chainId, args.deploymentsRoot);
  const result = await syncRelay(relay, esplora, {
    dryRun: args.dryRun,
    ...(args.progress === undefined ? {} : { progress: args.progress }),
  });
  return {
    chainId: chainId.toString(),
    sender: signer === undefined ? null : await signer.getAddress(),
    ...result,
  };
}

export interface RelayGenesisArgs {
  bitcoin: string;
  btcNetwork: string;
  /** Genesis height; negative: the default (the tip's epoch start, or 0 on regtest). */
  height: number;
  /** Write the Ignition parameters file here (empty: only print). */
  out: string;
}

/** relay:genesis: the LightRelay module's Ignition parameters with a real genesis header. */
export async function relayGenesisCommand(
  args: RelayGenesisArgs,
): Promise<RelayGenesisResult & { out: string | null }> {
  const network = parseRelayNetwork(args.btcNetwork);
  if (!Number.isSafeInteger(args.height))
    throw new UserInputError(`--height must be an integer, got ${args.height}`);
  const esplora = new EsploraClient({ baseUrl: args.bitcoin });
  const result = await relayGenesis(esplora, network, args.height < 0 ? undefined : args.height);
  if (args.out !== "") await writeFile(args.out, `${JSON.stringify(result.parameters, null, 2)}\n`);
  return { ...result, out: args.out === "" ? null : args.out };
}
