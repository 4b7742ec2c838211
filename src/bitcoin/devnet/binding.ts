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
