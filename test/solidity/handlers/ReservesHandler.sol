// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {IOracle} from "../../../contracts/interfaces/IOracle.sol";
import {ProofOfReserves} from "../../../contracts/reserves/ProofOfReserves.sol";
import {RBTCSynth} from "../../../contracts/token/RBTCSynth.sol";
import {WrBTC} from "../../../contracts/token/WrBTC.sol";

/// @notice Stands in for the Oracle: one operator (threshold 1) that signs reserve rounds.
contract CommitteeStub {
    address public immutable operator;

    constructor(address operator_) {
        operator = operator_;
    }

    function committee() external view returns (address[] memory operators, uint8 threshold, uint64 epoch) {
        operators = new address[](1);
        operators[0] = operator;
        return (operators, 1, 1);
    }

    function isOperator(address account) external view returns (bool) {
        return account == operator;
    }

    function staleness() external pure returns (uint32 maxReportValiditySeconds, uint32 maxBtcHeightLag) {
        return (3_600, 6);
    }

    function bindingsLength() external pure returns (uint256) {
        return 0;
    }

    function bindingsSlice(uint256, uint256) external pure returns (IOracle.Binding[] memory) {
        return new IOracle.Binding[](0);
    }
}

/// @notice Drives the ledger as the Oracle would (mint, burn + slash, wrap, transfer, redeem) and commits reserve
///         rounds, with a ghost of the uncovered deficit.
contract ReservesHandler is Test {
    RBTCSynth public immutable rbtc;
    WrBTC public immutable wrbtc;
    ProofOfReserves public immutable reserves;
    uint256 internal immutable operatorKey;

    address[3] internal actors = [makeAddr("r-alice"), makeAddr("r-bob"), makeAddr("r-carol")];
    uint64 public ghostUncoveredSats;
    uint64 internal height;

    constructor(RBTCSynth rbtc_, WrBTC wrbtc_, ProofOfReserves reserves_, uint256 operatorKey_) {
        rbtc = rbtc_;
        wrbtc = wrbtc_;
        reserves = reserves_;
        operatorKey = operatorKey_;
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % actors.length];
    }

    function mint(uint256 seed, uint64 amountSats) external {
        amountSats = uint64(bound(amountSats, 1, 1e12));
        rbtc.mint(_actor(seed), amountSats);
    }

    function burn(uint256 seed, uint64 amountSats) external {
        address user = _actor(seed);
        uint64 backed = rbtc.totalBackedOf(user);
        if (backed == 0) return;
        amountSats = uint64(bound(amountSats, 1, backed));
        (, uint64 fromEscrow) = rbtc.burn(user, amountSats);
        (, uint64 uncovered) = wrbtc.slash(user, fromEscrow);
        ghostUncoveredSats += uncovered;
    }

    function wrap(uint256 seed, uint64 amountSats) external {
        address user = _actor(seed);
        uint64 free = rbtc.freeBalanceOf(user);
        if (free == 0) return;
        amountSats = uint64(bound(amountSats, 1, free));
        vm.prank(user);
        try wrbtc.wrap(amountSats) {} catch {} // refused while not fully backed (secure mint)
    }

    function transfer(uint256 from, uint256 to, uint256 amount) external {
        address sender = _actor(from);
        uint256 balance = wrbtc.balanceOf(sender);
        if (balance == 0) return;
        vm.prank(sender);
        wrbtc.transfer(_actor(to), bound(amount, 1, balance));
    }

    function redeem(uint256 seed, uint64 amountSats) external {
        address user = _actor(seed);
        uint256 held = wrbtc.balanceOf(user);
        uint64 escrow = rbtc.escrowOf(user);
        uint64 max = held < escrow ? uint64(held) : escrow;
        if (max == 0) return;
        vm.prank(user);
        wrbtc.redeem(uint64(bound(amountSats, 1, max)));
    }

    /// @dev Lets time pass (up to 2 days): the latest round goes stale after the maximum round age (1 day).
    function advanceTime(uint32 secondsToPass) external {
        vm.warp(block.timestamp + bound(secondsToPass, 1, 2 days));
    }

    /// @dev Commits a round attesting `attestedSats` (sometimes exactly the supply, sometimes short).
    function commit(uint64 attestedSats, bool exact) external {
        if (exact) attestedSats = uint64(rbtc.totalSupply());
        attestedSats = uint64(bound(attestedSats, 0, 21e14));
        uint80 roundId = reserves.latestRoundId() + 1;
        height += 1;
        uint256 deadline = block.timestamp + 600;
        bytes32 digest = reserves.hashRound(roundId, bytes32(uint256(roundId)), attestedSats, height, deadline);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(operatorKey, digest);
        bytes[] memory signatures = new bytes[](1);
        signatures[0] = abi.encodePacked(r, s, v);
        reserves.commitRound(bytes32(uint256(roundId)), attestedSats, height, deadline, signatures);
    }
}
