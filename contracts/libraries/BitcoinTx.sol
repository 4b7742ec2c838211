// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MAX_BTC_SATS} from "./Constants.sol";

/// @title BitcoinTx — parsing and identifying raw Bitcoin transactions
/// @notice Accepts both serializations: legacy `version ‖ inputs ‖ outputs ‖ locktime` and BIP-144 segwit
///         `version ‖ 0x00 0x01 ‖ inputs ‖ outputs ‖ witnesses ‖ locktime`. The txid is always the double-SHA256 of the
///         non-witness serialization (BIP-141), so a segwit transaction is identified by what its block's Merkle tree
///         commits to. Parsing is strict where Bitcoin Core's deserializer and `CheckTransaction` are: canonical
///         CompactSize integers, at least one input and one output, output values and their sum within the 21M-BTC
///         supply, no superfluous witness, no trailing bytes. Transactions whose non-witness serialization is 64 bytes
///         are rejected: they can be confused with an inner Merkle node (see {BitcoinMerkle}).
/// @dev Hashes (`txid`, outpoints) are `bytes32` in internal byte order, the reverse of how explorers print them.
///      Every malformed input reverts with one of this library's errors, never a panic: the parser first walks the
///      layout with bounds checks, then allocates arrays whose sizes the walk has bounded by the input's length.
library BitcoinTx {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice An input: the outpoint it spends and its sequence.
    struct Input {
        bytes32 prevTxid;
        uint32 prevVout;
        uint32 sequence;
    }

    /// @notice An output. The script stays in the caller's calldata at `scriptOffset` (relative to the raw
    ///         transaction's start); `scriptHash` is its keccak256 for cheap comparisons.
    struct Output {
        uint64 valueSats;
        uint256 scriptOffset;
        uint256 scriptLength;
        bytes32 scriptHash;
    }

    /// @notice A parsed transaction.
    /// @param txid Double-SHA256 of the non-witness serialization.
    /// @param baseSize Size of the non-witness serialization in bytes.
    /// @param segwit Whether the raw bytes carried a witness section.
    struct Transaction {
        bytes32 txid;
        uint32 version;
        Input[] inputs;
        Output[] outputs;
        uint32 locktime;
        bool segwit;
        uint256 baseSize;
    }

    /// @dev Offsets found by the layout walk.
    struct Layout {
        bool segwit;
        uint256 inputCount;
        uint256 inputsStart;
        uint256 outputCount;
        uint256 outputsStart;
        uint256 outputsEnd;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice The data ends before the field at `offset` (of `needed` bytes) does; `length` is the data's size.
    error BitcoinTxTruncated(uint256 offset, uint256 needed, uint256 length);
    /// @notice A CompactSize integer at `offset` uses a longer encoding than its value needs.
    error BitcoinTxNonCanonicalVarInt(uint256 offset);
    /// @notice The segwit marker is followed by `flag` instead of 0x01.
    error BitcoinTxBadSegwitFlag(uint8 flag);
    /// @notice A transaction without inputs.
    error BitcoinTxNoInputs();
    /// @notice A transaction without outputs.
    error BitcoinTxNoOutputs();
    /// @notice The segwit serialization carries only empty witnesses.
    error BitcoinTxSuperfluousWitness();
    /// @notice Bytes remain after the locktime: `consumed` of `length` bytes form the transaction.
    error BitcoinTxTrailingBytes(uint256 consumed, uint256 length);
    /// @notice An output value, or the sum of all outputs, above the 21M-BTC supply.
    error BitcoinTxValueTooLarge(uint256 outputIndex, uint256 valueSats);
    /// @notice A 64-byte non-witness serialization: indistinguishable from an inner Merkle node.
    error BitcoinTxSize64();
    /// @notice The transaction is not a coinbase: one input spending the null outpoint with a 2–100-byte script.
    error BitcoinTxNotCoinbase();

    /*//////////////////////////////////////////////////////////////
                                  API
    //////////////////////////////////////////////////////////////*/

    /// @notice Parses a raw transaction (either serialization).
    function parse(bytes calldata raw) internal pure returns (Transaction memory t) {
        Layout memory layout = _layout(raw);
        t.txid = _txid(raw, layout);
        t.version = _u32le(raw, 0);
        t.locktime = _u32le(raw, raw.length - 4);
        t.segwit = layout.segwit;
        t.baseSize = _baseSize(raw, layout);
        t.inputs = new Input[](layout.inputCount);
        uint256 o = layout.inputsStart;
        for (uint256 i = 0; i < layout.inputCount; ++i) {
            uint256 scriptLength;
            t.inputs[i].prevTxid = _bytes32At(raw, o);
            t.inputs[i].prevVout = _u32le(raw, o + 32);
            (scriptLength, o) = _varInt(raw, o + 36);
            o += scriptLength;
            t.inputs[i].sequence = _u32le(raw, o);
            o += 4;
        }
        t.outputs = new Output[](layout.outputCount);
        o = layout.outputsStart;
        for (uint256 i = 0; i < layout.outputCount; ++i) {
            uint256 scriptLength;
            t.outputs[i].valueSats = _u64le(raw, o);
            (scriptLength, o) = _varInt(raw, o + 8);
            t.outputs[i].scriptOffset = o;
            t.outputs[i].scriptLength = scriptLength;
            t.outputs[i].scriptHash = keccak256(raw[o:o + scriptLength]);
            o += scriptLength;
        }
    }

    /// @notice Validates a raw transaction's structure and returns its txid.
    function txid(bytes calldata raw) internal pure returns (bytes32) {
        return _txid(raw, _layout(raw));
    }

    /// @notice Validates that `raw` is a coinbase transaction and returns its txid.
    /// @dev A coinbase has exactly one input, spending the null outpoint (zero hash, index 0xffffffff), whose script is
    ///      2 to 100 bytes long (consensus rule `bad-cb-length`).
    function coinbaseTxid(bytes calldata raw) internal pure returns (bytes32) {
        Layout memory layout = _layout(raw);
        if (layout.inputCount != 1) revert BitcoinTxNotCoinbase();
        uint256 o = layout.inputsStart;
        (uint256 scriptLength, ) = _varInt(raw, o + 36);
        if (
            _bytes32At(raw, o) != bytes32(0) ||
            _u32le(raw, o + 32) != type(uint32).max ||
            scriptLength < 2 ||
            scriptLength > 100
        ) revert BitcoinTxNotCoinbase();
        return _txid(raw, layout);
    }

    /*//////////////////////////////////////////////////////////////
                                PRIVATE
    //////////////////////////////////////////////////////////////*/

    /// @dev Walks the whole serialization with bounds checks; reverts on any malformed field.
    function _layout(bytes calldata raw) private pure returns (Layout memory layout) {
        uint256 length = raw.length;
        _need(raw, 0, 5);
        uint256 o = 4;
        if (_byteAt(raw, 4) == 0x00) {
            _need(raw, 5, 1);
            uint256 flag = _byteAt(raw, 5);
            if (flag != 0x01) revert BitcoinTxBadSegwitFlag(uint8(flag));
            layout.segwit = true;
            o = 6;
        }
        (layout.inputCount, o) = _varInt(raw, o);
        if (layout.inputCount == 0) revert BitcoinTxNoInputs();
        layout.inputsStart = o;
        for (uint256 i = 0; i < layout.inputCount; ++i) {
            uint256 scriptLength;
            _need(raw, o, 36);
            (scriptLength, o) = _varInt(raw, o + 36);
            _need(raw, o, scriptLength + 4);
            o += scriptLength + 4;
        }
        (layout.outputCount, o) = _varInt(raw, o);
        if (layout.outputCount == 0) revert BitcoinTxNoOutputs();
        layout.outputsStart = o;
        uint256 totalSats;
        for (uint256 i = 0; i < layout.outputCount; ++i) {
            uint256 scriptLength;
            _need(raw, o, 8);
            uint256 valueSats = _u64le(raw, o);
            totalSats += valueSats;
            if (valueSats > MAX_BTC_SATS || totalSats > MAX_BTC_SATS) revert BitcoinTxValueTooLarge(i, valueSats);
            (scriptLength, o) = _varInt(raw, o + 8);
            _need(raw, o, scriptLength);
            o += scriptLength;
        }
        layout.outputsEnd = o;
        if (layout.segwit) o = _skipWitnesses(raw, o, layout.inputCount);
        _need(raw, o, 4);
        if (o + 4 != length) revert BitcoinTxTrailingBytes(o + 4, length);
        if (_baseSize(raw, layout) == 64) revert BitcoinTxSize64();
    }

    /// @dev Walks the witness section (one stack per input) from `o`; returns the offset after it. Reverts when every
    ///      stack is empty (a segwit serialization without witness data is invalid).
    function _skipWitnesses(bytes calldata raw, uint256 o, uint256 inputCount) private pure returns (uint256) {
        bool anyWitness;
        for (uint256 i = 0; i < inputCount; ++i) {
            uint256 items;
            (items, o) = _varInt(raw, o);
            if (items != 0) anyWitness = true;
            for (uint256 j = 0; j < items; ++j) {
                uint256 itemLength;
                (itemLength, o) = _varInt(raw, o);
                _need(raw, o, itemLength);
                o += itemLength;
            }
        }
        if (!anyWitness) revert BitcoinTxSuperfluousWitness();
        return o;
    }

    /// @dev Size of the non-witness serialization.
    function _baseSize(bytes calldata raw, Layout memory layout) private pure returns (uint256) {
        return layout.segwit ? 4 + (layout.outputsEnd - 6) + 4 : raw.length;
    }

    /// @dev Double-SHA256 of the non-witness serialization.
    function _txid(bytes calldata raw, Layout memory layout) private pure returns (bytes32) {
        bytes memory base =
            layout.segwit ? bytes.concat(raw[0:4], raw[6:layout.outputsEnd], raw[raw.length - 4:]) : raw;
        return sha256(abi.encodePacked(sha256(base)));
    }

    /// @dev Reverts unless `n` bytes start at `offset`.
    function _need(bytes calldata raw, uint256 offset, uint256 n) private pure {
        if (offset + n > raw.length) revert BitcoinTxTruncated(offset, n, raw.length);
    }

    /// @dev A canonical CompactSize integer at `offset`; returns it and the offset after it.
    function _varInt(bytes calldata raw, uint256 offset) private pure returns (uint256 value, uint256 next) {
        _need(raw, offset, 1);
        uint256 prefix = _byteAt(raw, offset);
        if (prefix < 0xfd) return (prefix, offset + 1);
        uint256 size =
            prefix == 0xfd
                ? 2
                : prefix == 0xfe
                    ? 4
                    : 8;
        _need(raw, offset + 1, size);
        // The `size` bytes after the prefix, little-endian.
        uint256 word = _wordAt(raw, offset + 1) >> (256 - 8 * size);
        for (uint256 i = 0; i < size; ++i) {
            value |= ((word >> (8 * (size - 1 - i))) & 0xff) << (8 * i);
        }
        uint256 minimum =
            prefix == 0xfd
                ? 0xfd
                : prefix == 0xfe
                    ? 0x10000
                    : 0x100000000;
        if (value < minimum) revert BitcoinTxNonCanonicalVarInt(offset);
        next = offset + 1 + size;
    }

    /// @dev A little-endian uint32 at `offset` (bounds already checked).
    function _u32le(bytes calldata raw, uint256 offset) private pure returns (uint32 v) {
        v = uint32(_wordAt(raw, offset) >> 224);
        v = ((v & 0xff00ff00) >> 8) | ((v & 0x00ff00ff) << 8);
        v = (v >> 16) | (v << 16);
    }

    /// @dev A little-endian uint64 at `offset` (bounds already checked).
    function _u64le(bytes calldata raw, uint256 offset) private pure returns (uint64 v) {
        v = uint64(_wordAt(raw, offset) >> 192);
        v = ((v & 0xff00ff00ff00ff00) >> 8) | ((v & 0x00ff00ff00ff00ff) << 8);
        v = ((v & 0xffff0000ffff0000) >> 16) | ((v & 0x0000ffff0000ffff) << 16);
        v = (v >> 32) | (v << 32);
    }

    /// @dev The byte at `offset` (bounds already checked).
    function _byteAt(bytes calldata raw, uint256 offset) private pure returns (uint256) {
        return _wordAt(raw, offset) >> 248;
    }

    /// @dev The 32 bytes of calldata from `offset` on (past the end of `raw`, calldata reads as zeros or the next
    ///      argument; callers only use the bytes `_need` has checked). Assembly: a checked slice costs hundreds of gas.
    function _wordAt(bytes calldata raw, uint256 offset) private pure returns (uint256 word) {
        assembly ("memory-safe") {
            word := calldataload(add(raw.offset, offset))
        }
    }

    /// @dev A bytes32 at `offset` (bounds already checked).
    function _bytes32At(bytes calldata raw, uint256 offset) private pure returns (bytes32) {
        return bytes32(_wordAt(raw, offset));
    }
}
