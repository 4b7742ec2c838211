// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBalanceHook} from "../interfaces/IBalanceHook.sol";
import {IOracle} from "../interfaces/IOracle.sol";
import {IRBTCSynth} from "../interfaces/IRBTCSynth.sol";
import {UserState} from "./UserState.sol";

/// @title PositionResets — the Oracle's out-of-band changes of a user's position (an external library)
/// @notice Everything that changes a user's attested state outside `sync`: the emergency burns (FEE_EXHAUSTED,
///         BINDING_REVOKED), an upheld dispute's resolution, the dispute freeze, and the sequence consumption that
///         makes every such change final against reports signed before it. The Oracle checks who may call and the
///         signatures, then delegates here (its state, its events), so the sync path keeps its room within EIP-170.
/// @dev Sequence consumption (see IOracle):
///      - a HARD reset (`resetPosition`: upheld dispute, FEE_EXHAUSTED, revocation) increments the sequence and clears
///        the soft flag: every report signed before it is stale and skipped, drops included;
///      - a SOFT change (`consumeSoft`: the user's unbind, a dispute closed) increments the sequence and, at the first
///        soft change after an applied report, records that report's sequence in `MintSlot.softFloor`: no earlier
///        report can raise the total any more, but one earlier-signed DROP still applies (the Oracle's `_admit`), so
///        the user cannot delay her own burn by unbinding or by closing a dispute.
library PositionResets {
    using UserState for mapping(address => uint256);

    /// @dev The contracts a reset acts on (the Oracle's immutables and hook).
    struct Wiring {
        address rbtc;
        address wrbtc;
        address hook;
    }

    /// @notice FEE_EXHAUSTED: burns `user`'s whole position when a deferred rise has been unpaid past the grace period
    ///         and a report after the grace period re-confirmed it (the user still held the rise).
    function feeExhausted(
        mapping(address => uint256) storage words,
        mapping(address => UserState.MintSlot) storage mints,
        UserState.EmergencySlot storage emergency,
        Wiring calldata wiring,
        address user
    ) external {
        UserState.MintSlot storage m = mints[user];
        uint40 unpaidSince = m.feeUnpaidSince;
        uint256 graceEnd = uint256(unpaidSince) + emergency.feeGracePeriodSeconds;
        if (m.deferredSats == 0 || block.timestamp < graceEnd) {
            revert IOracle.OracleFeeNotExhausted(user, unpaidSince, block.timestamp);
        }
        uint64 lastSyncAt = words.load(user).lastSyncAt;
        if (lastSyncAt < graceEnd) revert IOracle.OracleFeeNotReconfirmed(user, lastSyncAt, graceEnd);
        if (_resetPosition(words, mints, emergency, wiring, user, 0, IOracle.EmergencyBurnReason.FEE_EXHAUSTED) == 0) {
            revert IOracle.OracleNothingToBurn(user);
        }
    }

    /// @notice BINDING_REVOKED: burns `user`'s whole position (the caller verified the revocation and unbound the
    ///         address if it was still bound to her).
    function revoke(
        mapping(address => uint256) storage words,
        mapping(address => UserState.MintSlot) storage mints,
        UserState.EmergencySlot storage emergency,
        Wiring calldata wiring,
        address user
    ) external {
        _resetPosition(words, mints, emergency, wiring, user, 0, IOracle.EmergencyBurnReason.BINDING_REVOKED);
    }

    /// @notice DISPUTE_UPHELD: sets `user`'s attested total to `resolvedSats` (burning or minting to match).
    /// @dev Only a raise needs a bound address: a lowering resolution (a burn) never reverts.
    function resolveDispute(
        mapping(address => uint256) storage words,
        mapping(address => UserState.MintSlot) storage mints,
        UserState.EmergencySlot storage emergency,
        Wiring calldata wiring,
        address user,
        uint64 resolvedSats
    ) external {
        UserState.UserSlot memory u = words.load(user);
        if (resolvedSats > u.attestedSats && u.bindingCount == 0) revert IOracle.OracleUnboundUser(user);
        emit IOracle.DisputeResolutionApplied(user, u.attestedSats, resolvedSats);
        _resetPosition(words, mints, emergency, wiring, user, resolvedSats, IOracle.EmergencyBurnReason.DISPUTE_UPHELD);
    }

    /// @notice Freezes or unfreezes `user` (the Oracle's flag and RBTCSynth's account flag). Lifting the freeze
    ///         consumes the sequence (soft): no rise signed during the freeze can apply afterwards.
    function setFrozen(
        mapping(address => uint256) storage words,
        mapping(address => UserState.MintSlot) storage mints,
        address rbtc,
        address user,
        bool frozen
    ) external {
        uint256 bit = uint256(UserState.FLAG_FROZEN) << UserState.FLAGS_SHIFT;
        words[user] = frozen ? words[user] | bit : words[user] & ~bit;
        emit IOracle.SyncFrozen(user, frozen);
        if (!frozen) _consumeSoft(words, mints, user, IOracle.ConsumeCause.DISPUTE_CLOSED);
        IRBTCSynth(rbtc).setFrozen(user, frozen);
    }

    /// @notice Consumes `user`'s sequence after a soft change (see the library's notes).
    function consumeSoft(
        mapping(address => uint256) storage words,
        mapping(address => UserState.MintSlot) storage mints,
        address user,
        IOracle.ConsumeCause cause
    ) external {
        _consumeSoft(words, mints, user, cause);
    }

    function _consumeSoft(
        mapping(address => uint256) storage words,
        mapping(address => UserState.MintSlot) storage mints,
        address user,
        IOracle.ConsumeCause cause
    ) private {
        UserState.UserSlot memory u = words.load(user);
        if (u.flags & UserState.FLAG_SOFT == 0) {
            mints[user].softFloor = u.sequence;
            u.flags |= UserState.FLAG_SOFT;
        }
        u.sequence += 1;
        words.store(user, u);
        emit IOracle.SequenceConsumed(user, u.sequence, uint8(cause));
    }

    /// @dev A hard reset: sets `user`'s attested total to `targetSats`, consumes the sequence (every report signed
    ///      before is void), drops the queued and deferred mints, then burns (free → escrow → slash) or mints rBTC to
    ///      match. A burn counts as an emergency burn. The balance hook hears a lowering as the reason's removal and a
    ///      raise as a sync (an upheld dispute that raises keeps the holder in the pool).
    /// @return burnedSats rBTC burned.
    function _resetPosition(
        mapping(address => uint256) storage words,
        mapping(address => UserState.MintSlot) storage mints,
        UserState.EmergencySlot storage emergency,
        Wiring calldata wiring,
        address user,
        uint64 targetSats,
        IOracle.EmergencyBurnReason reason
    ) private returns (uint64 burnedSats) {
        UserState.UserSlot memory u = words.load(user);
        UserState.MintSlot storage m = mints[user];
        emit IOracle.PositionReset(user, u.attestedSats, targetSats, m.queuedSats, m.deferredSats, uint8(reason));
        u.attestedSats = targetSats;
        u.flags &= ~(UserState.FLAG_QUEUED | UserState.FLAG_DEFERRED | UserState.FLAG_SOFT);
        u.sequence += 1;
        words.store(user, u);
        emit IOracle.SequenceConsumed(user, u.sequence, uint8(_consumeCause(reason)));
        m.queuedSats = 0;
        m.queuedReadyAt = 0;
        m.deferredSats = 0;
        uint64 backedSats = IRBTCSynth(wiring.rbtc).totalBackedOf(user);
        IBalanceHook.ChangeReason hookReason =
            reason == IOracle.EmergencyBurnReason.DISPUTE_UPHELD
                ? IBalanceHook.ChangeReason.DISPUTE_UPHELD
                : IBalanceHook.ChangeReason.EMERGENCY_BURN;
        if (backedSats > targetSats) {
            unchecked {
                // Cannot underflow: backedSats > targetSats.
                burnedSats = backedSats - targetSats;
            }
            (, uint64 fromEscrowSats) = IRBTCSynth(wiring.rbtc).burn(user, burnedSats);
            if (fromEscrowSats != 0) UserState.slash(wiring.wrbtc, user, fromEscrowSats);
            UserState.countEmergencyBurn(emergency, user, burnedSats, reason);
        } else if (backedSats < targetSats) {
            unchecked {
                // Cannot underflow: backedSats < targetSats.
                IRBTCSynth(wiring.rbtc).mint(user, targetSats - backedSats);
            }
            hookReason = IBalanceHook.ChangeReason.SYNC;
        } else {
            return 0;
        }
        UserState.notifyBalanceHook(wiring.hook, user, targetSats, hookReason);
    }

    /// @dev The sequence-consumption cause of a hard reset.
    function _consumeCause(IOracle.EmergencyBurnReason reason) private pure returns (IOracle.ConsumeCause) {
        if (reason == IOracle.EmergencyBurnReason.DISPUTE_UPHELD) return IOracle.ConsumeCause.DISPUTE_UPHELD;
        if (reason == IOracle.EmergencyBurnReason.FEE_EXHAUSTED) return IOracle.ConsumeCause.FEE_EXHAUSTED;
        return IOracle.ConsumeCause.BINDING_REVOKED;
    }
}
