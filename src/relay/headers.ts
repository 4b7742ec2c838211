/**
 * Header chains fetched from an Esplora backend and checked before anything is sent on chain: each header hashes to
 * the block hash the backend named for its height, meets the target its bits encode, and links to the one before.
 * A backend that lies, or whose chain moves during the reads (a reorg), is caught here, not by a reverted transaction.
 */
import type { EsploraClient } from "../bitcoin/esplora.js";
import { mapLimit } from "../bitcoin/esplora.js";
import { HEADER_SIZE, bitsToTarget, decodeHex, meetsTarget, parseHeader } from "../bitcoin/headers.js";
import type { BlockHeader } from "../bitcoin/headers.js";
import { BackendError, UserInputError } from "../errors.js";

/** One header of a fetched chain. */
export interface ChainHeader {
  height: number;
  hash: string;
  /** 80 bytes, hex. */
  hex: string;
  header: BlockHeader;
}

/** Headers `from`..`to` (inclusive), verified as a linked chain with valid proof of work. */
export async function fetchHeaderChain(
  esplora: EsploraClient,
  from: number,
  to: number,
): Promise<ChainHeader[]> {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from) {
    throw new UserInputError(`invalid header range ${from}..${to}`, "RELAY_RANGE");
  }
  const heights = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const chain = await mapLimit(heights, esplora.concurrency, async (height) => {
    const hash = await esplora.blockHashAt(height);
    const hex = await esplora.blockHeader(hash);
    return { height, hash, hex, header: parseHeader(hex) };
  });
  checkChain(chain, esplora.baseUrl);
  return chain;
}

/** Throws BackendError unless `chain` links hash to hash and every header meets its own target. */
export function checkChain(chain: readonly ChainHeader[], source: string): void {
  chain.forEach((h, i) => {
    if (!meetsTarget(h.hash, bitsToTarget(h.header.bits))) {
      throw new BackendError(
        `${source}: block ${h.height} (${h.hash}) does not meet its target`,
        "RELAY_BAD_HEADER",
      );
    }
    const prev = chain[i - 1];
    if (prev !== undefined && h.header.prevHash !== prev.hash) {
      throw new BackendError(
        `${source}: block ${h.height} does not build on block ${prev.height} (the backend's chain moved during the ` +
          `reads, or it answers inconsistently); retry`,
        "RELAY_CHAIN_MOVED",
      );
    }
  });
}

/** Concatenated 0x-hex of a chain's headers (the relay's `headers` argument). */
export function headersArgument(chain: readonly ChainHeader[]): string {
  return `0x${chain.map((h) => h.hex).join("")}`;
}

/** The headers of a 0x-hex `headers` argument. */
export function splitHeaders(headers: string): string[] {
  const bytes = decodeHex(headers, "headers");
  if (bytes.length % HEADER_SIZE !== 0)
    throw new UserInputError("headers are a multiple of 80 bytes", "RELAY_RANGE");
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += HEADER_SIZE)
    out.push(Buffer.from(bytes.subarray(i, i + HEADER_SIZE)).toString("hex"));
  return out;
}
