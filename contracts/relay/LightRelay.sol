// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILightRelay} from "../interfaces/ILightRelay.sol";
import {BitcoinHeaders} from "../libraries/BitcoinHeaders.sol";
import {BitcoinMerkle} from "../libraries/BitcoinMerkle.sol";
import {BitcoinTx} from "../libraries/BitcoinTx.sol";

/// @title LightRelay — Bitcoin light relay (tBTC's design) with explicit mainnet, testnet4 and regtest rule sets
/// @notice See {ILightRelay}. Immutable and ownerless: the rule set and the genesis are fixed at construction;
///         retargets are permissionless.
contract LightRelay is ILightRelay {
    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @dev Longest header chain {validateChain} accepts (tBTC's bound: less than one epoch).
    uint256 private constant MAX_CHAIN_HEADERS = 2015;
    /// @dev A testnet block may carry the minimum difficulty when it comes more than 20 minutes after its parent.
    uint256 private constant MIN_DIFFICULTY_GAP_SECONDS = 20 minutes;

    uint32 private immutable _powLimitBits;
    uint256 private immutable _powLimit;
    bool private immutable _retargeting;
    bool private immutable _minDifficultyBlocks;
    uint16 private immutable _txProofDifficultyFactor;
    uint16 private immutable _retargetProofLength;

    /// @inheritdoc ILightRelay
    uint256 public immutable genesisHeight;

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ILightRelay
    uint64 public genesisEpoch;
    /// @inheritdoc ILightRelay
    uint64 public currentEpoch;
    mapping(uint256 epochNumber => Epoch) private _epochs;

    /// @dev A compact target decoded once for a run of headers carrying it.
    struct BitsCache {
        uint32 bits;
        uint256 target;
        uint256 work;
    }

    /// @dev What a chain walk found; "proven" is the block at the walk's `blockIndex` (the confirming block).
    struct ChainInfo {
        uint256 headerCount;
        uint32 firstTimestamp;
        bytes32 lastBlockHash;
        bytes32 provenBlockHash;
        uint256 provenEpoch;
        uint256 provenWork;
    }

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param rules_ The rule set (see {ILightRelay-Rules}).
    /// @param genesisHeader The 80-byte header of block `genesisHeight_`: on retargeting networks the first block of
    ///        an epoch (its time starts the epoch's timespan). Its proof of work is checked.
    /// @param genesisHeight_ Height of the genesis block.
    constructor(Rules memory rules_, bytes memory genesisHeader, uint256 genesisHeight_) {
        bool proofLengthOk =
            rules_.retargeting
                ? rules_.retargetProofLength > 0 && rules_.retargetProofLength < BitcoinHeaders.RETARGET_INTERVAL
                : rules_.retargetProofLength == 0 && !rules_.minDifficultyBlocks;
        if (!proofLengthOk || rules_.txProofDifficultyFactor == 0) revert RelayInvalidRules(rules_);
        _powLimit = BitcoinHeaders.bitsToTarget(rules_.powLimitBits);
        _powLimitBits = rules_.powLimitBits;
        _retargeting = rules_.retargeting;
        _minDifficultyBlocks = rules_.minDifficultyBlocks;
        _txProofDifficultyFactor = rules_.txProofDifficultyFactor;
        _retargetProofLength = rules_.retargetProofLength;

        if (genesisHeader.length != BitcoinHeaders.HEADER_SIZE) revert RelayGenesisHeaderLength(genesisHeader.length);
        if (rules_.retargeting && genesisHeight_ % BitcoinHeaders.RETARGET_INTERVAL != 0) {
            revert RelayGenesisHeight(genesisHeight_);
        }
        uint32 bits = BitcoinHeaders.bitsOf(genesisHeader);
        if (BitcoinHeaders.bitsToTarget(bits) > _powLimit) revert RelayGenesisBitsAboveLimit(bits, rules_.powLimitBits);
        bytes32 blockHash = BitcoinHeaders.digestOf(genesisHeader);
        if (!BitcoinHeaders.meetsTarget(blockHash, BitcoinHeaders.bitsToTarget(bits))) {
            revert RelayInsufficientProofOfWork(0, blockHash, bits);
        }
        uint32 timestamp = BitcoinHeaders.timestampOf(genesisHeader);

        genesisHeight = genesisHeight_;
        uint64 epochNumber = uint64(genesisHeight_ / BitcoinHeaders.RETARGET_INTERVAL);
        genesisEpoch = epochNumber;
        currentEpoch = epochNumber;
        _epochs[epochNumber] = Epoch({timestamp: timestamp, bits: bits});
        emit Genesis(genesisHeight_, blockHash, bits, timestamp, rules_);
    }

    /*//////////////////////////////////////////////////////////////
                               MUTATORS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ILightRelay
    function retarget(bytes calldata headers) external {
        if (!_retargeting) revert RelayRetargetDisabled();
        uint256 half = _retargetProofLength;
        if (headers.length != 2 * half * BitcoinHeaders.HEADER_SIZE) {
            revert RelayRetargetLength(headers.length, 2 * half * BitcoinHeaders.HEADER_SIZE);
        }
        uint64 oldEpochNumber = currentEpoch;
        Epoch memory old = _epochs[oldEpochNumber];

        bytes32 prevHash;
        uint32 prevTimestamp;
        uint32 expectedBits = old.bits;
        for (uint256 i = 0; i < 2 * half; ++i) {
            uint256 offset = i * BitcoinHeaders.HEADER_SIZE;
            uint32 bits = BitcoinHeaders.bitsAt(headers, offset);
            uint32 timestamp = BitcoinHeaders.timestampAt(headers, offset);
            if (i == half) {
                // The first block of the new epoch: its bits are exactly Bitcoin's adjustment of the old epoch.
                if (prevTimestamp >= block.timestamp) revert RelayEpochEndInFuture(prevTimestamp, block.timestamp);
                expectedBits = BitcoinHeaders.retargetBits(
                    BitcoinHeaders.bitsToTarget(old.bits),
                    old.timestamp,
                    prevTimestamp,
                    _powLimit
                );
                if (bits != expectedBits) revert RelayUnexpectedBits(i, bits, expectedBits);
            } else if (bits != expectedBits && !_isMinDifficultyBlock(i, bits, timestamp, prevTimestamp)) {
                revert RelayUnexpectedBits(i, bits, expectedBits);
            }
            prevHash = _checkHeader(headers, i, prevHash, bits, BitcoinHeaders.bitsToTarget(bits));
            prevTimestamp = timestamp;
        }

        uint64 newEpochNumber = oldEpochNumber + 1;
        uint32 startTimestamp = BitcoinHeaders.timestampAt(headers, half * BitcoinHeaders.HEADER_SIZE);
        currentEpoch = newEpochNumber;
        _epochs[newEpochNumber] = Epoch({timestamp: startTimestamp, bits: expectedBits});
        emit Retarget(newEpochNumber, old.bits, expectedBits, startTimestamp);
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ILightRelay
    function validateChain(
        bytes calldata headers
    ) external view returns (uint256 startingHeaderTimestamp, uint256 headerCount) {
        ChainInfo memory info = _walkChain(headers, 0);
        return (info.firstTimestamp, info.headerCount);
    }

    /// @inheritdoc ILightRelay
    function validateProofWork(
        bytes calldata headers
    ) external view returns (bytes32 firstBlockHash, bytes32 lastBlockHash, uint256 work, uint256 requiredWork) {
        ChainInfo memory info = _proofChain(headers, 0);
        return (info.provenBlockHash, info.lastBlockHash, info.provenWork, _requiredWork(info.provenEpoch));
    }

    /// @inheritdoc ILightRelay
    function verifyTransaction(
        TxProof calldata proof
    ) external view returns (bytes32 txid, bytes32 blockHash, uint256 confirmations) {
        ChainInfo memory info = _proofChain(proof.headers, proof.blockIndex);
        txid = _checkInclusion(proof);
        return (txid, info.provenBlockHash, info.headerCount - proof.blockIndex);
    }

    /// @inheritdoc ILightRelay
    function rules() external view returns (Rules memory) {
        return
            Rules({
                powLimitBits: _powLimitBits,
                retargeting: _retargeting,
                minDifficultyBlocks: _minDifficultyBlocks,
                txProofDifficultyFactor: _txProofDifficultyFactor,
                retargetProofLength: _retargetProofLength
            });
    }

    /// @inheritdoc ILightRelay
    function epoch(uint256 epochNumber) external view returns (Epoch memory) {
        return _provenEpoch(epochNumber);
    }

    /// @inheritdoc ILightRelay
    function getRelayRange() external view returns (uint256 relayGenesis, uint256 currentEpochEnd) {
        relayGenesis = genesisHeight;
        currentEpochEnd =
            _retargeting
                ? uint256(currentEpoch) * BitcoinHeaders.RETARGET_INTERVAL + BitcoinHeaders.RETARGET_INTERVAL - 1
                : type(uint256).max;
    }

    /// @inheritdoc ILightRelay
    function getEpochDifficulty(uint256 epochNumber) public view returns (uint256) {
        return BitcoinHeaders.difficultyOf(BitcoinHeaders.bitsToTarget(_provenEpoch(epochNumber).bits));
    }

    /// @inheritdoc ILightRelay
    function getBlockDifficulty(uint256 blockHeight) external view returns (uint256) {
        if (blockHeight < genesisHeight) {
            revert RelayEpochBeforeGenesis(blockHeight / BitcoinHeaders.RETARGET_INTERVAL, genesisEpoch);
        }
        return getEpochDifficulty(_retargeting ? blockHeight / BitcoinHeaders.RETARGET_INTERVAL : genesisEpoch);
    }

    /// @inheritdoc ILightRelay
    function getCurrentEpochDifficulty() public view returns (uint256) {
        return getEpochDifficulty(currentEpoch);
    }

    /// @inheritdoc ILightRelay
    function getPrevEpochDifficulty() public view returns (uint256) {
        uint64 current = currentEpoch;
        return current == genesisEpoch ? 0 : getEpochDifficulty(current - 1);
    }

    /// @inheritdoc ILightRelay
    function getCurrentAndPrevEpochDifficulty() external view returns (uint256 current, uint256 previous) {
        return (getCurrentEpochDifficulty(), getPrevEpochDifficulty());
    }

    /// @inheritdoc ILightRelay
    function getEpochWork(uint256 epochNumber) public view returns (uint256) {
        return BitcoinHeaders.workOf(BitcoinHeaders.bitsToTarget(_provenEpoch(epochNumber).bits));
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    /// @dev {_walkChain} plus the proof rules for the block at `blockIndex`: in the current or previous epoch, and
    ///      with its descendants carrying enough work.
    function _proofChain(bytes calldata headers, uint256 blockIndex) internal view returns (ChainInfo memory info) {
        info = _walkChain(headers, blockIndex);
        uint256 current = currentEpoch;
        if (info.provenEpoch + 1 < current) revert RelayProofEpochTooOld(info.provenEpoch, current);
        uint256 required = _requiredWork(info.provenEpoch);
        if (info.provenWork < required) revert RelayInsufficientWork(info.provenWork, required);
    }

    /// @dev Parses the transaction and the coinbase and checks both Merkle proofs against the confirming header's
    ///      root (the chain was validated first, so the header exists). Returns the txid.
    function _checkInclusion(TxProof calldata proof) internal view returns (bytes32 txid) {
        txid = BitcoinTx.txid(proof.transaction);
        bytes32 root = BitcoinHeaders.merkleRootAt(proof.headers, proof.blockIndex * BitcoinHeaders.HEADER_SIZE);
        BitcoinMerkle.checkInclusion(
            txid,
            proof.txIndex,
            proof.merkleProof,
            BitcoinTx.coinbaseTxid(proof.coinbase),
            proof.coinbaseProof,
            root
        );
    }

    /// @dev Work a proof whose confirming block is in `epochNumber` must carry.
    function _requiredWork(uint256 epochNumber) internal view returns (uint256) {
        return uint256(_txProofDifficultyFactor) * getEpochWork(epochNumber);
    }

    /// @dev Validates a chain against the proven epochs (see {validateChain}); records the hash and epoch of the header
    ///      at `blockIndex` and the work from it to the end.
    function _walkChain(bytes calldata headers, uint256 blockIndex) internal view returns (ChainInfo memory info) {
        uint256 length = headers.length;
        if (length == 0 || length % BitcoinHeaders.HEADER_SIZE != 0) revert RelayHeadersLength(length);
        info.headerCount = length / BitcoinHeaders.HEADER_SIZE;
        if (info.headerCount > MAX_CHAIN_HEADERS) revert RelayTooManyHeaders(info.headerCount);
        if (blockIndex >= info.headerCount) revert RelayBlockIndexOutOfRange(blockIndex, info.headerCount);
        info.firstTimestamp = BitcoinHeaders.timestampAt(headers, 0);
        (uint256 epochNumber, Epoch memory current) = _findEpoch(
            info.firstTimestamp,
            BitcoinHeaders.bitsAt(headers, 0)
        );

        bytes32 prevHash;
        uint32 prevTimestamp;
        BitsCache memory cache;
        for (uint256 i = 0; i < info.headerCount; ++i) {
            uint256 offset = i * BitcoinHeaders.HEADER_SIZE;
            uint32 bits = BitcoinHeaders.bitsAt(headers, offset);
            uint32 timestamp = BitcoinHeaders.timestampAt(headers, offset);
            if (bits != current.bits) {
                if (_isNextEpochStart(epochNumber, bits, timestamp)) {
                    ++epochNumber;
                    current = _epochs[epochNumber];
                } else if (!_isMinDifficultyBlock(i, bits, timestamp, prevTimestamp)) {
                    revert RelayUnexpectedBits(i, bits, current.bits);
                }
            }
            _cache(cache, bits);
            prevHash = _checkHeader(headers, i, prevHash, bits, cache.target);
            prevTimestamp = timestamp;
            if (i < blockIndex) continue;
            if (i == blockIndex) {
                info.provenBlockHash = prevHash;
                info.provenEpoch = epochNumber;
            }
            info.provenWork += cache.work;
        }
        info.lastBlockHash = prevHash;
    }

    /// @dev True when a header with `bits` and `timestamp` is exactly the first block of the proven epoch after
    ///      `epochNumber` (the block whose time a retarget recorded).
    function _isNextEpochStart(uint256 epochNumber, uint32 bits, uint32 timestamp) internal view returns (bool) {
        if (epochNumber >= currentEpoch) return false;
        Epoch memory next = _epochs[epochNumber + 1];
        return bits == next.bits && timestamp == next.timestamp;
    }

    /// @dev The proven epoch a chain's first header belongs to: the latest epoch starting at or before its time, or
    ///      an adjacent one when the header's bits say so (block times may precede their epoch's start by up to the
    ///      median-time rule, or follow the next epoch's start by up to two hours).
    function _findEpoch(uint32 timestamp, uint32 bits) internal view returns (uint256 epochNumber, Epoch memory e) {
        uint256 first = genesisEpoch;
        uint256 last = currentEpoch;
        epochNumber = last;
        e = _epochs[epochNumber];
        while (timestamp < e.timestamp) {
            if (epochNumber == first) revert RelayChainBeforeGenesis(timestamp, e.timestamp);
            --epochNumber;
            e = _epochs[epochNumber];
        }
        if (bits == e.bits) return (epochNumber, e);
        if (epochNumber < last && bits == _epochs[epochNumber + 1].bits) {
            return (epochNumber + 1, _epochs[epochNumber + 1]);
        }
        if (epochNumber > first && bits == _epochs[epochNumber - 1].bits) {
            return (epochNumber - 1, _epochs[epochNumber - 1]);
        }
        revert RelayUnexpectedBits(0, bits, e.bits);
    }

    /// @dev Checks header `i`'s link to `prevHash` (unless it is the first) and its proof of work; returns its hash.
    function _checkHeader(
        bytes calldata headers,
        uint256 i,
        bytes32 prevHash,
        uint32 bits,
        uint256 target
    ) internal view returns (bytes32 blockHash) {
        uint256 offset = i * BitcoinHeaders.HEADER_SIZE;
        if (i != 0) {
            bytes32 linked = BitcoinHeaders.prevHashAt(headers, offset);
            if (linked != prevHash) revert RelayBrokenChain(i, linked, prevHash);
        }
        blockHash = BitcoinHeaders.digestAt(headers, offset);
        if (!BitcoinHeaders.meetsTarget(blockHash, target)) revert RelayInsufficientProofOfWork(i, blockHash, bits);
    }

    /// @dev Points `cache` at `bits`: decodes the target and its work only when the bits change along a chain.
    function _cache(BitsCache memory cache, uint32 bits) internal pure {
        if (cache.target != 0 && cache.bits == bits) return;
        cache.bits = bits;
        cache.target = BitcoinHeaders.bitsToTarget(bits);
        cache.work = BitcoinHeaders.workOf(cache.target);
    }

    /// @dev A testnet minimum-difficulty block: allowed by the rules, carrying the limit's bits, not first in the
    ///      chain (its parent's time is needed) and more than 20 minutes after its parent.
    function _isMinDifficultyBlock(
        uint256 i,
        uint32 bits,
        uint32 timestamp,
        uint32 prevTimestamp
    ) internal view returns (bool) {
        return
            _minDifficultyBlocks &&
            i != 0 &&
            bits == _powLimitBits &&
            uint256(timestamp) > uint256(prevTimestamp) + MIN_DIFFICULTY_GAP_SECONDS;
    }

    /// @dev A proven epoch, or a revert naming why it is not.
    function _provenEpoch(uint256 epochNumber) internal view returns (Epoch memory) {
        if (epochNumber < genesisEpoch) revert RelayEpochBeforeGenesis(epochNumber, genesisEpoch);
        if (epochNumber > currentEpoch) revert RelayEpochNotProven(epochNumber, currentEpoch);
        return _epochs[epochNumber];
    }
}
