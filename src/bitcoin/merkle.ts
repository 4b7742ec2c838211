/**
 * Block Merkle trees: the root of a block's txids, a transaction's branch (Esplora's `/tx/:txid/merkle-proof`,
 * Electrum's `blockchain.transaction.get_merkle` format: sibling hashes in display order, leaf upward) and the root a
 * branch leads to. An odd level pairs its last node with itself, as Bitcoin does.
 */
import { hex } from "@scure/base";

import { UserInputError } from "../errors.js";
import { displayHex, internalBytes, sha256d } from "./headers.js";

function pair(left: Uint8Array, right: Uint8Array): Uint8Array {
  const joined = new Uint8Array(64);
  joined.set(left, 0);
  joined.set(right, 32);
  return sha256d(joined);
}

/** Levels of the tree, leaves first (internal byte order). */
function levels(txids: readonly string[]): Uint8Array[][] {
  if (txids.length === 0) throw new UserInputError("a block has at least one transaction", "BTC_MERKLE");
  const all: Uint8Array[][] = [txids.map(internalBytes)];
  for (let level = all[0] as Uint8Array[]; level.length > 1;) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i] as Uint8Array;
      next.push(pair(left, level[i + 1] ?? left));
    }
    all.push(next);
    level = next;
  }
  return all;
}

/** The Merkle root (display hex) of a block's txids (display hex, in block order). */
export function merkleRoot(txids: readonly string[]): string {
  const all = levels(txids);
  return displayHex((all[all.length - 1] as Uint8Array[])[0] as Uint8Array);
}

/** The branch of the transaction at `index`: sibling hashes, display hex, from the leaf up. */
export function merkleBranch(txids: readonly string[], index: number): string[] {
  if (!Number.isInteger(index) || index < 0 || index >= txids.length) {
    throw new UserInputError(
      `transaction index ${index} is outside the block (${txids.length} txs)`,
      "BTC_MERKLE",
    );
  }
  const branch: string[] = [];
  let position = index;
  for (const level of levels(txids).slice(0, -1)) {
    // The rule misreads the contextual type of `??`: without the assertion tsc sees `Uint8Array | undefined` here.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    const sibling = level[position ^ 1] ?? (level[position] as Uint8Array);
    branch.push(displayHex(sibling));
    position >>= 1;
  }
  return branch;
}

/** The root (display hex) that `txid` at `index` reaches through `branch` (display hex). */
export function rootFromBranch(txid: string, branch: readonly string[], index: number): string {
  let node = internalBytes(txid);
  let position = index;
  for (const sibling of branch) {
    const s = internalBytes(sibling);
    node = position & 1 ? pair(s, node) : pair(node, s);
    position >>= 1;
  }
  return displayHex(node);
}

/** A branch as the relay takes it: the siblings' internal-order bytes, concatenated, as 0x-hex. */
export function branchToProof(branch: readonly string[]): string {
  return `0x${branch.map((h) => hex.encode(internalBytes(h))).join("")}`;
}

/** The inverse of {@link branchToProof}. */
export function proofToBranch(proof: string): string[] {
  const bytes = hex.decode(proof.startsWith("0x") ? proof.slice(2) : proof);
  if (bytes.length % 32 !== 0)
    throw new UserInputError("a Merkle proof is a multiple of 32 bytes", "BTC_MERKLE");
  const branch: string[] = [];
  for (let i = 0; i < bytes.length; i += 32) branch.push(displayHex(bytes.subarray(i, i + 32)));
  return branch;
}
