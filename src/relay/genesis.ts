/**
 * `relay:genesis`: the Ignition parameters of a LightRelay deployment (deploy/modules/LightRelay.ts), with a real
 * genesis header read from any Esplora backend: on retargeting networks the first block of an epoch (by default the
 * tip's epoch, so proofs work as soon as the relay is deployed), on regtest any block (by default the genesis block).
 */
import type { RelayNetwork, RelayRules } from "../../deploy/modules/LightRelay.js";
import { RELAY_RULES } from "../../deploy/modules/LightRelay.js";
import type { EsploraClient } from "../bitcoin/esplora.js";
import { RETARGET_INTERVAL, bitsToTarget } from "../bitcoin/headers.js";
import { UserInputError } from "../errors.js";
import { fetchHeaderChain } from "./headers.js";

export const RELAY_NETWORKS: readonly RelayNetwork[] = ["mainnet", "testnet4", "regtest"];

/** The parameters file Ignition reads (`--parameters FILE`), plus what was chosen. */
export interface RelayGenesisResult {
  network: RelayNetwork;
  genesisHeight: number;
  genesisHash: string;
  parameters: { LightRelay: { rules: RelayRules; genesisHeader: string; genesisHeight: number } };
}

/** Validates a relay network name. */
export function parseRelayNetwork(value: string): RelayNetwork {
  if (!(RELAY_NETWORKS as readonly string[]).includes(value)) {
    throw new UserInputError(
      `unknown relay network "${value}" (expected one of ${RELAY_NETWORKS.join(", ")}; testnet3 and signet are ` +
        `not supported)`,
      "RELAY_NETWORK",
    );
  }
  return value as RelayNetwork;
}

/**
 * Reads the genesis header for a relay on `network` from `esplora`. `height` (optional) must be an epoch start on
 * retargeting networks; it defaults to the start of the tip's epoch (0 on regtest).
 */
export async function relayGenesis(
  esplora: EsploraClient,
  network: RelayNetwork,
  height?: number,
): Promise<RelayGenesisResult> {
  const rules = RELAY_RULES[network];
  const tip = await esplora.tip();
  const chosen = height ?? (rules.retargeting ? tip.height - (tip.height % RETARGET_INTERVAL) : 0);
  if (!Number.isSafeInteger(chosen) || chosen < 0 || chosen > tip.height) {
    throw new UserInputError(
      `genesis height ${chosen} is not between 0 and the tip (${tip.height})`,
      "RELAY_GENESIS",
    );
  }
  if (rules.retargeting && chosen % RETARGET_INTERVAL !== 0) {
    throw new UserInputError(
      `genesis height ${chosen} is not the first block of an epoch (a multiple of ${RETARGET_INTERVAL})`,
      "RELAY_GENESIS",
    );
  }
  const [block] = await fetchHeaderChain(esplora, chosen, chosen);
  if (block === undefined) throw new UserInputError(`no block at height ${chosen}`, "RELAY_GENESIS");
  const bits = block.header.bits;
  const tooEasy = bitsToTarget(bits) > bitsToTarget(rules.powLimitBits);
  if (tooEasy || (!rules.retargeting && bits !== rules.powLimitBits)) {
    throw new UserInputError(
      `block ${chosen} has bits 0x${bits.toString(16)}, which ${network} does not allow ` +
        `(limit 0x${rules.powLimitBits.toString(16)}): is ${esplora.baseUrl} a ${network} backend?`,
      "RELAY_WRONG_NETWORK",
    );
  }
  return {
    network,
    genesisHeight: chosen,
    genesisHash: block.hash,
    parameters: { LightRelay: { rules, genesisHeader: `0x${block.hex}`, genesisHeight: chosen } },
  };
}
