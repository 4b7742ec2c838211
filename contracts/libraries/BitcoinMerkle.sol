// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title BitcoinMerkle — transaction inclusion in a block's Merkle tree
/// @notice A proof is the concatenation of the sibling hashes from the leaf up (32 bytes each, internal byte order),
///         as Electrum's `blockchain.transaction.get_merkle` and Esplora's `/tx/:txid/merkle-proof` list them (those
///         print each hash reversed). Each level hashes `sha256d(left ‖ right)`; bit `i` of the leaf's index says
///         whether the node is the right child at level `i`.
/// @dev The 64-byte transaction pitfall: an inner node is `sha256d` of 64 bytes, so a 64-byte "transaction" made of two
///      child hashes can pose as a leaf one level below the real leaves. Two checks close it, and {LightRelay} makes
///      both: the block's coinbase verified at index 0 with a proof of the same depth as the transaction's (a real
///      leaf fixes the tree's depth: every Bitcoin leaf sits at the same depth), and the transaction parser
///      ({BitcoinTx}) rejecting 64-byte transactions outright.
library BitcoinMerkle {
    /// @notice The deepest tree accepted: 2^24 leaves is far above what a 4-million-weight block can hold.
    uint256 internal constant MAX_DEPTH = 24;

    /// @notice The proof is not a whole number of 32-byte hashes, or deeper than `MAX_DEPTH`.
    error BitcoinMerkleProofLength(uint256 length);
    /// @notice The leaf index does not fit the proof's depth.
    error BitcoinMerkleIndexOutOfRange(uint256 index, uint256 depth);
    /// @notice The transaction's and the coinbase's proofs differ in depth (bytes).
    error BitcoinMerkleDepthMismatch(uint256 txProofLength, uint256 coinbaseProofLength);
    /// @notice The coinbase does not hash up to the Merkle root at index 0.
    error BitcoinMerkleCoinbaseNotIncluded(bytes32 coinbaseTxid);
    /// @notice The transaction does not hash up to the Merkle root at `index`.
    error BitcoinMerkleTxNotIncluded(bytes32 txid, uint256 index);

    /// @notice The root reached from `leaf` at position `index` through `proof`.
    /// @dev Requirements: `proof.length` is a multiple of 32 and at most `32 × MAX_DEPTH`; `index < 2^depth`.
    function computeRoot(bytes32 leaf, bytes calldata proof, uint256 index) internal view returns (bytes32 node) {
        uint256 length = proof.length;
        if (length % 32 != 0 || length > 32 * MAX_DEPTH) revert BitcoinMerkleProofLength(length);
        uint256 depth = length / 32;
        if (index >> depth != 0) revert BitcoinMerkleIndexOutOfRange(index, depth);
        node = leaf;
        assembly ("memory-safe") {
            // Scratch space past the free memory pointer (never allocated): 64 bytes for left ‖ right.
            let ptr := mload(0x40)
            let position := index
            for {
                let offset := 0
            } lt(offset, length) {
                offset := add(offset, 32)
            } {
                let sibling := calldataload(add(proof.offset, offset))
                switch and(position, 1)
                case 0 {
                    mstore(ptr, node)
                    mstore(add(ptr, 32), sibling)
                }
                default {
                    mstore(ptr, sibling)
                    mstore(add(ptr, 32), node)
                }
                if iszero(staticcall(gas(), 0x02, ptr, 64, ptr, 32)) {
                    revert(0, 0)
                }
                if iszero(staticcall(gas(), 0x02, ptr, 32, ptr, 32)) {
                    revert(0, 0)
                }
                node := mload(ptr)
                position := shr(1, position)
            }
        }
    }

    /// @notice True when `leaf` at `index` hashes up to `root` through `proof`.
    function verify(bytes32 leaf, bytes32 root, bytes calldata proof, uint256 index) internal view returns (bool) {
        return computeRoot(leaf, proof, index) == root;
    }

    /// @notice Reverts unless `txid` at `index` and the block's coinbase `coinbaseTxid` at index 0 both hash up to
    ///         `root`, through proofs of the same depth.
    /// @dev The caller must have checked that `coinbaseTxid` is the txid of a well-formed coinbase (see
    ///      {BitcoinTx.coinbaseTxid}): that real leaf pins the tree's depth, so `txid` cannot be an inner node.
    function checkInclusion(
        bytes32 txid,
        uint256 index,
        bytes calldata proof,
        bytes32 coinbaseTxid,
        bytes calldata coinbaseProof,
        bytes32 root
    ) internal view {
        if (proof.length != coinbaseProof.length) revert BitcoinMerkleDepthMismatch(proof.length, coinbaseProof.length);
        if (!verify(coinbaseTxid, root, coinbaseProof, 0)) revert BitcoinMerkleCoinbaseNotIncluded(coinbaseTxid);
        if (!verify(txid, root, proof, index)) revert BitcoinMerkleTxNotIncluded(txid, index);
    }
}
