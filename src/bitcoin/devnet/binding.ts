import { getAddress, keccak256, toUtf8Bytes } from "ethers";

import type { BitcoinNetwork } from "../networks.js";
import type { ProofKind } from "../proof.js";
import { bindingMessage, proofDigest } from "../proof.js";
import type { WalletAddressType } from "./wallet.js";
import { DevnetWallet } from "./wallet.js";

export interface DevnetBindingInput {
  /** Devnet wallet name (the simulated user). */
  user: string;
  type: WalletAddressType;
  index?: number;
  chainId: bigint;
  oracle: string;
  evmUser: string;
  nonce: bigint;
  kind?: ProofKind;
  network?: BitcoinNetwork;
}

export interface DevnetBindingProof {
  user: string;
  type: WalletAddressType;
  path: string;
  address: string;
  message: string;
  signature: string;
  kind: ProofKind;
  /** keccak256(utf8(message) ‖ signature bytes): what the Oracle stores with the binding. */
  digest: string;
}

/** Builds the binding message for a devnet wallet address and signs it with the wallet's key. */
export function devnetBindingProof(input: DevnetBindingInput): DevnetBindingProof {
  const wallet = new DevnetWallet(input.user, input.network ?? "regtest");
  const index = input.index ?? 0;
  const { address, path } = wallet.address(input.type, index);
  const message = bindingMessage({
    chainId: input.chainId,
    oracle: input.oracle,
    user: input.evmUser,
    btcAddress: address,
    nonce: input.nonce,
  });
  const signed = wallet.signMessage(input.type, message, {
    index,
    ...(input.kind ? { kind: input.kind } : {}),
  });
  return {
    user: input.user,
    type: input.type,
    path,
    address,
    message,
    signature: signed.signature,
    kind: signed.kind,
    digest: proofDigest(message, signed.signature),
  };
}

/** The i-th simulated EVM user of a devnet population: an address derived from `seed` (no key: bindings need none). */
export function devnetEvmUser(seed: string, index: number): string {
  return getAddress(keccak256(toUtf8Bytes(`${seed}:${index}`)).slice(0, 42));
}

export interface DevnetBindingListInput {
  /** Devnet wallet whose addresses 0..count-1 are bound; also the seed of the EVM users. */
  wallet: string;
  count: number;
  type: WalletAddressType;
  chainId: bigint;
  oracle: string;
  network?: BitcoinNetwork;
}

/**
 * A bindings file for `count` devnet users (`btc:prove --count N --out FILE`, read by `oracle:bind --file`): user i
 * is `devnetEvmUser(wallet, i)`, bound to the i-th address of devnet wallet `wallet` with a real proof at binding
 * nonce 0 (a user not bound before). Public test keys: for the devnet only.
 */
export function devnetBindingList(
  input: DevnetBindingListInput,
): Array<{ user: string; btcAddress: string; signature: string }> {
  return Array.from({ length: input.count }, (_, index) => {
    const evmUser = devnetEvmUser(input.wallet, index);
    const proof = devnetBindingProof({
      user: input.wallet,
      type: input.type,
      index,
      chainId: input.chainId,
      oracle: input.oracle,
      evmUser,
      nonce: 0n,
      ...(input.network === undefined ? {} : { network: input.network }),
    });
    return { user: evmUser, btcAddress: proof.address, signature: proof.signature };
  });
}
