// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IFeePolicy — prices an oracle sync
/// @notice fee = min(maxFeeWei, fixedFeeWei + mintedSats × weiPerSat × feeBps / 10_000). Only positive deltas (mints)
///         are charged; a burn is always free so that a fee can never block it.
interface IFeePolicy {
    /// @notice `feeBps` above `MAX_FEE_BPS`.
    error FeePolicyBpsTooHigh(uint16 feeBps, uint16 maxBps);
    /// @notice `maxFeeWei` is zero or below `fixedFeeWei`.
    error FeePolicyInvalidCap(uint256 fixedFeeWei, uint256 maxFeeWei);

    /// @notice The parameters changed.
    event FeePolicyUpdated(uint16 feeBps, uint256 weiPerSat, uint256 fixedFeeWei, uint256 maxFeeWei);

    /// @notice Sets every parameter (role FEE_ADMIN_ROLE).
    /// @param feeBps Basis points of the minted value (≤ MAX_FEE_BPS).
    /// @param weiPerSat Price of one satoshi in wei used to value a mint.
    /// @param fixedFeeWei Flat fee per charged sync, in wei.
    /// @param maxFeeWei Hard cap of one fee, in wei (≥ fixedFeeWei, > 0).
    function setParameters(uint16 feeBps, uint256 weiPerSat, uint256 fixedFeeWei, uint256 maxFeeWei) external;

    /// @notice The fee, in wei, for minting `mintedSats` in one sync (0 when `mintedSats` is 0).
    function quote(uint64 mintedSats) external view returns (uint256 feeWei);

    /// @notice Current parameters.
    function parameters()
        external
        view
        returns (uint16 feeBps, uint256 weiPerSat, uint256 fixedFeeWei, uint256 maxFeeWei);
}
