// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFeeVault} from "../interfaces/IFeeVault.sol";

/// @notice Test double: a FeeVault user (or treasury) that rejects ETH or re-enters the vault when paid.
contract FeeVaultCaller {
    enum Mode {
        Accept,
        Reject,
        ReenterWithdraw,
        ReenterSweep
    }

    error FeeVaultCallerRejected();

    IFeeVault public immutable vault;
    Mode public mode;

    constructor(IFeeVault vault_) {
        vault = vault_;
    }

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    function deposit() external payable {
        vault.depositETH{value: msg.value}(address(this));
    }

    function withdraw(uint256 amountWei) external {
        vault.withdraw(amountWei);
    }

    receive() external payable {
        if (mode == Mode.Reject) revert FeeVaultCallerRejected();
        if (mode == Mode.ReenterWithdraw) vault.withdraw(1);
        if (mode == Mode.ReenterSweep) vault.sweep();
    }
}
