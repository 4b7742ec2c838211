// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title BitcoinHeaders — Bitcoin block header fields, proof of work and difficulty arithmetic
/// @notice A header is 80 bytes: version (4, LE) ‖ previous block hash (32) ‖ Merkle root (32) ‖ time (4, LE) ‖
///         bits (4, LE) ‖ nonce (4, LE). Hashes are `bytes32` in Bitcoin's internal byte order (as serialized, the
///         reverse of how explorers print them). Headers are read from calldata at an offset, so a chain of headers is
///         one `bytes` of `80 × n` bytes, lowest height first.
/// @dev The compact "bits" encoding is decoded exactly as Bitcoin Core's `arith_uint256::SetCompact` with the checks of
///      `CheckProofOfWork` (negative, overflowing and zero targets are invalid), encoded exactly as `GetCompact`, and a
///      difficulty adjustment is computed exactly as `CalculateNextWorkRequired`, so a relay can compare bits for bits.
library BitcoinHeaders {
    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Size of a serialized block header.
    uint256 internal constant HEADER_SIZE = 80;
    /// @notice Blocks per difficulty epoch.
    uint256 internal constant RETARGET_INTERVAL = 2016;
    /// @notice The timespan an epoch should take: two weeks, in seconds.
    uint256 internal constant TARGET_TIMESPAN = 14 days;
    /// @notice The target of difficulty 1 (bits 0x1d00ffff): `difficulty = DIFF1_TARGET / target`.
    uint256 internal constant DIFF1_TARGET = 0xffff << 208;

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice The compact target encodes a negative, overflowing or zero target.
    error BitcoinHeaderBitsInvalid(uint32 bits);

    /*//////////////////////////////////////////////////////////////
                            CALLDATA READERS
    //////////////////////////////////////////////////////////////*/

    /// @notice The double-SHA256 of the header at `offset` (its block hash, internal byte order).
    /// @dev Every reader here assumes `offset + 80 ≤ headers.length`: callers check the chain's length first.
    function digestAt(bytes calldata headers, uint256 offset) internal view returns (bytes32 digest) {
        assembly ("memory-safe") {
            // Scratch space past the free memory pointer: written and read here only, never allocated.
            let ptr := mload(0x40)
            calldatacopy(ptr, add(headers.offset, offset), 80)
            if iszero(staticcall(gas(), 0x02, ptr, 80, ptr, 32)) {
                revert(0, 0)
            }
            if iszero(staticcall(gas(), 0x02, ptr, 32, ptr, 32)) {
                revert(0, 0)
            }
            digest := mload(ptr)
        }
    }

    /// @notice The previous block hash field of the header at `offset`.
    function prevHashAt(bytes calldata headers, uint256 offset) internal pure returns (bytes32 prevHash) {
        // Assembly: a checked calldata slice costs several hundred gas per field; callers check the length first.
        assembly ("memory-safe") {
            prevHash := calldataload(add(headers.offset, add(offset, 4)))
        }
    }

    /// @notice The Merkle root field of the header at `offset`.
    function merkleRootAt(bytes calldata headers, uint256 offset) internal pure returns (bytes32 root) {
        assembly ("memory-safe") {
            root := calldataload(add(headers.offset, add(offset, 36)))
        }
    }

    /// @notice The time field (Unix seconds) of the header at `offset`.
    function timestampAt(bytes calldata headers, uint256 offset) internal pure returns (uint32) {
        uint32 raw;
        assembly ("memory-safe") {
            raw := shr(224, calldataload(add(headers.offset, add(offset, 68))))
        }
        return reverseUint32(raw);
    }

    /// @notice The compact target ("bits") of the header at `offset`.
    function bitsAt(bytes calldata headers, uint256 offset) internal pure returns (uint32) {
        uint32 raw;
        assembly ("memory-safe") {
            raw := shr(224, calldataload(add(headers.offset, add(offset, 72))))
        }
        return reverseUint32(raw);
    }

    /*//////////////////////////////////////////////////////////////
                             MEMORY READERS
    //////////////////////////////////////////////////////////////*/

    /// @notice The block hash of an 80-byte header held in memory.
    function digestOf(bytes memory header) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(sha256(header)));
    }

    /// @notice The time field of an 80-byte header held in memory.
    function timestampOf(bytes memory header) internal pure returns (uint32) {
        return reverseUint32(uint32(_word(header, 68) >> 224));
    }

    /// @notice The bits field of an 80-byte header held in memory.
    function bitsOf(bytes memory header) internal pure returns (uint32) {
        return reverseUint32(uint32(_word(header, 72) >> 224));
    }

    /*//////////////////////////////////////////////////////////////
                        PROOF OF WORK AND TARGETS
    //////////////////////////////////////////////////////////////*/

    /// @notice Decodes compact bits to a target (Bitcoin Core `SetCompact`).
    /// @dev Requirements: not negative (sign bit with a non-zero mantissa), not overflowing 256 bits, not zero.
    function bitsToTarget(uint32 bits) internal pure returns (uint256 target) {
        uint256 exponent = bits >> 24;
        uint256 mantissa = bits & 0x007fffff;
        if (
            mantissa != 0 &&
            ((bits & 0x00800000) != 0 ||
                exponent > 34 ||
                (mantissa > 0xff && exponent > 33) ||
                (mantissa > 0xffff && exponent > 32))
        ) revert BitcoinHeaderBitsInvalid(bits);
        target = exponent <= 3 ? mantissa >> (8 * (3 - exponent)) : mantissa << (8 * (exponent - 3));
        if (target == 0) revert BitcoinHeaderBitsInvalid(bits);
    }

    /// @notice Encodes a target as compact bits (Bitcoin Core `GetCompact`), losing the precision bits cannot hold.
    function targetToBits(uint256 target) internal pure returns (uint32) {
        uint256 size = _byteLength(target);
        uint256 compact = size <= 3 ? target << (8 * (3 - size)) : target >> (8 * (size - 3));
        // The mantissa's top bit is a sign bit: move a set one into the exponent.
        if (compact & 0x00800000 != 0) {
            compact >>= 8;
            ++size;
        }
        return uint32(compact | (size << 24));
    }

    /// @notice The expected number of hashes to find a header at `target`: `2^256 / (target + 1)` (Bitcoin Core
    ///         `GetBlockProof`). Summed over headers it is the chain's work; unlike the difficulty it is never zero.
    function workOf(uint256 target) internal pure returns (uint256) {
        // unchecked: target < 2^256 − 1 for every decodable bits (the largest is 0xff << 248), so target + 1 does not
        // overflow, and ~target / (target + 1) < 2^256 − 1 so + 1 does not either.
        unchecked {
            return (~target / (target + 1)) + 1;
        }
    }

    /// @notice The difficulty of `target` relative to difficulty 1 (integer, as tBTC's relay reports it; 0 below 1).
    function difficultyOf(uint256 target) internal pure returns (uint256) {
        return DIFF1_TARGET / target;
    }

    /// @notice True when the block hash `digest` (internal byte order) is at or below `target`.
    function meetsTarget(bytes32 digest, uint256 target) internal pure returns (bool) {
        return reverseUint256(uint256(digest)) <= target;
    }

    /// @notice The compact target of the epoch after one that started at `startTimestamp` with `oldTarget` and whose
    ///         last block has `endTimestamp` (Bitcoin Core `CalculateNextWorkRequired`).
    /// @dev The measured timespan is clamped to [¼, 4×] two weeks; the result is capped at `powLimit`.
    function retargetBits(
        uint256 oldTarget,
        uint256 startTimestamp,
        uint256 endTimestamp,
        uint256 powLimit
    ) internal pure returns (uint32) {
        uint256 timespan = endTimestamp > startTimestamp ? endTimestamp - startTimestamp : 0;
        if (timespan < TARGET_TIMESPAN / 4) timespan = TARGET_TIMESPAN / 4;
        if (timespan > TARGET_TIMESPAN * 4) timespan = TARGET_TIMESPAN * 4;
        // floor(oldTarget × timespan / TARGET_TIMESPAN) as Core computes it, split so the product cannot overflow
        // 256 bits even with a regtest-like limit near 2^255:
        // oldTarget = q × T + r gives q × timespan + ⌊r × timespan / T⌋.
        uint256 q = oldTarget / TARGET_TIMESPAN;
        uint256 r = oldTarget % TARGET_TIMESPAN;
        uint256 newTarget = q > powLimit / timespan ? powLimit : q * timespan + (r * timespan) / TARGET_TIMESPAN;
        if (newTarget > powLimit) newTarget = powLimit;
        return targetToBits(newTarget);
    }

    /*//////////////////////////////////////////////////////////////
                             BYTE ORDER
    //////////////////////////////////////////////////////////////*/

    /// @notice Reverses the byte order of a 32-bit word (little-endian ↔ big-endian).
    function reverseUint32(uint32 v) internal pure returns (uint32) {
        v = ((v & 0xff00ff00) >> 8) | ((v & 0x00ff00ff) << 8);
        return (v >> 16) | (v << 16);
    }

    /// @notice Reverses the byte order of a 256-bit word (a hash in internal order ↔ the number it represents).
    function reverseUint256(uint256 v) internal pure returns (uint256) {
        v =
            ((v >> 8) & 0x00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF) |
            ((v & 0x00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF) << 8);
        v =
            ((v >> 16) & 0x0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF) |
            ((v & 0x0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF) << 16);
        v =
            ((v >> 32) & 0x00000000FFFFFFFF00000000FFFFFFFF00000000FFFFFFFF00000000FFFFFFFF) |
            ((v & 0x00000000FFFFFFFF00000000FFFFFFFF00000000FFFFFFFF00000000FFFFFFFF) << 32);
        v =
            ((v >> 64) & 0x0000000000000000FFFFFFFFFFFFFFFF0000000000000000FFFFFFFFFFFFFFFF) |
            ((v & 0x0000000000000000FFFFFFFFFFFFFFFF0000000000000000FFFFFFFFFFFFFFFF) << 64);
        return (v >> 128) | (v << 128);
    }

    /*//////////////////////////////////////////////////////////////
                                PRIVATE
    //////////////////////////////////////////////////////////////*/

    /// @dev The 32-byte word of `data` starting at byte `offset` (the caller guarantees offset + 32 ≤ length + 32).
    function _word(bytes memory data, uint256 offset) private pure returns (uint256 word) {
        assembly ("memory-safe") {
            word := mload(add(add(data, 0x20), offset))
        }
    }

    /// @dev Number of significant bytes of `v` (0 for 0).
    function _byteLength(uint256 v) private pure returns (uint256 size) {
        while (v != 0) {
            v >>= 8;
            ++size;
        }
    }
}
