// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IBalanceHook — notified by the Oracle whenever a user's backed rBTC changes
/// @notice The YieldScalesPool implements it to track holders' rBTC positions live (no stale snapshots). The Oracle
///         calls it with a bounded gas stipend inside try/catch: a failing hook never blocks a sync or a burn (the
///         Oracle emits `BalanceHookFailed` instead).
interface IBalanceHook {
    /// @notice Why a user's backed balance changed.
    enum ChangeReason {
        SYNC, // a committee report minted or burned (also a queued mint executing)
        EMERGENCY_BURN, // an emergency burn removed the position (the holder stops accruing from this block)
        DISPUTE_UPHELD // a resolver corrected the balance after an upheld dispute (stops accruing from this block)
    }

    /// @notice `user`'s rBTC backed balance (free + escrow) is now `newBackedSats`.
    /// @param user The holder.
    /// @param newBackedSats rbtc.totalBackedOf(user) after the change, in sats.
    /// @param reason Why it changed.
    function onBalanceChanged(address user, uint64 newBackedSats, ChangeReason reason) external;
}
