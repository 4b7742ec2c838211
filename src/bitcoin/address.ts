import { sha256 } from "@noble/hashes/sha2.js";
import { base58, bech32, bech32m, createBase58check } from "@scure/base";
import { Address, OutScript } from "@scure/btc-signer";

import { UserInputError } from "../errors.js";
import { badInput } from "../input.js";
import type { InputOrigin } from "../input.js";
import type { BitcoinNetwork } from "./networks.js";
import { networkParams } from "./networks.js";

/** Output script types an address can encode. `p2sh` covers P2SH-P2WPKH (indistinguishable by address). */
export type AddressType = "p2pkh" | "p2sh" | "p2wpkh" | "p2wsh" | "p2tr";

export interface ParsedAddress {
  /** Canonical form: bech32 addresses lower-cased, base58 addresses as given. */
  address: string;
  network: BitcoinNetwork;
  type: AddressType;
  /** The output script that pays this address. */
  scriptPubKey: Uint8Array;
}

const base58check = createBase58check(sha256);

/** Bech32 human-readable part per network family (BIP-173). */
const HRP_FAMILY: Record<string, "mainnet" | "testnet" | "regtest"> = {
  bc: "mainnet",
  tb: "testnet",
  bcrt: "regtest",
};
/** Base58 version byte → (family, type) (BIP-13 / Bitcoin Core chainparams). */
const BASE58_VERSIONS: Record<number, { family: "mainnet" | "testnet"; type: "p2pkh" | "p2sh" }> = {
  0x00: { family: "mainnet", type: "p2pkh" },
  0x05: { family: "mainnet", type: "p2sh" },
  0x6f: { family: "testnet", type: "p2pkh" },
  0xc4: { family: "testnet", type: "p2sh" },
};
const BECH32_CHARSET = /^[qpzry9x8gf2tvdw0s3jn54khce6mua7l]*$/;
const BASE58_CHARSET = /^[1-9A-HJ-NP-Za-km-z]+$/;

function invalid(message: string): never {
  throw new UserInputError(message, "BTC_ADDRESS");
}

/** Which address families a network accepts: signet and testnet share encodings; regtest uses testnet base58. */
function acceptsFamily(
  network: BitcoinNetwork,
  family: "mainnet" | "testnet" | "regtest",
  bech: boolean,
): boolean {
  switch (network) {
    case "mainnet":
      return family === "mainnet";
    case "testnet":
    case "signet":
      return family === "testnet";
    case "regtest":
      return bech ? family === "regtest" : family === "testnet";
  }
}

/**
 * Parses and validates a Bitcoin address for one network.
 *
 * Requirements: P2PKH, P2SH, P2WPKH, P2WSH or P2TR; bech32 for witness v0 and bech32m for v1 (BIP-350);
 * the address's network must match `network`. Throws {@link UserInputError} naming the problem — and, given
 * `input`, the flag or parameter it came from.
 */
export function parseAddress(address: string, network: BitcoinNetwork, input?: AddressInput): ParsedAddress {
  if (input === undefined) return parseAny(address, network);
  try {
    return parseAny(address, network);
  } catch (error) {
    if (!(error instanceof UserInputError) || error.code !== "BTC_ADDRESS") throw error;
    throw badInput(
      input.name,
      input.origin ?? "flag",
      `not a valid ${network} address (${error.message})`,
      error.code,
    );
  }
}

/** The input an address came from, named in the error: `--address: not a valid regtest address (…)`. */
export interface AddressInput {
  /** The flag or parameter name (`address`, `btcAddress`). */
  name: string;
  origin?: InputOrigin;
}

function parseAny(address: string, network: BitcoinNetwork): ParsedAddress {
  if (typeof address !== "string" || address.trim() === "") invalid("empty bitcoin address");
  const input = address.trim();
  const lower = input.toLowerCase();
  const sep = lower.lastIndexOf("1");
  const hrp = sep > 0 ? lower.slice(0, sep) : "";
  const looksBech32 = hrp in HRP_FAMILY || (sep > 0 && !BASE58_CHARSET.test(input));
  return looksBech32 ? parseBech32(input, lower, hrp, network) : parseBase58(input, network);
}

function parseBech32(input: string, lower: string, hrp: string, network: BitcoinNetwork): ParsedAddress {
  if (input !== lower && input !== input.toUpperCase()) invalid("bech32 address mixes upper and lower case");
  const family = HRP_FAMILY[hrp];
  if (family === undefined) invalid(`unknown bech32 prefix "${hrp}"`);
  const data = lower.slice(hrp.length + 1);
  const bad = [...data].find((c) => !BECH32_CHARSET.test(c));
  if (bad !== undefined) invalid(`invalid bech32 character "${bad}"`);
  if (lower.length > 90) invalid(`bech32 address too long (${lower.length} > 90 characters)`);
  if (!acceptsFamily(network, family, true)) invalid(`${family} address on ${network}`);

  const asBech32 = bech32.decodeUnsafe(lower, 90);
  const asBech32m = asBech32 ? undefined : bech32m.decodeUnsafe(lower, 90);
  const decoded = asBech32 ?? asBech32m;
  if (!decoded) invalid("bech32 checksum invalid");
  const [version, ...programWords] = decoded.words;
  if (version === undefined) invalid("bech32 address has no witness version");
  if (version > 16) invalid(`invalid witness version ${version}`);
  if (version === 0 && !asBech32) invalid("witness v0 address must use bech32, not bech32m (BIP-350)");
  if (version >= 1 && !asBech32m)
    invalid(`witness v${version} address must use bech32m, not bech32 (BIP-350)`);
  const program = bech32.fromWordsUnsafe(programWords);
  if (!program) invalid("invalid bech32 padding");

  let type: AddressType;
  if (version === 0) {
    if (program.length === 20) type = "p2wpkh";
    else if (program.length === 32) type = "p2wsh";
    else invalid(`invalid witness v0 program length ${program.length} (expected 20 or 32 bytes)`);
  } else if (version === 1) {
    if (program.length !== 32)
      invalid(`unsupported witness v1 program length ${program.length} (expected 32)`);
    type = "p2tr";
  } else {
    invalid(`unsupported witness version ${version}`);
  }
  return finish(lower, network, type);
}

function parseBase58(input: string, network: BitcoinNetwork): ParsedAddress {
  if (!BASE58_CHARSET.test(input)) {
    const bad = [...input].find((c) => !BASE58_CHARSET.test(c));
    invalid(`invalid base58 character "${bad ?? ""}"`);
  }
  let payload: Uint8Array;
  try {
    payload = base58check.decode(input);
  } catch {
    // distinguish a wrong checksum from garbage that is not even 4 bytes long
    const raw = base58.decode(input);
    if (raw.length < 5) invalid("base58 address too short");
    invalid("base58 checksum invalid");
  }
  if (payload.length !== 21)
    invalid(`invalid base58 address length (${payload.length - 1}-byte hash, expected 20)`);
  const versionByte = payload[0] ?? -1;
  const kind = BASE58_VERSIONS[versionByte];
  if (kind === undefined)
    invalid(`unknown base58 address version 0x${versionByte.toString(16).padStart(2, "0")}`);
  if (!acceptsFamily(network, kind.family, false)) invalid(`${kind.family} address on ${network}`);
  return finish(input, network, kind.type);
}

/** Cross-checks with @scure/btc-signer's decoder and builds the output script. */
function finish(address: string, network: BitcoinNetwork, type: AddressType): ParsedAddress {
  let scriptPubKey: Uint8Array;
  try {
    scriptPubKey = OutScript.encode(Address(networkParams(network)).decode(address));
  } catch (error) {
    invalid(`invalid ${type} address: ${(error as Error).message}`);
  }
  return { address, network, type, scriptPubKey };
}

/** True when `address` parses on `network`. */
export function isValidAddress(address: string, network: BitcoinNetwork): boolean {
  try {
    parseAddress(address, network);
    return true;
  } catch {
    return false;
  }
}
