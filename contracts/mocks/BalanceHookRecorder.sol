// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IBalanceHook} from "../interfaces/IBalanceHook.sol";

/// @title BalanceHookRecorder — test double of a balance hook: records calls, or reverts / burns gas on demand
contract BalanceHookRecorder is IBalanceHook {
    /// @notice How the hook behaves.
    enum Mode {
        RECORD,
        REVERT,
        BURN_GAS
    }

    /// @notice Emitted on every recorded call.
    event Recorded(address indexed user, uint64 newBackedSats, ChangeReason reason);

    /// @notice Current behaviour.
    Mode public mode;
    /// @notice Number of recorded calls.
    uint256 public calls;
    /// @notice Last value recorded per user.
    mapping(address user => uint64 backedSats) public lastBacked;

    /// @notice Sets the behaviour.
    function setMode(Mode mode_) external {
        mode = mode_;
    }

    /// @inheritdoc IBalanceHook
    function onBalanceChanged(address user, uint64 newBackedSats, ChangeReason reason) external {
        if (mode == Mode.REVERT) revert("hook failed");
        if (mode == Mode.BURN_GAS) {
            // Spins until the stipend is gone.
            for (uint256 i; ; ++i) {
                lastBacked[address(uint160(i))] = uint64(i);
            }
        }
        ++calls;
        lastBacked[user] = newBackedSats;
        emit Recorded(user, newBackedSats, reason);
    }
}
