// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBalanceHook} from "../interfaces/IBalanceHook.sol";
import {IOracle} from "../interfaces/IOracle.sol";
import {IWrBTC} from "../interfaces/IWrBTC.sol";

/// @title UserState — the Oracle's per-user storage layout and the effects its libraries share
/// @notice One packed word per user (`UserSlot`) that the sync path reads and writes once per report, a second slot
///         (`MintSlot`) touched only for queued/deferred mints and soft sequence consumption, and the emergency slot.
///         The Oracle and its external libraries (BindingRegistry, PositionResets) run on the same storage, so the
///         layout and its pack/unpack live here, once.
/// @dev The word's bits: attestedSats 0-55, sequence 56-87, btcHeight 88-119, lastSyncAt 120-151, bindingCount
///      152-159, flags 160-167, windowIndex 168-199, windowMintedSats 200-255. Sats fields hold ≤ 2^56 − 1: totals are
///      ≤ 21e14 and window mints ≤ the (clamped) user cap. Time fits uint32 until 2106.
library UserState {
    /// @dev A user's packed word, unpacked.
    struct UserSlot {
        uint64 attestedSats;
        uint32 sequence;
        uint32 btcHeight;
        uint32 lastSyncAt;
        uint8 bindingCount;
        uint8 flags;
        uint32 windowIndex;
        uint64 windowMintedSats;
    }

    /// @dev Per user (240 bits), touched only for a queued or deferred mint, or when a soft change consumed the
    ///      sequence.
    /// @param softFloor The sequence of the last applied report when a soft change started an episode (`FLAG_SOFT`).
    struct MintSlot {
        uint64 queuedSats;
        uint40 queuedReadyAt;
        uint64 deferredSats;
        uint40 feeUnpaidSince;
        uint32 softFloor;
    }

    /// @dev Dispute wiring, fee grace period and emergency-burn counter (256 bits).
    struct EmergencySlot {
        address disputeManager;
        uint32 feeGracePeriodSeconds;
        uint64 emergencyBurnCount;
    }

    /// @dev `flags`: the user's `MintSlot` holds a queued mint.
    uint8 internal constant FLAG_QUEUED = 1;
    /// @dev `flags`: the user's `MintSlot` holds a deferred (unpaid) mint.
    uint8 internal constant FLAG_DEFERRED = 2;
    /// @dev `flags`: an open dispute freezes the user (rises held back, no queued mint, no wrap).
    uint8 internal constant FLAG_FROZEN = 4;
    /// @dev `flags`: a soft change consumed the sequence since the last applied report (`MintSlot.softFloor`): one
    ///      drop signed for a later sequence may still apply.
    uint8 internal constant FLAG_SOFT = 8;

    /// @dev Width of the packed sats fields (attested total, window minted): 2^56 > 34 × the Bitcoin supply.
    uint256 internal constant SATS_BITS = 56;
    uint256 internal constant SATS_MASK = (1 << SATS_BITS) - 1;
    uint256 internal constant SEQUENCE_SHIFT = 56;
    uint256 internal constant HEIGHT_SHIFT = 88;
    uint256 internal constant SYNCED_AT_SHIFT = 120;
    uint256 internal constant BINDINGS_SHIFT = 152;
    uint256 internal constant FLAGS_SHIFT = 160;
    uint256 internal constant WINDOW_SHIFT = 168;
    uint256 internal constant WINDOW_MINTED_SHIFT = 200;

    /// @notice Gas stipend of one balance-hook call.
    uint256 internal constant BALANCE_HOOK_GAS = 150_000;
    /// @dev Gas that must be left before a hook call: the stipend survives EIP-150's 63/64 rule with room for the
    ///      call itself, so a submitter cannot starve the hook by sending a tight gas limit.
    uint256 internal constant BALANCE_HOOK_GAS_RESERVE = (BALANCE_HOOK_GAS * 64) / 63 + 5_000;

    /// @dev Unpacks `user`'s word.
    function load(mapping(address => uint256) storage words, address user) internal view returns (UserSlot memory u) {
        uint256 word = words[user];
        u.attestedSats = uint64(word & SATS_MASK);
        u.sequence = uint32(word >> SEQUENCE_SHIFT);
        u.btcHeight = uint32(word >> HEIGHT_SHIFT);
        u.lastSyncAt = uint32(word >> SYNCED_AT_SHIFT);
        u.bindingCount = uint8(word >> BINDINGS_SHIFT);
        u.flags = uint8(word >> FLAGS_SHIFT);
        u.windowIndex = uint32(word >> WINDOW_SHIFT);
        u.windowMintedSats = uint64(word >> WINDOW_MINTED_SHIFT);
    }

    /// @dev Packs and writes `user`'s word with one SSTORE. Callers keep both sats fields ≤ SATS_MASK.
    function store(mapping(address => uint256) storage words, address user, UserSlot memory u) internal {
        words[user] =
            uint256(u.attestedSats) |
            (uint256(u.sequence) << SEQUENCE_SHIFT) |
            (uint256(u.btcHeight) << HEIGHT_SHIFT) |
            (uint256(u.lastSyncAt) << SYNCED_AT_SHIFT) |
            (uint256(u.bindingCount) << BINDINGS_SHIFT) |
            (uint256(u.flags) << FLAGS_SHIFT) |
            (uint256(u.windowIndex) << WINDOW_SHIFT) |
            (uint256(u.windowMintedSats) << WINDOW_MINTED_SHIFT);
    }

    /// @dev True when `flag` is set in `user`'s word.
    function hasFlag(mapping(address => uint256) storage words, address user, uint8 flag) internal view returns (bool) {
        return (words[user] >> FLAGS_SHIFT) & flag != 0;
    }

    /// @dev Slashes `amountSats` wrBTC from `user`; returns what could not be covered.
    function slash(address wrbtc, address user, uint64 amountSats) internal returns (uint64 uncoveredSats) {
        (, uncoveredSats) = IWrBTC(wrbtc).slash(user, amountSats);
    }

    /// @dev Counts and announces an emergency burn.
    function countEmergencyBurn(
        EmergencySlot storage emergency,
        address user,
        uint64 amountSats,
        IOracle.EmergencyBurnReason reason
    ) internal {
        unchecked {
            // Cannot overflow: one burn per call, 2^64 calls are out of reach.
            emergency.emergencyBurnCount += 1;
        }
        emit IOracle.EmergencyBurn(user, amountSats, uint8(reason));
    }

    /// @dev Tells the balance hook (when set) that `user`'s backed balance is now `newBackedSats`. Never reverts on a
    ///      failing hook (emits `BalanceHookFailed`); reverts only when too little gas is left to give the hook its
    ///      full stipend, so a submitter cannot make the hook fail on purpose.
    function notifyBalanceHook(
        address hook,
        address user,
        uint64 newBackedSats,
        IBalanceHook.ChangeReason reason
    ) internal {
        if (hook == address(0)) return;
        uint256 gasLeft = gasleft();
        if (gasLeft < BALANCE_HOOK_GAS_RESERVE) revert IOracle.OracleHookGasTooLow(gasLeft, BALANCE_HOOK_GAS_RESERVE);
        // solhint-disable-next-line no-empty-blocks
        try IBalanceHook(hook).onBalanceChanged{gas: BALANCE_HOOK_GAS}(user, newBackedSats, reason) {} catch {
            emit IOracle.BalanceHookFailed(user);
        }
    }
}
