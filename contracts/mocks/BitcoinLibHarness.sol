// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILightRelay} from "../interfaces/ILightRelay.sol";
import {BitcoinHeaders} from "../libraries/BitcoinHeaders.sol";
import {BitcoinMerkle} from "../libraries/BitcoinMerkle.sol";
import {BitcoinTx} from "../libraries/BitcoinTx.sol";

/// @title BitcoinLibHarness — TEST ONLY: the Bitcoin libraries' internal functions as external calls
/// @notice Lets tests run real mainnet transactions, headers and Merkle proofs through exactly the code the relay uses.
contract BitcoinLibHarness {
    /// @notice A header's hash is above its own target.
    error HarnessInsufficientProofOfWork(bytes32 blockHash);
    /// @notice Not one 80-byte header.
    error HarnessHeaderLength(uint256 length);

    /// @notice {BitcoinTx.parse}.
    function parse(bytes calldata raw) external pure returns (BitcoinTx.Transaction memory) {
        return BitcoinTx.parse(raw);
    }

    /// @notice {BitcoinTx.txid}.
    function txid(bytes calldata raw) external pure returns (bytes32) {
        return BitcoinTx.txid(raw);
    }

    /// @notice {BitcoinTx.coinbaseTxid}.
    function coinbaseTxid(bytes calldata raw) external pure returns (bytes32) {
        return BitcoinTx.coinbaseTxid(raw);
    }

    /// @notice {BitcoinMerkle.computeRoot}.
    function computeRoot(bytes32 leaf, bytes calldata proof, uint256 index) external view returns (bytes32) {
        return BitcoinMerkle.computeRoot(leaf, proof, index);
    }

    /// @notice The relay's inclusion check against one header (`proof.headers` is that header; `blockIndex` is
    ///         ignored): the header's own proof of work, a well-formed transaction and coinbase, and both Merkle proofs
    ///         to the header's root. No epoch or work rule: that is the relay's part.
    function verifyInHeader(ILightRelay.TxProof calldata proof) external view returns (bytes32 id, bytes32 blockHash) {
        blockHash = headerHash(proof.headers);
        id = BitcoinTx.txid(proof.transaction);
        bytes32 root = BitcoinHeaders.merkleRootAt(proof.headers, 0);
        BitcoinMerkle.checkInclusion(
            id,
            proof.txIndex,
            proof.merkleProof,
            BitcoinTx.coinbaseTxid(proof.coinbase),
            proof.coinbaseProof,
            root
        );
    }

    /// @notice The block hash of one header, reverting unless it meets its own target.
    function headerHash(bytes calldata header) public view returns (bytes32 blockHash) {
        if (header.length != BitcoinHeaders.HEADER_SIZE) revert HarnessHeaderLength(header.length);
        blockHash = BitcoinHeaders.digestAt(header, 0);
        uint256 target = BitcoinHeaders.bitsToTarget(BitcoinHeaders.bitsAt(header, 0));
        if (!BitcoinHeaders.meetsTarget(blockHash, target)) revert HarnessInsufficientProofOfWork(blockHash);
    }

    /// @notice {BitcoinHeaders.bitsToTarget}.
    function bitsToTarget(uint32 bits) external pure returns (uint256) {
        return BitcoinHeaders.bitsToTarget(bits);
    }

    /// @notice {BitcoinHeaders.targetToBits}.
    function targetToBits(uint256 target) external pure returns (uint32) {
        return BitcoinHeaders.targetToBits(target);
    }

    /// @notice {BitcoinHeaders.retargetBits}.
    function retargetBits(uint256 oldTarget, uint256 start, uint256 end, uint256 limit) external pure returns (uint32) {
        return BitcoinHeaders.retargetBits(oldTarget, start, end, limit);
    }

    /// @notice {BitcoinHeaders.workOf}.
    function workOf(uint256 target) external pure returns (uint256) {
        return BitcoinHeaders.workOf(target);
    }
}
