import { sha256 } from "@noble/hashes/sha2.js";
import { utf8 } from "@scure/base";
import { HDKey } from "@scure/bip32";
import { p2pkh, p2sh, p2tr, p2wpkh } from "@scure/btc-signer";

import { UserInputError } from "../../errors.js";
import type { BitcoinNetwork } from "../networks.js";
import { coinType, networkParams } from "../networks.js";
import type { ProofKind } from "../proof.js";
import { signOwnershipProof } from "../proof.js";

/** Address types a devnet wallet derives, with the BIP that fixes their derivation path. */
export type WalletAddressType = "p2wpkh" | "p2tr" | "p2sh-p2wpkh" | "p2pkh";

export const WALLET_ADDRESS_TYPES: readonly WalletAddressType[] = ["p2wpkh", "p2tr", "p2sh-p2wpkh", "p2pkh"];

/** BIP-84 (p2wpkh), BIP-86 (p2tr), BIP-49 (p2sh-p2wpkh), BIP-44 (p2pkh) purposes. */
const PURPOSE: Record<WalletAddressType, number> = { p2wpkh: 84, p2tr: 86, "p2sh-p2wpkh": 49, p2pkh: 44 };

export interface WalletAddress {
  type: WalletAddressType;
  address: string;
  /** BIP-32 path, e.g. m/84'/1'/0'/0/0. */
  path: string;
  /** 33-byte compressed public key (hex). */
  publicKey: string;
}

export function parseWalletAddressType(value: string): WalletAddressType {
  if (!(WALLET_ADDRESS_TYPES as readonly string[]).includes(value)) {
    throw new UserInputError(
      `unknown address type "${value}" (expected one of ${WALLET_ADDRESS_TYPES.join(", ")})`,
      "BTC_ADDRESS_TYPE",
    );
  }
  return value as WalletAddressType;
}

/**
 * A deterministic HD wallet for one simulated user. The seed is `sha256("reservebtc-devnet:" + name)`,
 * so the same name always yields the same keys: NEVER use these keys for real funds.
 */
export class DevnetWallet {
  readonly name: string;
  readonly network: BitcoinNetwork;
  readonly #root: HDKey;

  constructor(name: string, network: BitcoinNetwork = "regtest") {
    if (name.trim() === "") throw new UserInputError("wallet name must not be empty", "BTC_WALLET");
    this.name = name;
    this.network = network;
    this.#root = HDKey.fromMasterSeed(sha256(utf8.decode(`reservebtc-devnet:${name}`)));
  }

  path(type: WalletAddressType, index = 0): string {
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** 31) {
      throw new UserInputError(`invalid address index ${index}`, "BTC_WALLET");
    }
    return `m/${PURPOSE[type]}'/${coinType(this.network)}'/0'/0/${index}`;
  }

  #key(type: WalletAddressType, index: number): { privateKey: Uint8Array; publicKey: Uint8Array } {
    const node = this.#root.derive(this.path(type, index));
    if (!node.privateKey || !node.publicKey)
      throw new Error(`derivation failed at ${this.path(type, index)}`);
    return { privateKey: node.privateKey, publicKey: node.publicKey };
  }

  /** The address of `type` at receive index `index`. */
  address(type: WalletAddressType, index = 0): WalletAddress {
    const { publicKey } = this.#key(type, index);
    const net = networkParams(this.network);
    let address: string | undefined;
    switch (type) {
      case "p2wpkh":
        address = p2wpkh(publicKey, net).address;
        break;
      case "p2tr":
        address = p2tr(publicKey.subarray(1), undefined, net).address;
        break;
      case "p2sh-p2wpkh":
        address = p2sh(p2wpkh(publicKey, net), net).address;
        break;
      case "p2pkh":
        address = p2pkh(publicKey, net).address;
        break;
    }
    if (address === undefined) throw new Error(`could not encode a ${type} address`);
    return { type, address, path: this.path(type, index), publicKey: Buffer.from(publicKey).toString("hex") };
  }

  /** Signs `message` with the key of the address; BIP-137 for p2pkh, BIP-322 simple otherwise by default. */
  signMessage(type: WalletAddressType, message: string, options: { index?: number; kind?: ProofKind } = {}) {
    const index = options.index ?? 0;
    const { address } = this.address(type, index);
    const { privateKey } = this.#key(type, index);
    const { signature, kind } = signOwnershipProof({
      message,
      btcAddress: address,
      privateKey,
      network: this.network,
      ...(options.kind ? { kind: options.kind } : {}),
    });
    return { address, signature, kind };
  }
}
