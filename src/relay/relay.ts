/**
 * The on-chain LightRelay as the off-chain tools see it: where it is (a `--relay` address or the Ignition deployment
 * of the connected chain), its rules and epochs, and its custom errors as one readable line.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import { getAddress } from "ethers";
import type { ContractRunner, Provider } from "ethers";

import { LightRelay__factory } from "../../types/ethers-contracts/index.js";
import type { LightRelay } from "../../types/ethers-contracts/index.js";
import { deploymentFolder } from "../deployments.js";
import { UserInputError } from "../errors.js";
import { isEvmAddress } from "../evm-address.js";

/** Ignition future id of the relay (deploy/modules/LightRelay.ts). */
export const RELAY_FUTURE_ID = "LightRelay#LightRelay";

/** The relay's rule set as plain values. */
export interface RelayRulesView {
  powLimitBits: number;
  retargeting: boolean;
  minDifficultyBlocks: boolean;
  txProofDifficultyFactor: number;
  retargetProofLength: number;
}

/** What the relay knows, read in one go. */
export interface RelayState {
  address: string;
  rules: RelayRulesView;
  genesisHeight: number;
  genesisEpoch: number;
  currentEpoch: number;
  /** Time and bits of the genesis epoch's first block (the genesis block on regtest). */
  genesis: { timestamp: number; bits: number };
  /** Last height whose headers the relay can validate (unbounded on regtest: null). */
  currentEpochEnd: number | null;
}

/**
 * The relay contract at `address` (checksummed), or at the `LightRelay#LightRelay` address of the chain's Ignition
 * deployment when `address` is empty. Throws UserInputError for a malformed address, a missing deployment or an
 * address without code.
 */
export async function attachRelay(
  runner: ContractRunner & { provider: Provider | null },
  address: string,
  chainId: bigint,
  deploymentsRoot?: string,
): Promise<LightRelay> {
  const resolved =
    address === "" ? await deployedRelayAddress(chainId, deploymentsRoot) : checkedAddress(address);
  const provider = runner.provider;
  if (provider !== null && (await provider.getCode(resolved)) === "0x") {
    throw new UserInputError(
      `no contract at ${resolved} on chain ${chainId}: is --relay the LightRelay?`,
      "RELAY_ADDRESS",
    );
  }
  return LightRelay__factory.connect(resolved, runner);
}

function checkedAddress(address: string): string {
  if (!isEvmAddress(address))
    throw new UserInputError(`--relay is not an EVM address: "${address}"`, "RELAY_ADDRESS");
  return getAddress(address);
}

/** The relay's address in the Ignition deployment of `chainId`. */
export async function deployedRelayAddress(chainId: bigint, deploymentsRoot?: string): Promise<string> {
  const folder = deploymentFolder(chainId, deploymentsRoot);
  let addresses: Record<string, string>;
  try {
    addresses = JSON.parse(await readFile(path.join(folder, "deployed_addresses.json"), "utf8")) as Record<
      string,
      string
    >;
  } catch {
    addresses = {};
  }
  const address = addresses[RELAY_FUTURE_ID];
  if (address === undefined) {
    throw new UserInputError(
      `no LightRelay in the deployment of chain ${chainId} (${folder}): deploy deploy/modules/LightRelay.ts ` +
        `or pass --relay`,
      "RELAY_NOT_DEPLOYED",
    );
  }
  return getAddress(address);
}

/** Reads the relay's rules, range and genesis epoch. */
export async function readRelayState(relay: LightRelay): Promise<RelayState> {
  const [rules, genesisHeight, genesisEpoch, currentEpoch, range] = await Promise.all([
    relay.rules(),
    relay.genesisHeight(),
    relay.genesisEpoch(),
    relay.currentEpoch(),
    relay.getRelayRange(),
  ]);
  const genesis = await relay.epoch(genesisEpoch);
  const retargeting = rules.retargeting;
  return {
    address: await relay.getAddress(),
    rules: {
      powLimitBits: Number(rules.powLimitBits),
      retargeting,
      minDifficultyBlocks: rules.minDifficultyBlocks,
      txProofDifficultyFactor: Number(rules.txProofDifficultyFactor),
      retargetProofLength: Number(rules.retargetProofLength),
    },
    genesisHeight: Number(genesisHeight),
    genesisEpoch: Number(genesisEpoch),
    currentEpoch: Number(currentEpoch),
    genesis: { timestamp: Number(genesis.timestamp), bits: Number(genesis.bits) },
    currentEpochEnd: retargeting ? Number(range.currentEpochEnd) : null,
  };
}

/** A relay revert as `Name(arg, …)` (or the error's own message when it is not one of the relay's errors). */
export function describeRelayError(relay: LightRelay, error: unknown): string {
  const data = revertData(error);
  if (data !== undefined) {
    try {
      const parsed = relay.interface.parseError(data);
      if (parsed !== null) {
        const args = parsed.args.map((a: unknown) => (typeof a === "bigint" ? a.toString() : String(a)));
        return `${parsed.name}(${args.join(", ")})`;
      }
    } catch {
      // not one of the relay's errors
    }
  }
  return error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
}

/** The revert data of an ethers call error, wherever the provider put it. */
function revertData(error: unknown): string | undefined {
  const e = error as { data?: unknown; info?: { error?: { data?: unknown } }; error?: { data?: unknown } };
  for (const candidate of [e?.data, e?.info?.error?.data, e?.error?.data]) {
    if (typeof candidate === "string" && candidate.startsWith("0x") && candidate.length >= 10)
      return candidate;
    const nested = (candidate as { data?: unknown } | undefined)?.data;
    if (typeof nested === "string" && nested.startsWith("0x") && nested.length >= 10) return nested;
  }
  return undefined;
}
