// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {FeeVault} from "../../../contracts/fees/FeeVault.sol";

/// @notice Drives the FeeVault for the conservation invariants: random deposits (anyone for anyone), withdrawals,
///         Oracle spends (this handler is the Oracle) and sweeps, with ghost totals kept independently.
contract FeeVaultHandler is Test {
    uint256 internal constant ACTOR_COUNT = 3;
    uint256 internal constant MAX_DEPOSIT_WEI = 100 ether;

    FeeVault public immutable feeVault;
    address[] internal _actors;

    /// @notice Ghost: each user's prepaid balance.
    mapping(address user => uint256 balanceWei) public ghostBalanceWei;
    /// @notice Ghost: Σ fees charged.
    uint256 public ghostSpentWei;
    /// @notice Ghost: Σ fees swept to the treasury.
    uint256 public ghostSweptWei;
    /// @notice Ghost: `spendFrom` results that differ from "paid iff 0 < fee ≤ balance" (must stay 0).
    uint256 public ghostSpendMismatches;

    constructor(FeeVault feeVault_) {
        feeVault = feeVault_;
        for (uint256 i = 0; i < ACTOR_COUNT; ++i) {
            _actors.push(makeAddr(string.concat("feeActor", vm.toString(i))));
        }
    }

    function actors() external view returns (address[] memory) {
        return _actors;
    }

    function deposit(uint256 fromSeed, uint256 userSeed, uint256 amountWei) external {
        address from = _actor(fromSeed);
        address user = _actor(userSeed);
        amountWei = bound(amountWei, 1, MAX_DEPOSIT_WEI);
        vm.deal(from, from.balance + amountWei);
        vm.prank(from);
        feeVault.depositETH{value: amountWei}(user);
        ghostBalanceWei[user] += amountWei;
    }

    function withdraw(uint256 userSeed, uint256 amountWei) external {
        address user = _actor(userSeed);
        uint256 balanceWei = ghostBalanceWei[user];
        if (balanceWei == 0) return;
        amountWei = bound(amountWei, 1, balanceWei);
        vm.prank(user);
        feeVault.withdraw(amountWei);
        ghostBalanceWei[user] -= amountWei;
    }

    function spend(uint256 userSeed, uint256 feeWei) external {
        address user = _actor(userSeed);
        uint256 balanceWei = ghostBalanceWei[user];
        // Up to twice the balance, so shortfalls (and zero fees) are exercised as often as payments.
        feeWei = bound(feeWei, 0, balanceWei * 2 + 1);
        bool paid = feeVault.spendFrom(user, feeWei);
        bool expected = feeWei != 0 && feeWei <= balanceWei;
        if (paid != expected) ++ghostSpendMismatches;
        if (paid) {
            ghostBalanceWei[user] -= feeWei;
            ghostSpentWei += feeWei;
        }
    }

    function sweep() external {
        uint256 accruedWei = feeVault.accruedFeesWei();
        if (accruedWei == 0) return;
        feeVault.sweep();
        ghostSweptWei += accruedWei;
    }

    function _actor(uint256 seed) internal view returns (address) {
        return _actors[seed % _actors.length];
    }
}
