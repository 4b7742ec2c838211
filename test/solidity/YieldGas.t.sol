// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test, console} from "forge-std/Test.sol";

import {IBalanceHook} from "../../contracts/interfaces/IBalanceHook.sol";
import {MockStable} from "../../contracts/mocks/MockStable.sol";
import {RBTCSynth} from "../../contracts/token/RBTCSynth.sol";
import {WrBTC} from "../../contracts/token/WrBTC.sol";
import {YieldScalesPool} from "../../contracts/yieldscales/YieldScalesPool.sol";

/// @notice Gas of one balance-hook call inside a sync-like transaction (pool globals already warm, user slot cold).
contract YieldGasTest is Test {
    RBTCSynth internal rbtc;
    WrBTC internal wrbtc;
    MockStable internal stable;
    YieldScalesPool internal pool;
    address[] internal users;

    function setUp() public {
        rbtc = new RBTCSynth(address(this));
        wrbtc = new WrBTC(address(this), address(rbtc));
        rbtc.wire(address(this), address(wrbtc));
        stable = new MockStable();
        pool = new YieldScalesPool(
            address(this),
            address(rbtc),
            address(wrbtc),
            address(this),
            address(stable),
            address(stable),
            500,
            1e33,
            1e18
        );
        stable.mint(address(this), 1e24);
        stable.approve(address(pool), 1e24);
        pool.fundRewards(1e24);
        for (uint256 i = 0; i < 4; ++i) {
            address u = makeAddr(string.concat("u", vm.toString(i)));
            users.push(u);
            rbtc.mint(u, 1e8);
            vm.prank(u);
            pool.join();
        }
        vm.warp(block.timestamp + 1 days);
    }

    function test_gas_hookPerParticipant() public {
        rbtc.mint(users[0], 1e6);
        pool.onBalanceChanged(users[0], 1e8 + 1e6, IBalanceHook.ChangeReason.SYNC); // first call: accrual, cold globals
        rbtc.mint(users[1], 1e6);
        uint256 before = gasleft();
        pool.onBalanceChanged(users[1], 1e8 + 1e6, IBalanceHook.ChangeReason.SYNC);
        uint256 used = before - gasleft();
        console.log("hook, participant (warm globals, cold user):", used);
        address stranger = makeAddr("stranger");
        rbtc.mint(stranger, 1e6);
        before = gasleft();
        pool.onBalanceChanged(stranger, 1e6, IBalanceHook.ChangeReason.SYNC);
        console.log("hook, non-participant:", before - gasleft());
    }

    function test_gas_hookFirstInTransaction() public {
        rbtc.mint(users[0], 1e6);
        uint256 before = gasleft();
        pool.onBalanceChanged(users[0], 1e8 + 1e6, IBalanceHook.ChangeReason.SYNC);
        console.log("hook, first call of a transaction (accrual):", before - gasleft());
    }
}
