import { secp256k1 } from "@noble/curves/secp256k1.js";
import { ripemd160 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { base64, hex, utf8 } from "@scure/base";
import { RawTx, RawWitness, WIF } from "@scure/btc-signer";
import { BIP137, BIP322, Signer, Verifier } from "bip322-js";
import { getAddress } from "ethers";

import { UserInputError } from "../errors.js";
import { isEvmAddress } from "../evm-address.js";
import type { AddressType } from "./address.js";
import { parseAddress } from "./address.js";
import type { BitcoinNetwork } from "./networks.js";
import { networkParams } from "./networks.js";
import type { RawTransaction } from "./tx.js";
import { decodeRawTx } from "./tx.js";

/** The signature formats we accept as an ownership proof. */
export type ProofKind = "bip322-simple" | "bip322-full" | "bip137";

export interface BindingMessageInput {
  /** EVM chain id of the Oracle contract. */
  chainId: bigint;
  /** Oracle contract address (any case; printed checksummed). */
  oracle: string;
  /** The EVM account the Bitcoin address is bound to (any case; printed checksummed). */
  user: string;
  /** The Bitcoin address being bound, exactly as it will be stored on chain. */
  btcAddress: string;
  /** The user's binding nonce in the Oracle (replay protection across re-bindings). */
  nonce: bigint;
}

const BINDING_TITLE = "ReserveBTC address binding";

function proofError(message: string, code = "BTC_PROOF"): never {
  throw new UserInputError(message, code);
}

function checksummed(label: string, value: string): string {
  if (!isEvmAddress(value)) proofError(`invalid ${label} address "${value}"`, "EVM_ADDRESS");
  return getAddress(value);
}

/**
 * The text a wallet shows and signs to bind `btcAddress` to `user`. It commits to the chain id, the Oracle
 * contract, the user, the Bitcoin address and the nonce, one per line, so that a signature can never be
 * replayed on another chain, another deployment, for another user or for an earlier binding.
 */
export function bindingMessage(input: BindingMessageInput): string {
  if (input.chainId <= 0n) proofError(`chain id must be positive, got ${input.chainId}`);
  if (input.nonce < 0n) proofError(`nonce must not be negative, got ${input.nonce}`);
  const btcAddress = input.btcAddress.trim();
  if (btcAddress === "") proofError("empty bitcoin address");
  return [
    BINDING_TITLE,
    `Chain ID: ${input.chainId}`,
    `Oracle: ${checksummed("oracle", input.oracle)}`,
    `User: ${checksummed("user", input.user)}`,
    `Bitcoin address: ${btcAddress}`,
    `Nonce: ${input.nonce}`,
  ].join("\n");
}

/** Reads the fields back out of a binding message; throws when the text is not one. */
export function parseBindingMessage(message: string): BindingMessageInput {
  const lines = message.split("\n");
  const field = (index: number, label: string): string => {
    const line = lines[index];
    if (line === undefined || !line.startsWith(`${label}: `))
      proofError(`binding message: line ${index + 1} must start with "${label}: "`);
    return line.slice(label.length + 2);
  };
  if (lines[0] !== BINDING_TITLE || lines.length !== 6) proofError("not a ReserveBTC binding message");
  const parsed: BindingMessageInput = {
    chainId: BigInt(field(1, "Chain ID")),
    oracle: field(2, "Oracle"),
    user: field(3, "User"),
    btcAddress: field(4, "Bitcoin address"),
    nonce: BigInt(field(5, "Nonce")),
  };
  if (bindingMessage(parsed) !== message) proofError("binding message is not in canonical form");
  return parsed;
}

export interface VerifyOwnershipProofInput {
  message: string;
  btcAddress: string;
  /** Base64: a BIP-322 simple witness, a BIP-322 full `to_sign` transaction, or a 65-byte BIP-137 signature. */
  signature: string;
  network: BitcoinNetwork;
}

export interface OwnershipProofResult {
  valid: true;
  kind: ProofKind;
  /** Address type as parsed (`p2sh` means P2SH-P2WPKH for proofs). */
  addressType: AddressType;
}

function decodeSignature(signature: string): Uint8Array {
  const trimmed = signature.trim();
  if (trimmed === "") proofError("malformed signature: empty");
  try {
    return base64.decode(trimmed);
  } catch {
    return proofError("malformed signature: not valid base64");
  }
}

function isBip137(bytes: Uint8Array): boolean {
  const header = bytes[0] ?? 0;
  return bytes.length === 65 && header >= 27 && header <= 42;
}

/** A BIP-322 full proof is a serialized transaction (version 0 → first byte 0x00); a simple one starts with the witness item count. */
function isFullFormat(bytes: Uint8Array): boolean {
  return bytes.length > 10 && bytes[0] === 0x00;
}

/**
 * Checks a BIP-322 "full" proof: the serialized `to_sign` transaction must be exactly the canonical one
 * (version 0, one input spending `to_spend:0` with sequence 0, one zero-value OP_RETURN output, lock time 0;
 * for P2SH-P2WPKH the scriptSig pushes the redeem script). Proofs with time locks are rejected. Returns the
 * witness stack re-encoded as a simple proof, which is then verified by the simple verifier.
 */
function fullToSimple(
  bytes: Uint8Array,
  message: string,
  address: string,
  scriptPubKey: Uint8Array,
  type: AddressType,
): string {
  let tx: RawTransaction;
  try {
    tx = decodeRawTx(bytes);
  } catch (error) {
    proofError(`malformed signature: not a BIP-322 to_sign transaction (${(error as Error).message})`);
  }
  const toSpendTxid = BIP322.buildToSpendTx(message, Buffer.from(scriptPubKey)).getId();
  const input = tx.inputs[0];
  const output = tx.outputs[0];
  const witness = tx.witnesses?.[0];
  if (tx.version !== 0 || tx.lockTime !== 0)
    proofError("BIP-322 full proof: only version 0 and lock time 0 are supported");
  if (tx.inputs.length !== 1 || input === undefined)
    proofError("BIP-322 full proof: to_sign must have exactly one input");
  if (hex.encode(input.txid) !== toSpendTxid || input.index !== 0) {
    proofError(
      `signature does not match address ${address} (to_sign does not spend the message's to_spend)`,
      "BTC_PROOF_MISMATCH",
    );
  }
  if (input.sequence !== 0) proofError("BIP-322 full proof: only sequence 0 is supported");
  if (
    tx.outputs.length !== 1 ||
    output === undefined ||
    output.amount !== 0n ||
    hex.encode(output.script) !== "6a"
  ) {
    proofError("BIP-322 full proof: to_sign must have one zero-value OP_RETURN output");
  }
  if (!witness || witness.length === 0) proofError("malformed signature: BIP-322 full proof has no witness");
  if (type === "p2sh") {
    const pubkey = witness[1];
    if (pubkey === undefined) proofError("malformed signature: P2SH-P2WPKH witness needs a public key");
    const redeem = hex.encode(Uint8Array.of(0x16, 0x00, 0x14, ...ripemd160(sha256(pubkey))));
    if (hex.encode(input.finalScriptSig) !== redeem) {
      proofError(
        `signature does not match address ${address} (scriptSig is not the P2SH-P2WPKH redeem script)`,
        "BTC_PROOF_MISMATCH",
      );
    }
  } else if (input.finalScriptSig.length !== 0) {
    proofError("BIP-322 full proof: scriptSig must be empty for native segwit addresses");
  }
  return base64.encode(RawWitness.encode(witness));
}

/**
 * Verifies that `signature` proves control of `btcAddress` over `message`.
 *
 * Accepts BIP-322 simple and full proofs for P2WPKH, P2SH-P2WPKH and single-key P2TR (Verifier of bip322-js),
 * and legacy BIP-137 "Signed Message" signatures for P2PKH, P2SH-P2WPKH and P2WPKH (the header's address-type
 * flag is not enforced, as in Bitcoin Core for P2PKH and most wallets for segwit). Throws {@link UserInputError}:
 * "signature does not match address …" (code BTC_PROOF_MISMATCH) or "malformed signature: …".
 */
export function verifyOwnershipProof(input: VerifyOwnershipProofInput): OwnershipProofResult {
  const parsed = parseAddress(input.btcAddress, input.network);
  const bytes = decodeSignature(input.signature);
  const { type, address } = parsed;
  let kind: ProofKind;
  let simple = input.signature.trim();
  if (isBip137(bytes)) {
    if (type === "p2tr" || type === "p2wsh")
      proofError(`BIP-137 signatures cannot prove a ${type} address; use BIP-322`);
    kind = "bip137";
  } else if (type === "p2pkh") {
    proofError("malformed signature: p2pkh addresses need a 65-byte BIP-137 signature");
  } else if (type === "p2wsh") {
    proofError("ownership proofs for p2wsh addresses are not supported (use p2wpkh, p2sh-p2wpkh or p2tr)");
  } else if (isFullFormat(bytes)) {
    kind = "bip322-full";
    simple = fullToSimple(bytes, input.message, address, parsed.scriptPubKey, type);
  } else {
    kind = "bip322-simple";
  }
  let ok: boolean;
  try {
    ok = Verifier.verifySignature(address, input.message, simple);
  } catch (error) {
    proofError(`malformed signature: ${(error as Error).message}`);
  }
  if (!ok) proofError(`signature does not match address ${address}`, "BTC_PROOF_MISMATCH");
  return { valid: true, kind, addressType: type };
}

/**
 * The digest the Oracle stores with a binding: `keccak256(utf8(message) ‖ base64decode(signature))`, 0x-prefixed.
 * Anyone holding the public message and signature can recompute it and re-verify the proof off chain.
 */
export function proofDigest(message: string, signature: string): string {
  const sig = decodeSignature(signature);
  const data = new Uint8Array([...utf8.decode(message), ...sig]);
  return `0x${hex.encode(keccak_256(data))}`;
}

export interface SignOwnershipProofInput {
  message: string;
  btcAddress: string;
  /** 32-byte secp256k1 private key controlling `btcAddress` (devnet keys only). */
  privateKey: Uint8Array;
  network: BitcoinNetwork;
  /** Default: BIP-137 for p2pkh, BIP-322 simple otherwise. */
  kind?: ProofKind;
}

const BIP137_MAGIC = utf8.decode("\x18Bitcoin Signed Message:\n");

function varint(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >> 8);
  return Uint8Array.of(0xfe, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff);
}

/** BIP-137 header base per address type (compressed keys): P2PKH 31, P2SH-P2WPKH 35, P2WPKH 39. */
const BIP137_HEADER: Partial<Record<AddressType, number>> = { p2pkh: 31, p2sh: 35, p2wpkh: 39 };

function signBip137(message: string, privateKey: Uint8Array, type: AddressType): string {
  const base = BIP137_HEADER[type];
  if (base === undefined) proofError(`BIP-137 cannot sign for a ${type} address`);
  const body = utf8.decode(message);
  const hash = sha256(sha256(new Uint8Array([...BIP137_MAGIC, ...varint(body.length), ...body])));
  const recovered = secp256k1.sign(hash, privateKey, { prehash: false, format: "recovered" });
  const recovery = recovered[0] ?? 0;
  return base64.encode(Uint8Array.of(base + recovery, ...recovered.subarray(1)));
}

function simpleToFull(simple: string, message: string, scriptPubKey: Uint8Array, type: AddressType): string {
  const witness = RawWitness.decode(base64.decode(simple));
  const toSpendTxid = BIP322.buildToSpendTx(message, Buffer.from(scriptPubKey)).getId();
  const pubkey = witness[1];
  const scriptSig =
    type === "p2sh" && pubkey !== undefined
      ? Uint8Array.of(0x16, 0x00, 0x14, ...ripemd160(sha256(pubkey)))
      : new Uint8Array();
  const raw = RawTx.encode({
    version: 0,
    segwitFlag: true,
    inputs: [{ txid: hex.decode(toSpendTxid), index: 0, finalScriptSig: scriptSig, sequence: 0 }],
    outputs: [{ amount: 0n, script: Uint8Array.of(0x6a) }],
    witnesses: [witness],
    lockTime: 0,
  });
  return base64.encode(raw);
}

/**
 * Produces a real ownership proof for a devnet key. BIP-322 simple/full (bip322-js Signer) for P2WPKH,
 * P2SH-P2WPKH and P2TR; BIP-137 for P2PKH, P2SH-P2WPKH and P2WPKH. Returns the base64 signature.
 */
export function signOwnershipProof(input: SignOwnershipProofInput): { signature: string; kind: ProofKind } {
  const parsed = parseAddress(input.btcAddress, input.network);
  const kind: ProofKind = input.kind ?? (parsed.type === "p2pkh" ? "bip137" : "bip322-simple");
  if (kind === "bip137") return { signature: signBip137(input.message, input.privateKey, parsed.type), kind };
  if (parsed.type === "p2pkh" || parsed.type === "p2wsh")
    proofError(`BIP-322 signing is not supported for ${parsed.type} addresses`);
  const wif = WIF(networkParams(input.network)).encode(input.privateKey);
  let simple: string;
  try {
    simple = Signer.sign(wif, parsed.address, input.message);
  } catch (error) {
    proofError(`cannot sign for ${parsed.address}: ${(error as Error).message}`);
  }
  if (kind === "bip322-simple") return { signature: simple, kind };
  return { signature: simpleToFull(simple, input.message, parsed.scriptPubKey, parsed.type), kind };
}

/** True for a 65-byte BIP-137 signature (header 27–42). */
export function isBip137Signature(signature: string): boolean {
  return BIP137.isBIP137Signature(signature);
}
