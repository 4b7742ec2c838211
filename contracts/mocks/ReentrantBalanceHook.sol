// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IBalanceHook} from "../interfaces/IBalanceHook.sol";

/// @title ReentrantBalanceHook — test double of a balance hook that re-enters its caller
/// @notice Armed with a target and calldata, its next `onBalanceChanged` calls the target with that calldata and
///         reverts with the target's revert data when the call fails, so a refused re-entry shows as the Oracle's
///         `BalanceHookFailed`.
contract ReentrantBalanceHook is IBalanceHook {
    address private _target;
    bool private _armed;
    bytes private _payload;

    /// @notice The next hook call sends `payload` to `target`.
    function arm(address target, bytes calldata payload) external {
        _target = target;
        _armed = true;
        _payload = payload;
    }

    /// @inheritdoc IBalanceHook
    function onBalanceChanged(address, uint64, ChangeReason) external {
        if (!_armed) return;
        _armed = false;
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory returned) = _target.call(_payload);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(returned, 32), mload(returned))
            }
        }
    }
}
