// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IDisputeManager — bonded challenges of a user's attested BTC total
/// @notice Anyone may dispute a user's attested balance with an ETH bond (≥ `minBondWei`) within
///         `challengeWindowSeconds` after the user's last sync. While the dispute is open the Oracle skips the user's
///         reports. A resolver (RESOLVER_ROLE: the committee's multisig) decides:
///         - upheld: the Oracle sets the user's total to `resolvedSats` (burn free → escrow → slash, or mint); the
///           challenger gets the bond back plus a reward (≤ `rewardWei`, bounded by the funded reward balance);
///         - rejected: the bond goes to the treasury;
///         - not resolved by `resolutionDeadlineSeconds` after opening: anyone may expire it, the bond goes back.
///         Payments are pushed; a failed push is credited for `withdrawOwed` (pull).
/// @dev Invariant: `address(this).balance == openBondsWei + rewardFundsWei + totalOwedWei`.
interface IDisputeManager {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice Lifecycle of a dispute (NONE for an unknown id).
    enum Status {
        NONE,
        OPEN, // DisputeOpened
        UPHELD, // DisputeUpheld
        REJECTED, // DisputeRejected
        EXPIRED // DisputeExpired
    }

    /// @notice One dispute.
    /// @param challenger Who opened it and posted the bond.
    /// @param user The disputed user.
    /// @param claimedSats The total the challenger claims is right.
    /// @param attestedSats The user's attested total when the dispute was opened.
    /// @param resolvedSats The total the resolver set (upheld only).
    /// @param openedAt Unix time it was opened.
    /// @param deadline Unix time after which it can be expired.
    /// @param status Its state.
    /// @param bondWei The posted bond.
    struct Dispute {
        address challenger;
        address user;
        uint64 claimedSats;
        uint64 attestedSats;
        uint64 resolvedSats;
        uint40 openedAt;
        uint40 deadline;
        Status status;
        uint256 bondWei;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice A zero address was given.
    error DisputeZeroAddress();
    /// @notice A zero parameter where a positive one is required.
    error DisputeInvalidParameter(bytes32 name);
    /// @notice The bond is below the minimum.
    error DisputeBondTooLow(uint256 bondWei, uint256 minBondWei);
    /// @notice The user already has an open dispute.
    error DisputeAlreadyOpen(address user, uint256 disputeId);
    /// @notice The user was never synced, or the challenge window after their last sync has closed.
    error DisputeWindowClosed(address user, uint64 lastSyncAt, uint256 nowSeconds);
    /// @notice The claimed total equals the attested one: nothing to dispute.
    error DisputeClaimMatchesAttested(address user, uint64 attestedSats);
    /// @notice The dispute is not open.
    error DisputeNotOpen(uint256 disputeId, Status status);
    /// @notice The resolution deadline has passed (expire it instead).
    error DisputeDeadlinePassed(uint256 disputeId, uint40 deadline);
    /// @notice The resolution deadline has not passed yet.
    error DisputeDeadlineNotReached(uint256 disputeId, uint40 deadline);
    /// @notice A resolved total above the 21e14-sat Bitcoin supply.
    error DisputeTotalTooLarge(uint64 resolvedSats);
    /// @notice Nothing owed to the caller.
    error DisputeNothingOwed(address account);
    /// @notice Sending ETH failed.
    error DisputeTransferFailed(address to, uint256 amountWei);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A dispute was opened (status OPEN); the user's syncs are frozen.
    event DisputeOpened(
        uint256 indexed disputeId,
        address indexed user,
        address indexed challenger,
        uint64 claimedSats,
        uint64 attestedSats,
        uint256 bondWei,
        uint40 deadline,
        string evidenceURI
    );
    /// @notice The resolver upheld a dispute (status UPHELD): the user's total is now `resolvedSats`.
    event DisputeUpheld(uint256 indexed disputeId, address indexed resolver, uint64 resolvedSats, uint256 rewardWei);
    /// @notice The resolver rejected a dispute (status REJECTED): the bond went to the treasury.
    event DisputeRejected(uint256 indexed disputeId, address indexed resolver, uint256 bondWei);
    /// @notice An unresolved dispute expired (status EXPIRED): the bond went back to the challenger.
    event DisputeExpired(uint256 indexed disputeId, address indexed caller);
    /// @notice `amountWei` was added to the reward balance.
    event RewardsFunded(address indexed funder, uint256 amountWei);
    /// @notice A push payment failed; `amountWei` is owed to `account` (see `withdrawOwed`).
    event PaymentDeferred(address indexed account, uint256 amountWei);
    /// @notice `account` withdrew `amountWei` it was owed.
    event OwedWithdrawn(address indexed account, uint256 amountWei);
    /// @notice The dispute parameters changed.
    event ParametersUpdated(
        uint32 challengeWindowSeconds,
        uint32 resolutionDeadlineSeconds,
        uint256 minBondWei,
        uint256 rewardWei
    );
    /// @notice The treasury changed.
    event TreasuryUpdated(address indexed treasury);

    /*//////////////////////////////////////////////////////////////
                                FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Opens a dispute on `user`'s attested total, bonding `msg.value`.
    /// @dev Requirements: bond ≥ `minBondWei`; the user was synced within `challengeWindowSeconds`; no open dispute
    ///      on the user; `claimedSats` ≠ the attested total and ≤ 21e14.
    /// @return disputeId The new dispute's id (from 1).
    function openDispute(
        address user,
        uint64 claimedSats,
        string calldata evidenceURI
    ) external payable returns (uint256 disputeId);

    /// @notice Resolves an open dispute (RESOLVER_ROLE) before its deadline. Upheld → the Oracle sets the user's total
    ///         to `resolvedSats`, the bond and a reward go to the challenger; rejected → the bond goes to the
    ///         treasury (`resolvedSats` ignored).
    function resolveDispute(uint256 disputeId, bool upheld, uint64 resolvedSats) external;

    /// @notice Expires an open dispute past its deadline (anyone): bond back to the challenger, freeze lifted.
    function expireDispute(uint256 disputeId) external;

    /// @notice Adds `msg.value` to the reward balance (anyone; the treasury funds it).
    function fundRewards() external payable;

    /// @notice Withdraws what a failed push payment left owed to the caller.
    function withdrawOwed() external;

    /// @notice Sets the window, deadline, minimum bond and reward (CONFIG_ROLE). Zero window/deadline/bond →
    ///         DisputeInvalidParameter.
    function setParameters(
        uint32 challengeWindowSeconds,
        uint32 resolutionDeadlineSeconds,
        uint256 minBondWei,
        uint256 rewardWei
    ) external;

    /// @notice Sets the treasury that receives rejected bonds (CONFIG_ROLE).
    function setTreasury(address treasury) external;

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice One dispute.
    function dispute(uint256 disputeId) external view returns (Dispute memory);
    /// @notice Number of disputes ever opened (ids are 1..disputeCount).
    function disputeCount() external view returns (uint256);
    /// @notice The open dispute on `user` (0 when none).
    function openDisputeOf(address user) external view returns (uint256);
    /// @notice True while `user` has an open dispute (their syncs are frozen).
    function isFrozen(address user) external view returns (bool);
    /// @notice The Oracle whose users are disputed.
    function oracle() external view returns (address);
    /// @notice Receiver of rejected bonds.
    function treasury() external view returns (address);
    /// @notice Seconds after a user's last sync during which a dispute may be opened.
    function challengeWindowSeconds() external view returns (uint32);
    /// @notice Seconds after opening by which the resolver must decide.
    function resolutionDeadlineSeconds() external view returns (uint32);
    /// @notice Smallest bond, in wei.
    function minBondWei() external view returns (uint256);
    /// @notice Reward of an upheld dispute, in wei (paid up to the funded balance).
    function rewardWei() external view returns (uint256);
    /// @notice Bonds of open disputes, in wei.
    function openBondsWei() external view returns (uint256);
    /// @notice Funded reward balance, in wei.
    function rewardFundsWei() external view returns (uint256);
    /// @notice Sum of failed push payments awaiting `withdrawOwed`, in wei.
    function totalOwedWei() external view returns (uint256);
    /// @notice Wei owed to `account` by failed push payments.
    function owedWei(address account) external view returns (uint256);
}
