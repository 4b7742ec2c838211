import { ZeroAddress, getAddress, isAddress } from "ethers";

import type { Oracle } from "../../types/ethers-contracts/index.js";
import { parseAddress } from "../bitcoin/address.js";
import type { BitcoinNetwork } from "../bitcoin/networks.js";
import type { ProofKind } from "../bitcoin/proof.js";
import { bindingMessage, proofDigest, verifyOwnershipProof } from "../bitcoin/proof.js";
import { UserInputError } from "../errors.js";
import type { Committee } from "./committee.js";
import { deadlineFrom } from "./deadline.js";

/** How long the committee's binding approval stays valid (capped by the Oracle's maxReportValiditySeconds). */
export const BINDING_APPROVAL_SECONDS = 600n;

export interface BindInput {
  user: string;
  btcAddress: string;
  /** Base64 BIP-322 (simple or full) or BIP-137 signature over `bindingMessage(...)`. */
  signature: string;
  network: BitcoinNetwork;
}

export interface BindResult {
  user: string;
  btcAddress: string;
  nonce: bigint;
  proofKind: ProofKind;
  proofDigest: string;
  message: string;
  txHash: string;
  blockNumber: number;
  gasUsed: bigint;
}

/** The message `user` must sign with `btcAddress` to bind it now (chain id, Oracle, user, address, nonce). */
export async function pendingBindingMessage(
  oracle: Oracle,
  user: string,
  btcAddress: string,
): Promise<string> {
  const provider = oracle.runner?.provider;
  if (provider == null) throw new Error("oracle contract has no provider");
  const { chainId } = await provider.getNetwork();
  const nonce = await oracle.bindingNonce(user);
  return bindingMessage({ chainId, oracle: await oracle.getAddress(), user, btcAddress, nonce });
}

/**
 * Binds a BTC address: checks the address and that nobody holds it, verifies the ownership proof against the
 * message for this chain, Oracle, user and nonce (so a proof made for another chain, contract or user fails here),
 * collects the committee's threshold approval and submits it. Nothing is sent unless every check passed.
 */
export async function bindAddress(
  oracle: Oracle,
  committee: Committee,
  input: BindInput,
): Promise<BindResult> {
  if (!isAddress(input.user) || input.user === ZeroAddress) {
    throw new UserInputError(`invalid user address "${input.user}"`, "EVM_ADDRESS");
  }
  const user = getAddress(input.user);
  const btcAddress = parseAddress(input.btcAddress.trim(), input.network).address;
  const owner = await oracle.ownerOfBtcAddress(btcAddress);
  if (owner !== ZeroAddress) {
    throw new UserInputError(
      owner === user
        ? `${btcAddress} is already bound to ${user}`
        : `${btcAddress} is already bound to another user (${owner})`,
      "ALREADY_BOUND",
    );
  }
  const message = await pendingBindingMessage(oracle, user, btcAddress);
  let proofKind: ProofKind;
  try {
    proofKind = verifyOwnershipProof({
      message,
      btcAddress,
      signature: input.signature,
      network: input.network,
    }).kind;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserInputError(
      `ownership proof rejected: ${reason} (it must sign the binding message for this chain, Oracle, user and ` +
        `nonce — print it with oracle:bind --print-message)`,
      "BAD_PROOF",
    );
  }
  const nonce = await oracle.bindingNonce(user);
  const provider = oracle.runner?.provider;
  const latest = await provider?.getBlock("latest");
  if (latest == null) throw new Error("the chain returned no latest block");
  const [validity] = await oracle.staleness();
  const lifetime = BigInt(validity) < BINDING_APPROVAL_SECONDS ? BigInt(validity) : BINDING_APPROVAL_SECONDS;
  const request = {
    user,
    btcAddress,
    proofDigest: proofDigest(message, input.signature),
    nonce,
    deadline: deadlineFrom(latest.timestamp, lifetime),
  };
  const signatures = await committee.signBinding(oracle, request, { signature: input.signature });
  const tx = await oracle.bindAddress(request, signatures);
  const receipt = await tx.wait();
  if (receipt == null) throw new Error(`binding transaction ${tx.hash} has no receipt`);
  return {
    user,
    btcAddress,
    nonce,
    proofKind,
    proofDigest: request.proofDigest,
    message,
    txHash: receipt.hash,
    blockNumber: receipt.blockNumber,
    gasUsed: receipt.gasUsed,
  };
}
