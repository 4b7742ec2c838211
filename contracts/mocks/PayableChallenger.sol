// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IDisputeManager} from "../interfaces/IDisputeManager.sol";

/// @title PayableChallenger — test double of a contract challenger that can refuse ETH (exercises the pull fallback)
contract PayableChallenger {
    /// @notice When false, `receive` reverts.
    bool public accepting;

    /// @notice Sets whether ETH is accepted.
    function setAccepting(bool accepting_) external {
        accepting = accepting_;
    }

    /// @notice Opens a dispute with the ETH sent.
    function open(IDisputeManager manager, address user, uint64 claimedSats) external payable returns (uint256) {
        return manager.openDispute{value: msg.value}(user, claimedSats, "ipfs://evidence");
    }

    /// @notice Pulls what the manager owes.
    function withdraw(IDisputeManager manager) external {
        manager.withdrawOwed();
    }

    receive() external payable {
        if (!accepting) revert("refused");
    }
}
