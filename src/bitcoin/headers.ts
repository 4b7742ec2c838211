/**
 * Bitcoin block headers: the 80-byte serialization, block hashes, compact targets ("bits"), work, difficulty
 * adjustment and nonce grinding. The arithmetic follows Bitcoin Core (`SetCompact`/`GetCompact`, `GetBlockProof`,
 * `CalculateNextWorkRequired`) and contracts/libraries/BitcoinHeaders.sol, so off-chain and on-chain agree bit for bit.
 *
 * Hashes are hex in display order (as explorers and Esplora print them: the reverse of the serialized bytes).
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { hex } from "@scure/base";

import { UserInputError } from "../errors.js";

/** Size of a serialized header. */
export const HEADER_SIZE = 80;
/** Blocks per difficulty epoch. */
export const RETARGET_INTERVAL = 2016;
/** Two weeks in seconds: the timespan an epoch should take. */
export const TARGET_TIMESPAN = 14 * 24 * 60 * 60;
/** Bitcoin Core's regtest proof-of-work limit (and the bits of every regtest block). */
export const REGTEST_BITS = 0x207fffff;
/** The target of difficulty 1 (bits 0x1d00ffff). */
export const DIFF1_TARGET = 0xffffn << 208n;

export interface BlockHeader {
  version: number;
  /** Display-order hex. */
  prevHash: string;
  /** Display-order hex. */
  merkleRoot: string;
  /** Unix seconds. */
  time: number;
  bits: number;
  nonce: number;
}

/** Double SHA-256. */
export function sha256d(bytes: Uint8Array): Uint8Array {
  return sha256(sha256(bytes));
}

/** Display-order hex of a double-SHA256: how Bitcoin prints txids and block hashes. */
export function hashHex(bytes: Uint8Array): string {
  return hex.encode(sha256d(bytes).reverse());
}

/** Internal-order bytes of a display-order hash. */
export function internalBytes(displayHex: string): Uint8Array {
  return hex.decode(displayHex).reverse();
}

/** Display-order hex of internal-order bytes. */
export function displayHex(internal: Uint8Array): string {
  return hex.encode(internal.slice().reverse());
}

function u32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

/** Serializes a header to its 80 bytes. */
export function serializeHeader(h: BlockHeader): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE);
  out.set(u32le(h.version), 0);
  out.set(internalBytes(h.prevHash), 4);
  out.set(internalBytes(h.merkleRoot), 36);
  out.set(u32le(h.time), 68);
  out.set(u32le(h.bits), 72);
  out.set(u32le(h.nonce), 76);
  return out;
}

/** Parses 80 header bytes (or 160 hex characters). */
export function parseHeader(input: Uint8Array | string): BlockHeader {
  const bytes = typeof input === "string" ? decodeHex(input, "block header") : input;
  if (bytes.length !== HEADER_SIZE) {
    throw new UserInputError(`a block header is ${HEADER_SIZE} bytes, got ${bytes.length}`, "BTC_HEADER");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    version: view.getUint32(0, true),
    prevHash: displayHex(bytes.subarray(4, 36)),
    merkleRoot: displayHex(bytes.subarray(36, 68)),
    time: view.getUint32(68, true),
    bits: view.getUint32(72, true),
    nonce: view.getUint32(76, true),
  };
}

/** The block hash of a serialized header (display order). */
export function headerHash(header: Uint8Array): string {
  return hashHex(header);
}

/** Decodes compact bits to a target; throws on a negative, overflowing or zero target (as Core's CheckProofOfWork). */
export function bitsToTarget(bits: number): bigint {
  const exponent = bits >>> 24;
  const mantissa = BigInt(bits & 0x007fffff);
  const negative = (bits & 0x00800000) !== 0 && mantissa !== 0n;
  const overflow =
    mantissa !== 0n &&
    (exponent > 34 || (mantissa > 0xffn && exponent > 33) || (mantissa > 0xffffn && exponent > 32));
  const target =
    exponent <= 3 ? mantissa >> BigInt(8 * (3 - exponent)) : mantissa << BigInt(8 * (exponent - 3));
  if (negative || overflow || target === 0n) {
    throw new UserInputError(`invalid compact target 0x${bits.toString(16).padStart(8, "0")}`, "BTC_HEADER");
  }
  return target;
}

/** Encodes a target as compact bits (Core's GetCompact). */
export function targetToBits(target: bigint): number {
  let size = 0;
  for (let v = target; v > 0n; v >>= 8n) size += 1;
  let compact = size <= 3 ? target << BigInt(8 * (3 - size)) : target >> BigInt(8 * (size - 3));
  if ((compact & 0x00800000n) !== 0n) {
    compact >>= 8n;
    size += 1;
  }
  return Number(compact | (BigInt(size) << 24n)) >>> 0;
}

/** Expected hashes to find a block at `target`: 2^256 / (target + 1), Core's GetBlockProof. */
export function workOf(target: bigint): bigint {
  const max = (1n << 256n) - 1n;
  return (max - target) / (target + 1n) + 1n;
}

/** Difficulty relative to difficulty 1 (bits 0x1d00ffff), as an integer like the relay reports it. */
export function difficultyOf(target: bigint): bigint {
  return DIFF1_TARGET / target;
}

/** True when the block hash (display hex) is at or below `target`. */
export function meetsTarget(blockHash: string, target: bigint): boolean {
  return BigInt(`0x${blockHash}`) <= target;
}

/** The bits of the epoch after one that started at `startTime` with `oldTarget` and ended at `endTime`. */
export function retargetBits(
  oldTarget: bigint,
  startTime: number,
  endTime: number,
  powLimit: bigint,
): number {
  let timespan = Math.max(0, endTime - startTime);
  timespan = Math.min(Math.max(timespan, TARGET_TIMESPAN / 4), TARGET_TIMESPAN * 4);
  let target = (oldTarget * BigInt(timespan)) / BigInt(TARGET_TIMESPAN);
  if (target > powLimit) target = powLimit;
  return targetToBits(target);
}

/**
 * Finds a nonce that gives `header` valid proof of work for its bits (trying `nonce` upward, then bumping the time
 * when all 2^32 nonces fail). Cheap at regtest difficulty (two tries on average); never use it at real difficulty.
 */
export function grindHeader(header: Omit<BlockHeader, "nonce"> & { nonce?: number }): {
  header: BlockHeader;
  bytes: Uint8Array;
  hash: string;
} {
  const target = bitsToTarget(header.bits);
  let candidate: BlockHeader = { ...header, nonce: header.nonce ?? 0 };
  for (;;) {
    const bytes = serializeHeader(candidate);
    const hash = headerHash(bytes);
    if (meetsTarget(hash, target)) return { header: candidate, bytes, hash };
    candidate =
      candidate.nonce === 0xffffffff
        ? { ...candidate, nonce: 0, time: candidate.time + 1 }
        : { ...candidate, nonce: candidate.nonce + 1 };
  }
}

/** Validates and decodes hex (optional 0x prefix). */
export function decodeHex(value: string, what: string): Uint8Array {
  const clean = value.startsWith("0x") ? value.slice(2) : value;
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new UserInputError(`${what} is not hex: ${JSON.stringify(value.slice(0, 40))}`, "BTC_HEX");
  }
  return hex.decode(clean.toLowerCase());
}
