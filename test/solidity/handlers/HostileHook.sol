// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IBalanceHook} from "../../../contracts/interfaces/IBalanceHook.sol";
import {IDisputeManager} from "../../../contracts/interfaces/IDisputeManager.sol";
import {IOracle} from "../../../contracts/interfaces/IOracle.sol";

/// @notice A balance hook written by an attacker (or a buggy integrator) for the system invariants: it reverts, burns
///         its whole gas stipend, or re-enters the Oracle (a committee-signed batch it was handed, the user's queued
///         mint, the FEE_EXHAUSTED burn) and the DisputeManager (expiring the user's dispute, which calls back into the
///         Oracle). Every re-entry that gets through is counted; the invariants require none ever does, and that no
///         mode ever reverts a sync, a burn or a resolution.
contract HostileHook is IBalanceHook {
    enum Mode {
        REVERT,
        BURN_GAS,
        REENTER
    }

    error HostileHookRefused(address user);

    IOracle public immutable oracle;
    IDisputeManager public immutable disputes;

    Mode public mode;
    /// @notice ABI-encoded `Oracle.sync` call re-submitted from inside the hook (a pending committee batch).
    bytes public replayCall;
    /// @notice Calls received (in REENTER mode; the other modes revert or run out of gas).
    uint256 public calls;
    /// @notice Re-entrant calls that succeeded (must stay 0).
    uint256 public reentrySuccesses;
    /// @dev Written in BURN_GAS mode until the stipend is gone.
    mapping(uint256 slot => uint256 value) private _sink;

    constructor(IOracle oracle_, IDisputeManager disputes_) {
        oracle = oracle_;
        disputes = disputes_;
    }

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    function setReplay(bytes calldata syncCall) external {
        replayCall = syncCall;
    }

    /// @inheritdoc IBalanceHook
    function onBalanceChanged(address user, uint64, ChangeReason) external {
        Mode current = mode;
        if (current == Mode.REVERT) revert HostileHookRefused(user);
        if (current == Mode.BURN_GAS) {
            for (uint256 i; ; ++i) _sink[i] = i + 1;
        }
        ++calls;
        bytes memory payload = replayCall;
        if (payload.length != 0) {
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, ) = address(oracle).call(payload);
            if (ok) ++reentrySuccesses;
        }
        try oracle.executeQueuedMint(user) {
            ++reentrySuccesses;
        } catch {} // solhint-disable-line no-empty-blocks
        try oracle.emergencyBurnFeeExhausted(user) {
            ++reentrySuccesses;
        } catch {} // solhint-disable-line no-empty-blocks
        uint256 disputeId = disputes.openDisputeOf(user);
        if (disputeId != 0) {
            // Expiring calls back into the Oracle (setSyncFrozen), which must refuse the re-entry.
            try disputes.expireDispute(disputeId) {
                ++reentrySuccesses;
            } catch {} // solhint-disable-line no-empty-blocks
        }
    }
}
