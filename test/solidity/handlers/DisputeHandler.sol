// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {DisputeManager} from "../../../contracts/disputes/DisputeManager.sol";
import {IOracle} from "../../../contracts/interfaces/IOracle.sol";

/// @notice Stands in for the Oracle: every user was synced now with 1,000 sats; counts resolutions applied.
contract OracleStub {
    /// @notice Only the DisputeManager may freeze syncs or apply resolutions.
    error OracleStubNotDisputeManager(address caller);

    address public disputeManager;
    uint256 public resolutionsApplied;
    mapping(address user => bool frozen) public frozen;

    function setDisputeManager(address disputeManager_) external {
        disputeManager = disputeManager_;
    }

    function userState(address) external view returns (IOracle.UserView memory view_) {
        view_.attestedSats = 1_000;
        view_.lastSyncAt = uint64(block.timestamp);
    }

    function setSyncFrozen(address user, bool frozen_) external {
        if (msg.sender != disputeManager) revert OracleStubNotDisputeManager(msg.sender);
        frozen[user] = frozen_;
    }

    function applyDisputeResolution(address, uint64) external {
        if (msg.sender != disputeManager) revert OracleStubNotDisputeManager(msg.sender);
        ++resolutionsApplied;
    }
}

/// @notice Random dispute traffic: challengers open, the resolver and strangers try to resolve, anyone expires,
///         funders fund, a refusing challenger forces pull payments. Ghosts: upheld resolutions by the resolver.
contract DisputeHandler is Test {
    DisputeManager public immutable manager;
    address public immutable resolver;
    address[3] internal users = [makeAddr("d-alice"), makeAddr("d-bob"), makeAddr("d-carol")];
    address[2] internal challengers = [makeAddr("d-challenger"), address(new RefusingReceiver())];
    uint256 public ghostUpheld;

    constructor(DisputeManager manager_, address resolver_) {
        manager = manager_;
        resolver = resolver_;
    }

    function open(uint256 userSeed, uint256 challengerSeed, uint256 bondWei, uint64 claimedSats) external {
        address challenger = challengers[challengerSeed % 2];
        bondWei = bound(bondWei, manager.minBondWei(), 10 ether);
        claimedSats = uint64(bound(claimedSats, 0, 999));
        vm.deal(challenger, bondWei);
        vm.prank(challenger);
        try manager.openDispute{value: bondWei}(users[userSeed % 3], claimedSats, "") {} catch {}
    }

    function resolve(uint256 idSeed, bool upheld, bool asResolver) external {
        uint256 count = manager.disputeCount();
        if (count == 0) return;
        uint256 disputeId = bound(idSeed, 1, count);
        vm.prank(asResolver ? resolver : makeAddr("d-stranger"));
        try manager.resolveDispute(disputeId, upheld, 500) {
            if (upheld) ++ghostUpheld;
        } catch {}
    }

    function expire(uint256 idSeed, uint256 warpSeconds) external {
        uint256 count = manager.disputeCount();
        if (count == 0) return;
        vm.warp(block.timestamp + bound(warpSeconds, 0, 2 days));
        try manager.expireDispute(bound(idSeed, 1, count)) {} catch {}
    }

    function fund(uint256 amountWei) external {
        amountWei = bound(amountWei, 1, 5 ether);
        vm.deal(address(this), amountWei);
        manager.fundRewards{value: amountWei}();
    }

    function withdraw(uint256 seed) external {
        vm.prank(challengers[seed % 2]);
        try manager.withdrawOwed() {} catch {}
    }
}

/// @notice A challenger whose pushes always fail.
contract RefusingReceiver {
    /// @notice Every ETH transfer to this contract fails.
    error RefusingReceiverRefused();

    receive() external payable {
        revert RefusingReceiverRefused();
    }
}
