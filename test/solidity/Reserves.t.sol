// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {StdInvariant} from "forge-std/StdInvariant.sol";
import {Test} from "forge-std/Test.sol";

import {DisputeManager} from "../../contracts/disputes/DisputeManager.sol";
import {ProofOfReserves} from "../../contracts/reserves/ProofOfReserves.sol";
import {RBTCSynth} from "../../contracts/token/RBTCSynth.sol";
import {WrBTC} from "../../contracts/token/WrBTC.sol";
import {DisputeHandler, OracleStub} from "./handlers/DisputeHandler.sol";
import {CommitteeStub, ReservesHandler} from "./handlers/ReservesHandler.sol";

/// @notice Backing accounting never lies: the deficit ProofOfReserves reports is exactly the wrBTC no escrow backs,
///         and "fully backed" means a fresh round, no deficit and attested BTC ≥ rBTC supply.
contract ReservesInvariantTest is StdInvariant, Test {
    RBTCSynth internal rbtc;
    WrBTC internal wrbtc;
    ProofOfReserves internal reserves;
    ReservesHandler internal handler;

    function setUp() public {
        (address operator, uint256 key) = makeAddrAndKey("operator");
        CommitteeStub committee = new CommitteeStub(operator);
        rbtc = new RBTCSynth(address(this));
        wrbtc = new WrBTC(address(this), address(rbtc));
        reserves = new ProofOfReserves(address(this), address(committee), address(rbtc), address(wrbtc), 1 days);
        handler = new ReservesHandler(rbtc, wrbtc, reserves, key);
        rbtc.wire(address(handler), address(wrbtc));
        wrbtc.setOracle(address(handler));
        wrbtc.setReserves(address(reserves));
        targetContract(address(handler));
    }

    function invariant_uncoveredIsSupplyMinusEscrow() public view {
        assertEq(uint256(reserves.uncoveredSats()), wrbtc.totalSupply() - rbtc.totalEscrow());
        assertEq(reserves.uncoveredSats(), handler.ghostUncoveredSats());
    }

    function invariant_fullyBackedIffNoDeficitAndAttestedCoversSupply() public view {
        uint80 roundId = reserves.latestRoundId();
        bool fresh = roundId != 0 && block.timestamp <= uint256(reserves.round(roundId).committedAt) + 1 days;
        bool expected =
            fresh && wrbtc.totalSupply() == rbtc.totalEscrow() && reserves.attestedSats() >= rbtc.totalSupply();
        assertEq(reserves.isFullyBacked(), expected);
    }

    function invariant_liabilitiesAreFreePlusWrapped() public view {
        assertEq(reserves.liabilitiesSats(), rbtc.totalFree() + wrbtc.totalSupply());
    }

    function testFuzz_backingRatio_isAttestedOverLiabilities(uint64 supplySats, uint64 attestedSats) public {
        supplySats = uint64(bound(supplySats, 1, 21e14));
        attestedSats = uint64(bound(attestedSats, 0, 21e14));
        handler.mint(0, supplySats > 1e12 ? 1e12 : supplySats);
        handler.commit(attestedSats, false);
        uint256 liabilities = rbtc.totalSupply() + wrbtc.uncoveredSats();
        assertEq(reserves.backingRatio(), (uint256(attestedSats) * 1e8) / liabilities);
    }
}

/// @notice Disputes: no path applies a resolution (mints or burns) except an upheld decision of the resolver, and the
///         manager's ETH always equals open bonds + reward funds + owed pulls.
contract DisputeInvariantTest is StdInvariant, Test {
    DisputeManager internal manager;
    OracleStub internal oracle;
    DisputeHandler internal handler;
    address internal resolver = makeAddr("resolver");

    function setUp() public {
        oracle = new OracleStub();
        manager = new DisputeManager(address(this), address(oracle), makeAddr("treasury"), 1 days, 1 days, 1e15, 1e15);
        oracle.setDisputeManager(address(manager));
        manager.grantRole(manager.RESOLVER_ROLE(), resolver);
        handler = new DisputeHandler(manager, resolver);
        targetContract(address(handler));
    }

    function invariant_onlyTheResolverAppliesResolutions() public view {
        assertEq(oracle.resolutionsApplied(), handler.ghostUpheld());
    }

    function invariant_bondConservation() public view {
        assertEq(address(manager).balance, manager.openBondsWei() + manager.rewardFundsWei() + manager.totalOwedWei());
    }
}
