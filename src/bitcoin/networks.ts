import { NETWORK, TEST_NETWORK } from "@scure/btc-signer";

import { UserInputError } from "../errors.js";

/** The Bitcoin networks ReserveBTC understands. Signet shares testnet's address encoding. */
export type BitcoinNetwork = "mainnet" | "testnet" | "signet" | "regtest";

export const BITCOIN_NETWORKS: readonly BitcoinNetwork[] = ["mainnet", "testnet", "signet", "regtest"];

/** Network parameters in the shape @scure/btc-signer expects. */
export interface BtcSignerNetwork {
  bech32: string;
  pubKeyHash: number;
  scriptHash: number;
  wif: number;
}

const REGTEST_NETWORK: BtcSignerNetwork = { ...TEST_NETWORK, bech32: "bcrt" };

const PARAMS: Record<BitcoinNetwork, BtcSignerNetwork> = {
  mainnet: NETWORK,
  testnet: TEST_NETWORK,
  signet: TEST_NETWORK,
  regtest: REGTEST_NETWORK,
};

/** @scure/btc-signer parameters (bech32 HRP, base58 version bytes, WIF prefix) of a network. */
export function networkParams(network: BitcoinNetwork): BtcSignerNetwork {
  return PARAMS[network];
}

/** BIP-44 coin type: 0 on mainnet, 1 on every test network. */
export function coinType(network: BitcoinNetwork): number {
  return network === "mainnet" ? 0 : 1;
}

export function isBitcoinNetwork(value: string): value is BitcoinNetwork {
  return (BITCOIN_NETWORKS as readonly string[]).includes(value);
}

/** Validates a user-supplied network name. */
export function parseNetwork(value: string): BitcoinNetwork {
  if (!isBitcoinNetwork(value)) {
    throw new UserInputError(
      `unknown bitcoin network "${value}" (expected one of ${BITCOIN_NETWORKS.join(", ")})`,
      "BTC_NETWORK",
    );
  }
  return value;
}
