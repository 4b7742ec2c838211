// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// solhint-disable-next-line max-line-length
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {IOracle} from "../interfaces/IOracle.sol";
import {IPoRAddressList} from "../interfaces/IPoRAddressList.sol";
import {IProofOfReserves} from "../interfaces/IProofOfReserves.sol";
import {IRBTCSynth} from "../interfaces/IRBTCSynth.sol";
import {IWrBTC} from "../interfaces/IWrBTC.sol";
import {ADMIN_TRANSFER_DELAY, MAX_BTC_SATS} from "../libraries/Constants.sol";

/// @title ProofOfReserves — committee-signed reserve rounds, a Chainlink PoR feed and address list
/// @notice See {IProofOfReserves}. Rounds are signed by the Oracle's committee (same operators and threshold as a
///         sync) and submitted by the runner right after its sync batches, so a round needs no trust beyond the
///         committee's. The only role is CONFIG_ROLE, which sets the staleness bound of the secure-mint gate. The
///         address list is the Oracle's active bindings.
contract ProofOfReserves is IProofOfReserves, EIP712, AccessControlDefaultAdminRules {
    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice EIP-712 type hash of a reserve round.
    bytes32 public constant ROUND_TYPEHASH = keccak256(
        "ReserveRound(uint80 roundId,bytes32 merkleRoot,uint64 attestedSats,uint64 btcHeight,uint256 deadline)"
    );
    /// @notice 100% in `backingRatio` units.
    uint256 public constant RATIO_ONE = 1e8;
    /// @notice Decimals of the feed's answer (sats: answer / 1e8 = BTC).
    uint8 public constant FEED_DECIMALS = 8;
    /// @notice Role that sets the maximum round age.
    bytes32 public constant CONFIG_ROLE = keccak256("CONFIG_ROLE");
    /// @notice Feed implementation version.
    uint256 public constant FEED_VERSION = 1;

    /// @inheritdoc IProofOfReserves
    address public immutable oracle;
    IRBTCSynth private immutable _rbtc;
    IWrBTC private immutable _wrbtc;

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IProofOfReserves
    uint80 public latestRoundId;
    /// @inheritdoc IProofOfReserves
    uint32 public maxRoundAgeSeconds;
    mapping(uint80 roundId => Round) private _rounds;

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param admin Default admin (two-step handover, ADMIN_TRANSFER_DELAY) and first CONFIG_ROLE holder.
    /// @param oracle_ The Oracle (committee, bindings).
    /// @param rbtc_ The rBTC-SYNTH ledger.
    /// @param wrbtc_ The wrBTC vault.
    /// @param maxRoundAgeSeconds_ Age after which the latest round no longer counts for `isFullyBacked`.
    constructor(
        address admin,
        address oracle_,
        address rbtc_,
        address wrbtc_,
        uint32 maxRoundAgeSeconds_
    ) EIP712("ReserveBTC ProofOfReserves", "1") AccessControlDefaultAdminRules(ADMIN_TRANSFER_DELAY, admin) {
        if (oracle_ == address(0) || rbtc_ == address(0) || wrbtc_ == address(0)) revert ProofOfReservesZeroAddress();
        _grantRole(CONFIG_ROLE, admin);
        _setMaxRoundAge(maxRoundAgeSeconds_);
        oracle = oracle_;
        _rbtc = IRBTCSynth(rbtc_);
        _wrbtc = IWrBTC(wrbtc_);
    }

    /*//////////////////////////////////////////////////////////////
                                COMMIT
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IProofOfReserves
    function commitRound(
        bytes32 merkleRoot_,
        uint64 attestedSats_,
        uint64 btcHeight,
        uint256 deadline,
        bytes[] calldata signatures
    ) external {
        if (deadline < block.timestamp) revert ProofOfReservesExpired(deadline, block.timestamp);
        (uint32 maxValiditySeconds, ) = IOracle(oracle).staleness();
        uint256 maxDeadline = block.timestamp + maxValiditySeconds;
        if (deadline > maxDeadline) revert ProofOfReservesDeadlineTooFar(deadline, maxDeadline);
        if (attestedSats_ > MAX_BTC_SATS) revert ProofOfReservesTotalTooLarge(attestedSats_);
        uint80 roundId = latestRoundId;
        uint64 previousHeight = _rounds[roundId].btcHeight;
        if (btcHeight < previousHeight) revert ProofOfReservesHeightRegressed(previousHeight, btcHeight);
        unchecked {
            // Cannot overflow: one round per transaction.
            ++roundId;
        }
        _verifySignatures(_hashRound(roundId, merkleRoot_, attestedSats_, btcHeight, deadline), signatures);
        latestRoundId = roundId;
        _rounds[roundId] = Round({
            merkleRoot: merkleRoot_,
            attestedSats: attestedSats_,
            btcHeight: btcHeight,
            committedAt: uint40(block.timestamp)
        });
        emit ReservesCommitted(
            roundId,
            merkleRoot_,
            attestedSats_,
            btcHeight,
            _rbtc.totalSupply(),
            _wrbtc.uncoveredSats()
        );
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IProofOfReserves
    function hashRound(
        uint80 roundId,
        bytes32 merkleRoot_,
        uint64 attestedSats_,
        uint64 btcHeight,
        uint256 deadline
    ) external view returns (bytes32) {
        return _hashRound(roundId, merkleRoot_, attestedSats_, btcHeight, deadline);
    }

    /// @inheritdoc IProofOfReserves
    function verify(
        address user,
        string calldata btcAddress,
        uint64 sats,
        bytes32[] calldata proof
    ) external view returns (bool) {
        return _verifyLeaf(latestRoundId, user, btcAddress, sats, proof);
    }

    /// @inheritdoc IProofOfReserves
    function verifyAt(
        uint80 roundId,
        address user,
        string calldata btcAddress,
        uint64 sats,
        bytes32[] calldata proof
    ) external view returns (bool) {
        return _verifyLeaf(roundId, user, btcAddress, sats, proof);
    }

    /// @inheritdoc IProofOfReserves
    function leafHash(address user, string calldata btcAddress, uint64 sats) public pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(user, btcAddress, sats))));
    }

    /// @inheritdoc IProofOfReserves
    function round(uint80 roundId) external view returns (Round memory) {
        return _rounds[roundId];
    }

    /// @inheritdoc IProofOfReserves
    function merkleRoot() external view returns (bytes32) {
        return _rounds[latestRoundId].merkleRoot;
    }

    /// @inheritdoc IProofOfReserves
    function attestedSats() public view returns (uint64) {
        return _rounds[latestRoundId].attestedSats;
    }

    /// @inheritdoc IProofOfReserves
    function liabilitiesSats() public view returns (uint256) {
        return _rbtc.totalSupply() + _wrbtc.uncoveredSats();
    }

    /// @inheritdoc IProofOfReserves
    function backingRatio() external view returns (uint256) {
        uint256 liabilities = liabilitiesSats();
        if (liabilities == 0) return RATIO_ONE;
        return (uint256(attestedSats()) * RATIO_ONE) / liabilities;
    }

    /// @inheritdoc IProofOfReserves
    function uncoveredSats() external view returns (uint64) {
        return _wrbtc.uncoveredSats();
    }

    /// @inheritdoc IProofOfReserves
    function isFullyBacked() external view returns (bool) {
        return isRoundFresh() && _wrbtc.uncoveredSats() == 0 && attestedSats() >= _rbtc.totalSupply();
    }

    /// @inheritdoc IProofOfReserves
    function isRoundFresh() public view returns (bool) {
        uint80 roundId = latestRoundId;
        return roundId != 0 && block.timestamp <= uint256(_rounds[roundId].committedAt) + maxRoundAgeSeconds;
    }

    /// @inheritdoc IProofOfReserves
    function setMaxRoundAge(uint32 maxRoundAgeSeconds_) external onlyRole(CONFIG_ROLE) {
        _setMaxRoundAge(maxRoundAgeSeconds_);
    }

    /// @inheritdoc AggregatorV3Interface
    function decimals() external pure returns (uint8) {
        return FEED_DECIMALS;
    }

    /// @inheritdoc AggregatorV3Interface
    function description() external pure returns (string memory) {
        return "ReserveBTC attested BTC reserves (sats)";
    }

    /// @inheritdoc AggregatorV3Interface
    function version() external pure returns (uint256) {
        return FEED_VERSION;
    }

    /// @inheritdoc AggregatorV3Interface
    /// @dev Reverts with `ProofOfReservesNoRound` for an unknown round.
    function getRoundData(
        uint80 roundId
    )
        external
        view
        returns (uint80 roundId_, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        if (roundId == 0 || roundId > latestRoundId) revert ProofOfReservesNoRound(roundId);
        return _roundData(roundId);
    }

    /// @inheritdoc AggregatorV3Interface
    /// @dev All zero before the first round (a consumer must check `updatedAt`).
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        return _roundData(latestRoundId);
    }

    /// @inheritdoc IPoRAddressList
    function getPoRAddressListLength() external view returns (uint256) {
        return IOracle(oracle).bindingsLength();
    }

    /// @inheritdoc IPoRAddressList
    function getPoRAddressList(uint256 startIndex, uint256 endIndex) external view returns (string[] memory list) {
        // `endIndex` is inclusive; the Oracle's slice is half-open and clamps to the length.
        uint256 end = endIndex == type(uint256).max ? endIndex : endIndex + 1;
        IOracle.Binding[] memory bindings = IOracle(oracle).bindingsSlice(startIndex, end);
        list = new string[](bindings.length);
        for (uint256 i; i < bindings.length; ++i) {
            list[i] = bindings[i].btcAddress;
        }
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    function _roundData(uint80 roundId) private view returns (uint80, int256, uint256, uint256, uint80) {
        Round memory r = _rounds[roundId];
        return (roundId, int256(uint256(r.attestedSats)), r.committedAt, r.committedAt, roundId);
    }

    function _verifyLeaf(
        uint80 roundId,
        address user,
        string calldata btcAddress,
        uint64 sats,
        bytes32[] calldata proof
    ) private view returns (bool) {
        if (roundId == 0) return false;
        return MerkleProof.verifyCalldata(proof, _rounds[roundId].merkleRoot, leafHash(user, btcAddress, sats));
    }

    function _hashRound(
        uint80 roundId,
        bytes32 merkleRoot_,
        uint64 attestedSats_,
        uint64 btcHeight,
        uint256 deadline
    ) private view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(ROUND_TYPEHASH, roundId, merkleRoot_, attestedSats_, btcHeight, deadline))
            );
    }

    /// @dev Requires ≥ the Oracle's threshold of distinct current operators, sorted by strictly increasing signer.
    function _verifySignatures(bytes32 digest, bytes[] calldata signatures) private view {
        (, uint8 threshold, ) = IOracle(oracle).committee();
        uint256 count = signatures.length;
        if (count < threshold) revert ProofOfReservesInsufficientSignatures(count, threshold);
        address previous;
        for (uint256 i; i < count; ++i) {
            address signer = ECDSA.recoverCalldata(digest, signatures[i]);
            if (signer <= previous || !IOracle(oracle).isOperator(signer)) revert ProofOfReservesBadSigner(signer);
            previous = signer;
        }
    }

    function _setMaxRoundAge(uint32 maxRoundAgeSeconds_) private {
        if (maxRoundAgeSeconds_ == 0) revert ProofOfReservesInvalidMaxAge();
        maxRoundAgeSeconds = maxRoundAgeSeconds_;
        emit MaxRoundAgeUpdated(maxRoundAgeSeconds_);
    }
}
