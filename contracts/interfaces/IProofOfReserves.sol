// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";
import {IPoRAddressList} from "./IPoRAddressList.sol";

/// @title IProofOfReserves — committee-attested reserve rounds, Merkle inclusion proofs and backing figures
/// @notice After every sync round the committee signs (EIP-712, the Oracle's operators and threshold) a reserve round
///         `(roundId, merkleRoot, attestedSats, btcHeight, deadline)`: the Merkle root of one leaf per bound address,
///         `keccak256(bytes.concat(keccak256(abi.encode(user, btcAddress, sats))))` (OpenZeppelin double-hashed leaves,
///         sorted-pair tree), and the sum of the leaves' sats. Anyone can verify a leaf, recompute every balance from
///         Bitcoin through the address list, and read the attested total as a Chainlink feed (answer = sats, 8
///         decimals, so `answer / 1e8` is BTC).
/// @dev Backing figures (all sats):
///      - liabilities = rBTC supply (free + escrow) + wrBTC uncovered deficit (= rBTC free + wrBTC supply);
///      - `backingRatio() = attestedSats × 1e8 / liabilities` (1e8 = 100%; 1e8 when there are no liabilities);
///      - `uncoveredSats() = wrbtc.uncoveredSats()` (wrBTC supply − rBTC escrow);
///      - `isFullyBacked()` ⇔ the latest round is fresh (committed at most `maxRoundAgeSeconds` ago), no uncovered
///        deficit and attested ≥ rBTC supply — the secure-mint gate of `WrBTC.wrap` (Chainlink SecureMint's
///        staleness bound: a committee that stopped attesting stops new wrBTC).
///      A round's signed deadline is at most the Oracle's `maxReportValiditySeconds` ahead, so a round signed long
///      ago (or with a far deadline) cannot be committed late.
interface IProofOfReserves is AggregatorV3Interface, IPoRAddressList {
    /// @notice One committed reserve round.
    /// @param merkleRoot Root over the (user, btcAddress, sats) leaves.
    /// @param attestedSats Sum of the leaves' sats.
    /// @param btcHeight Bitcoin height the balances were read at.
    /// @param committedAt Unix time of the commit.
    struct Round {
        bytes32 merkleRoot;
        uint64 attestedSats;
        uint64 btcHeight;
        uint40 committedAt;
    }

    /// @notice A zero address was given.
    error ProofOfReservesZeroAddress();
    /// @notice No such round.
    error ProofOfReservesNoRound(uint80 roundId);
    /// @notice The round's Bitcoin height is below the previous round's.
    error ProofOfReservesHeightRegressed(uint64 previousHeight, uint64 btcHeight);
    /// @notice An attested total above the 21e14-sat Bitcoin supply.
    error ProofOfReservesTotalTooLarge(uint64 attestedSats);
    /// @notice The signed deadline has passed.
    error ProofOfReservesExpired(uint256 deadline, uint256 nowSeconds);
    /// @notice Fewer valid signatures than the Oracle's threshold.
    error ProofOfReservesInsufficientSignatures(uint256 signatures, uint8 threshold);
    /// @notice A signer that is not a current operator, or signatures not sorted by strictly increasing signer.
    error ProofOfReservesBadSigner(address signer);
    /// @notice The signed deadline is further ahead than the Oracle's `maxReportValiditySeconds`.
    error ProofOfReservesDeadlineTooFar(uint256 deadline, uint256 maxDeadline);
    /// @notice A zero maximum round age.
    error ProofOfReservesInvalidMaxAge();

    /// @notice A reserve round was committed.
    event ReservesCommitted(
        uint80 indexed roundId,
        bytes32 merkleRoot,
        uint64 attestedSats,
        uint64 btcHeight,
        uint256 rbtcSupplySats,
        uint64 uncoveredSats
    );

    /// @notice The age after which the latest round no longer counts for `isFullyBacked` changed.
    event MaxRoundAgeUpdated(uint32 maxRoundAgeSeconds);

    /// @notice Commits the next round (id `latestRoundId() + 1`) signed by ≥ threshold current Oracle operators,
    ///         sorted by signer address. Anyone may submit.
    /// @dev Requirements: `deadline` in `[now, now + Oracle.maxReportValiditySeconds]`; Bitcoin height not below the
    ///      previous round's; attested total ≤ 21e14 sats.
    function commitRound(
        bytes32 merkleRoot,
        uint64 attestedSats,
        uint64 btcHeight,
        uint256 deadline,
        bytes[] calldata signatures
    ) external;

    /// @notice EIP-712 digest the committee signs for round `roundId`.
    function hashRound(
        uint80 roundId,
        bytes32 merkleRoot,
        uint64 attestedSats,
        uint64 btcHeight,
        uint256 deadline
    ) external view returns (bytes32);

    /// @notice True when (user, btcAddress, sats) is a leaf of the latest round.
    function verify(
        address user,
        string calldata btcAddress,
        uint64 sats,
        bytes32[] calldata proof
    ) external view returns (bool);

    /// @notice True when (user, btcAddress, sats) is a leaf of round `roundId`.
    function verifyAt(
        uint80 roundId,
        address user,
        string calldata btcAddress,
        uint64 sats,
        bytes32[] calldata proof
    ) external view returns (bool);

    /// @notice The leaf hash of (user, btcAddress, sats).
    function leafHash(address user, string calldata btcAddress, uint64 sats) external pure returns (bytes32);

    /// @notice Id of the latest round (0 before the first).
    function latestRoundId() external view returns (uint80);
    /// @notice One round.
    function round(uint80 roundId) external view returns (Round memory);
    /// @notice Merkle root of the latest round.
    function merkleRoot() external view returns (bytes32);
    /// @notice Attested total of the latest round, in sats.
    function attestedSats() external view returns (uint64);
    /// @notice rBTC supply + uncovered wrBTC, in sats.
    function liabilitiesSats() external view returns (uint256);
    /// @notice attested × 1e8 / liabilities (1e8 = 100%).
    function backingRatio() external view returns (uint256);
    /// @notice wrBTC in circulation not backed by escrow, in sats.
    function uncoveredSats() external view returns (uint64);
    /// @notice The latest round is fresh, there is no uncovered deficit and attested ≥ rBTC supply.
    function isFullyBacked() external view returns (bool);
    /// @notice True when a round exists and was committed at most `maxRoundAgeSeconds` ago.
    function isRoundFresh() external view returns (bool);
    /// @notice Age (seconds since `committedAt`) after which the latest round no longer counts for `isFullyBacked`.
    function maxRoundAgeSeconds() external view returns (uint32);
    /// @notice Sets the maximum round age (CONFIG_ROLE); zero → ProofOfReservesInvalidMaxAge.
    function setMaxRoundAge(uint32 maxRoundAgeSeconds) external;
    /// @notice The Oracle (committee and bindings).
    function oracle() external view returns (address);
}
