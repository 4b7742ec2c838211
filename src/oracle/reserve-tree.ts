/**
 * The reserve Merkle tree, as ProofOfReserves verifies it with OpenZeppelin's `MerkleProof`: one leaf per bound
 * address, `keccak256(bytes.concat(keccak256(abi.encode(user, btcAddress, sats))))` (double-hashed, so a leaf can
 * never be mistaken for an inner node), inner nodes `keccak256` of the sorted pair. Leaves are sorted by hash, so the
 * root depends only on the set of leaves, never on the order the runner read them in. An odd node at the end of a
 * level moves up unchanged. The empty tree's root is zero.
 */
import { AbiCoder, concat, getAddress, keccak256 } from "ethers";

/** One reserve leaf: a bound address and its confirmed balance. */
export interface ReserveLeaf {
  readonly user: string;
  readonly btcAddress: string;
  readonly sats: bigint;
}

const coder = AbiCoder.defaultAbiCoder();
const ZERO_ROOT = "0x" + "00".repeat(32);

/** The leaf hash of (user, btcAddress, sats), equal to `ProofOfReserves.leafHash`. */
export function leafHash(leaf: ReserveLeaf): string {
  const inner = keccak256(
    coder.encode(["address", "string", "uint64"], [getAddress(leaf.user), leaf.btcAddress, leaf.sats]),
  );
  return keccak256(inner);
}

/** `keccak256` of the sorted pair (OpenZeppelin `Hashes.commutativeKeccak256`). */
export function hashPair(a: string, b: string): string {
  return BigInt(a) < BigInt(b) ? keccak256(concat([a, b])) : keccak256(concat([b, a]));
}

/** A built tree: its root and each leaf's proof. */
export class ReserveTree {
  /** levels[0] are the sorted leaf hashes; the last level holds the root. */
  private readonly levels: string[][];

  constructor(readonly leaves: readonly ReserveLeaf[]) {
    const hashes = leaves
      .map(leafHash)
      .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
    this.levels = [hashes];
    let level = hashes;
    while (level.length > 1) {
      const next: string[] = [];
      for (let i = 0; i < level.length; i += 2) {
        const left = level[i] as string;
        const right = level[i + 1];
        next.push(right === undefined ? left : hashPair(left, right));
      }
      this.levels.push(next);
      level = next;
    }
  }

  /** The root (zero for an empty tree). */
  get root(): string {
    const top = this.levels[this.levels.length - 1];
    return top?.[0] ?? ZERO_ROOT;
  }

  /** Sum of the leaves' sats. */
  get totalSats(): bigint {
    return this.leaves.reduce((sum, leaf) => sum + leaf.sats, 0n);
  }

  /** The inclusion proof of `leaf` (sibling hashes bottom-up), or undefined when it is not a leaf. */
  proof(leaf: ReserveLeaf): string[] | undefined {
    const hash = leafHash(leaf);
    let index = this.levels[0]?.indexOf(hash) ?? -1;
    if (index < 0) return undefined;
    const proof: string[] = [];
    for (let depth = 0; depth < this.levels.length - 1; depth++) {
      const level = this.levels[depth] as string[];
      const sibling = level[index ^ 1];
      if (sibling !== undefined) proof.push(sibling);
      index = Math.floor(index / 2);
    }
    return proof;
  }
}

/** Recomputes a root from a leaf and its proof (what `MerkleProof.verify` does). */
export function processProof(leaf: ReserveLeaf, proof: readonly string[]): string {
  return proof.reduce((node, sibling) => hashPair(node, sibling), leafHash(leaf));
}
