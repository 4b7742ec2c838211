// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {FeePolicy} from "../../contracts/fees/FeePolicy.sol";
import {FeeVault} from "../../contracts/fees/FeeVault.sol";
import {IFeePolicy} from "../../contracts/interfaces/IFeePolicy.sol";
import {IRBTCSynth} from "../../contracts/interfaces/IRBTCSynth.sol";
import {IWrBTC} from "../../contracts/interfaces/IWrBTC.sol";
import {MAX_BTC_SATS} from "../../contracts/libraries/Constants.sol";
import {RBTCSynth} from "../../contracts/token/RBTCSynth.sol";
import {WrBTC} from "../../contracts/token/WrBTC.sol";
import {FeeVaultHandler} from "./handlers/FeeVaultHandler.sol";
import {LedgerHandler} from "./handlers/LedgerHandler.sol";

/// @notice Fuzz tests of the token and fee arithmetic. This contract is the admin and the Oracle of every contract.
contract TokensFuzzTest is Test {
    RBTCSynth internal rbtc;
    WrBTC internal wrbtc;
    FeePolicy internal feePolicy;
    FeeVault internal feeVault;

    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal treasury = makeAddr("treasury");

    function setUp() public {
        rbtc = new RBTCSynth(address(this));
        wrbtc = new WrBTC(address(this), address(rbtc));
        feePolicy = new FeePolicy(address(this), 50, 300_000_000_000, 1e14, 1e16);
        feeVault = new FeeVault(address(this), treasury);
        rbtc.wire(address(this), address(wrbtc));
        wrbtc.setOracle(address(this));
        feeVault.setOracle(address(this));
    }

    /*//////////////////////////////////////////////////////////////
                                RBTCSynth
    //////////////////////////////////////////////////////////////*/

    function testFuzz_burn_takesFreeFirstThenEscrow(uint256 mintSats, uint256 wrapSats, uint256 burnSats) public {
        mintSats = bound(mintSats, 1, MAX_BTC_SATS);
        wrapSats = bound(wrapSats, 0, mintSats);
        burnSats = bound(burnSats, 1, mintSats);
        rbtc.mint(alice, uint64(mintSats));
        if (wrapSats != 0) {
            vm.prank(alice);
            wrbtc.wrap(uint64(wrapSats));
        }
        uint256 freeSats = mintSats - wrapSats;

        (uint64 fromFree, uint64 fromEscrow) = rbtc.burn(alice, uint64(burnSats));

        uint256 expectedFree = burnSats < freeSats ? burnSats : freeSats;
        assertEq(fromFree, expectedFree, "from free");
        assertEq(fromEscrow, burnSats - expectedFree, "from escrow");
        assertEq(rbtc.freeBalanceOf(alice), freeSats - expectedFree, "free left");
        assertEq(rbtc.escrowOf(alice), wrapSats - (burnSats - expectedFree), "escrow left");
        assertEq(rbtc.totalSupply(), mintSats - burnSats, "supply");
        assertEq(uint256(rbtc.totalFree()) + rbtc.totalEscrow(), rbtc.totalSupply(), "totals");
    }

    function testFuzz_burn_revertsIfAboveTotalBacked(uint256 mintSats, uint256 wrapSats, uint256 excessSats) public {
        mintSats = bound(mintSats, 1, MAX_BTC_SATS - 1);
        wrapSats = bound(wrapSats, 0, mintSats);
        excessSats = bound(excessSats, 1, MAX_BTC_SATS - mintSats);
        rbtc.mint(alice, uint64(mintSats));
        if (wrapSats != 0) {
            vm.prank(alice);
            wrbtc.wrap(uint64(wrapSats));
        }
        uint256 neededEscrow = mintSats + excessSats - (mintSats - wrapSats);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRBTCSynth.RBTCInsufficientEscrow.selector,
                alice,
                uint64(wrapSats),
                uint64(neededEscrow)
            )
        );
        rbtc.burn(alice, uint64(mintSats + excessSats));
    }

    function testFuzz_mint_revertsIfSupplyAboveBound(uint256 existingSats, uint256 amountSats) public {
        existingSats = bound(existingSats, 1, MAX_BTC_SATS);
        amountSats = bound(amountSats, MAX_BTC_SATS - existingSats + 1, type(uint64).max);
        rbtc.mint(alice, uint64(existingSats));
        vm.expectRevert(abi.encodeWithSelector(IRBTCSynth.RBTCSupplyOverflow.selector, existingSats + amountSats));
        rbtc.mint(bob, uint64(amountSats));
    }

    function testFuzz_mint_creditsFreeIfWithinBound(uint256 firstSats, uint256 secondSats) public {
        firstSats = bound(firstSats, 1, MAX_BTC_SATS - 1);
        secondSats = bound(secondSats, 1, MAX_BTC_SATS - firstSats);
        rbtc.mint(alice, uint64(firstSats));
        rbtc.mint(alice, uint64(secondSats));
        assertEq(rbtc.freeBalanceOf(alice), firstSats + secondSats);
        assertEq(rbtc.totalFree(), firstSats + secondSats);
        assertEq(rbtc.totalEscrow(), 0);
    }

    /*//////////////////////////////////////////////////////////////
                                  WrBTC
    //////////////////////////////////////////////////////////////*/

    function testFuzz_wrapRedeem_restoresBalancesIfRoundTrip(
        uint256 mintSats,
        uint256 wrapSats,
        uint256 redeemSats
    ) public {
        mintSats = bound(mintSats, 1, MAX_BTC_SATS);
        wrapSats = bound(wrapSats, 1, mintSats);
        redeemSats = bound(redeemSats, 1, wrapSats);
        rbtc.mint(alice, uint64(mintSats));

        vm.startPrank(alice);
        wrbtc.wrap(uint64(wrapSats));
        assertEq(wrbtc.balanceOf(alice), wrapSats, "wrBTC after wrap");
        assertEq(rbtc.escrowOf(alice), wrapSats, "escrow after wrap");
        assertEq(rbtc.freeBalanceOf(alice), mintSats - wrapSats, "free after wrap");

        wrbtc.redeem(uint64(redeemSats));
        assertEq(wrbtc.balanceOf(alice), wrapSats - redeemSats, "wrBTC after redeem");
        assertEq(rbtc.escrowOf(alice), wrapSats - redeemSats, "escrow after redeem");

        if (wrapSats != redeemSats) wrbtc.redeem(uint64(wrapSats - redeemSats));
        vm.stopPrank();

        assertEq(wrbtc.balanceOf(alice), 0, "wrBTC after full redeem");
        assertEq(wrbtc.totalSupply(), 0, "wrBTC supply");
        assertEq(rbtc.escrowOf(alice), 0, "escrow after full redeem");
        assertEq(rbtc.freeBalanceOf(alice), mintSats, "free restored");
        assertEq(rbtc.totalBackedOf(alice), mintSats, "total backed unchanged");
    }

    function testFuzz_redeem_revertsIfAboveOwnEscrow(uint256 wrapSats, uint256 receivedSats) public {
        wrapSats = bound(wrapSats, 1, MAX_BTC_SATS / 2);
        receivedSats = bound(receivedSats, 1, MAX_BTC_SATS / 2);
        rbtc.mint(alice, uint64(wrapSats));
        rbtc.mint(bob, uint64(receivedSats));
        vm.prank(alice);
        wrbtc.wrap(uint64(wrapSats));
        vm.prank(bob);
        wrbtc.wrap(uint64(receivedSats));
        vm.prank(bob);
        wrbtc.transfer(alice, receivedSats);
        vm.expectRevert(
            abi.encodeWithSelector(
                IWrBTC.WrBTCInsufficientEscrow.selector,
                alice,
                uint64(wrapSats),
                uint64(wrapSats + receivedSats)
            )
        );
        vm.prank(alice);
        wrbtc.redeem(uint64(wrapSats + receivedSats));
    }

    function testFuzz_slash_burnsHeldAndRecordsRest(uint256 wrapSats, uint256 keptSats, uint256 slashSats) public {
        wrapSats = bound(wrapSats, 1, MAX_BTC_SATS);
        keptSats = bound(keptSats, 0, wrapSats);
        slashSats = bound(slashSats, 1, wrapSats);
        rbtc.mint(alice, uint64(wrapSats));
        vm.startPrank(alice);
        wrbtc.wrap(uint64(wrapSats));
        if (keptSats != wrapSats) wrbtc.transfer(bob, wrapSats - keptSats);
        vm.stopPrank();

        (uint64 fromFree, uint64 fromEscrow) = rbtc.burn(alice, uint64(slashSats));
        assertEq(fromFree, 0);
        assertEq(fromEscrow, slashSats);
        (uint64 slashed, uint64 uncovered) = wrbtc.slash(alice, fromEscrow);

        uint256 expectedSlashed = slashSats < keptSats ? slashSats : keptSats;
        assertEq(slashed, expectedSlashed, "slashed");
        assertEq(uncovered, slashSats - expectedSlashed, "uncovered");
        assertEq(wrbtc.balanceOf(alice), keptSats - expectedSlashed, "alice wrBTC");
        assertEq(wrbtc.balanceOf(bob), wrapSats - keptSats, "bob wrBTC untouched");
        assertEq(wrbtc.uncoveredOf(alice), uncovered, "alice deficit");
        assertEq(wrbtc.totalSupply(), uint256(rbtc.totalEscrow()) + wrbtc.uncoveredSats(), "supply backing");
    }

    /*//////////////////////////////////////////////////////////////
                                FeePolicy
    //////////////////////////////////////////////////////////////*/

    function testFuzz_quote_neverExceedsCap(
        uint16 feeBps,
        uint256 weiPerSat,
        uint256 fixedFeeWei,
        uint256 maxFeeWei,
        uint64 mintedSats
    ) public {
        feeBps = uint16(bound(feeBps, 0, feePolicy.MAX_FEE_BPS()));
        maxFeeWei = bound(maxFeeWei, 1, type(uint256).max);
        fixedFeeWei = bound(fixedFeeWei, 0, maxFeeWei);
        feePolicy.setParameters(feeBps, weiPerSat, fixedFeeWei, maxFeeWei);
        uint256 feeWei = feePolicy.quote(mintedSats);
        assertLe(feeWei, maxFeeWei, "cap");
        if (mintedSats == 0) assertEq(feeWei, 0, "zero sats");
        else assertGe(feeWei, fixedFeeWei, "at least the fixed fee");
    }

    function testFuzz_quote_isMonotoneInSats(
        uint16 feeBps,
        uint256 weiPerSat,
        uint256 fixedFeeWei,
        uint256 maxFeeWei,
        uint64 smallerSats,
        uint64 largerSats
    ) public {
        feeBps = uint16(bound(feeBps, 0, feePolicy.MAX_FEE_BPS()));
        maxFeeWei = bound(maxFeeWei, 1, type(uint256).max);
        fixedFeeWei = bound(fixedFeeWei, 0, maxFeeWei);
        largerSats = uint64(bound(largerSats, 0, type(uint64).max));
        smallerSats = uint64(bound(smallerSats, 0, largerSats));
        feePolicy.setParameters(feeBps, weiPerSat, fixedFeeWei, maxFeeWei);
        assertLe(feePolicy.quote(smallerSats), feePolicy.quote(largerSats));
    }

    function testFuzz_quote_matchesFormulaIfNoOverflow(
        uint16 feeBps,
        uint256 weiPerSat,
        uint256 fixedFeeWei,
        uint256 maxFeeWei,
        uint64 mintedSats
    ) public {
        feeBps = uint16(bound(feeBps, 0, feePolicy.MAX_FEE_BPS()));
        weiPerSat = bound(weiPerSat, 0, 1e24);
        maxFeeWei = bound(maxFeeWei, 1, 1e40);
        fixedFeeWei = bound(fixedFeeWei, 0, maxFeeWei);
        mintedSats = uint64(bound(mintedSats, 1, MAX_BTC_SATS));
        feePolicy.setParameters(feeBps, weiPerSat, fixedFeeWei, maxFeeWei);
        uint256 expected = fixedFeeWei + (uint256(mintedSats) * weiPerSat * feeBps) / 10_000;
        if (expected > maxFeeWei) expected = maxFeeWei;
        assertEq(feePolicy.quote(mintedSats), expected);
    }

    function testFuzz_setParameters_revertsIfBpsAboveMax(uint16 feeBps) public {
        feeBps = uint16(bound(feeBps, feePolicy.MAX_FEE_BPS() + 1, type(uint16).max));
        vm.expectRevert(
            abi.encodeWithSelector(IFeePolicy.FeePolicyBpsTooHigh.selector, feeBps, feePolicy.MAX_FEE_BPS())
        );
        feePolicy.setParameters(feeBps, 1, 0, 1);
    }

    function testFuzz_setParameters_revertsIfCapBelowFixed(uint256 fixedFeeWei, uint256 maxFeeWei) public {
        fixedFeeWei = bound(fixedFeeWei, 1, type(uint256).max);
        maxFeeWei = bound(maxFeeWei, 0, fixedFeeWei - 1);
        vm.expectRevert(abi.encodeWithSelector(IFeePolicy.FeePolicyInvalidCap.selector, fixedFeeWei, maxFeeWei));
        feePolicy.setParameters(1, 1, fixedFeeWei, maxFeeWei);
    }

    /*//////////////////////////////////////////////////////////////
                                FeeVault
    //////////////////////////////////////////////////////////////*/

    function testFuzz_spendFrom_paysOnlyIfCovered(uint256 depositWei, uint256 feeWei) public {
        depositWei = bound(depositWei, 1, 1_000 ether);
        feeWei = bound(feeWei, 0, 2_000 ether);
        vm.deal(address(this), depositWei);
        feeVault.depositETH{value: depositWei}(alice);

        bool paid = feeVault.spendFrom(alice, feeWei);

        bool covered = feeWei != 0 && feeWei <= depositWei;
        assertEq(paid, covered, "paid iff covered");
        assertEq(feeVault.balanceOf(alice), covered ? depositWei - feeWei : depositWei, "user balance");
        assertEq(feeVault.accruedFeesWei(), covered ? feeWei : 0, "accrued");
        assertEq(address(feeVault).balance, feeVault.totalDepositsWei() + feeVault.accruedFeesWei(), "conservation");
    }

    function testFuzz_withdraw_revertsIfAboveBalance(uint256 depositWei, uint256 excessWei) public {
        depositWei = bound(depositWei, 1, 1_000 ether);
        excessWei = bound(excessWei, 1, 1_000 ether);
        vm.deal(alice, depositWei);
        vm.startPrank(alice);
        feeVault.depositETH{value: depositWei}(alice);
        vm.expectRevert(
            abi.encodeWithSignature(
                "FeeVaultInsufficientBalance(address,uint256,uint256)",
                alice,
                depositWei,
                depositWei + excessWei
            )
        );
        feeVault.withdraw(depositWei + excessWei);
        vm.stopPrank();
    }

    /// (e) A user who empties their FeeVault cannot avoid a burn: the fee is refused, the burn still applies.
    function testFuzz_burn_succeedsIfFeeVaultEmpty(
        uint256 mintSats,
        uint256 wrapSats,
        uint256 burnSats,
        uint256 depositWei,
        uint256 feeWei
    ) public {
        mintSats = bound(mintSats, 1, MAX_BTC_SATS);
        wrapSats = bound(wrapSats, 0, mintSats);
        burnSats = bound(burnSats, 1, mintSats);
        depositWei = bound(depositWei, 1, 100 ether);
        feeWei = bound(feeWei, 1, 100 ether);
        rbtc.mint(alice, uint64(mintSats));
        vm.deal(alice, depositWei);
        vm.startPrank(alice);
        if (wrapSats != 0) wrbtc.wrap(uint64(wrapSats));
        feeVault.depositETH{value: depositWei}(alice);
        feeVault.withdraw(depositWei);
        vm.stopPrank();
        assertEq(feeVault.balanceOf(alice), 0, "vault emptied");

        assertFalse(feeVault.spendFrom(alice, feeWei), "fee refused");
        (, uint64 fromEscrow) = rbtc.burn(alice, uint64(burnSats));
        if (fromEscrow != 0) wrbtc.slash(alice, fromEscrow);

        assertEq(rbtc.totalBackedOf(alice), mintSats - burnSats, "burn applied");
        assertEq(wrbtc.totalSupply(), uint256(rbtc.totalEscrow()) + wrbtc.uncoveredSats(), "supply backing");
    }

    function test_spendFrom_returnsFalseIfVaultEmptyAndBurnStillApplies() public {
        rbtc.mint(alice, 1_000);
        assertFalse(feeVault.spendFrom(alice, 1), "empty vault pays nothing");
        rbtc.burn(alice, 400);
        assertEq(rbtc.totalBackedOf(alice), 600);
    }
}

/// @notice Invariants (a)/(b)/(e) over random mint/burn(+slash)/wrap/redeem/transfer/retire/cover/fee sequences by four
///         users.
contract LedgerInvariantTest is Test {
    RBTCSynth internal rbtc;
    WrBTC internal wrbtc;
    FeeVault internal feeVault;
    LedgerHandler internal handler;

    function setUp() public {
        rbtc = new RBTCSynth(address(this));
        wrbtc = new WrBTC(address(this), address(rbtc));
        feeVault = new FeeVault(address(this), makeAddr("treasury"));
        handler = new LedgerHandler(rbtc, wrbtc, feeVault);
        rbtc.wire(address(handler), address(wrbtc));
        wrbtc.setOracle(address(handler));
        feeVault.setOracle(address(handler));
        targetContract(address(handler));
    }

    /// (b) Every wrBTC is backed by escrow or recorded as uncovered deficit.
    function invariant_wrbtcSupplyEqualsEscrowPlusUncovered() public view {
        assertEq(wrbtc.totalSupply(), uint256(rbtc.totalEscrow()) + wrbtc.uncoveredSats());
    }

    /// Σ users (free + escrow) == rBTC supply, and the packed totals agree with the per-user slots.
    function invariant_usersSumToRbtcTotals() public view {
        address[] memory actors = handler.actors();
        uint256 sumFree;
        uint256 sumEscrow;
        for (uint256 i = 0; i < actors.length; ++i) {
            sumFree += rbtc.freeBalanceOf(actors[i]);
            sumEscrow += rbtc.escrowOf(actors[i]);
            assertEq(rbtc.balanceOf(actors[i]), rbtc.totalBackedOf(actors[i]));
        }
        assertEq(sumFree, rbtc.totalFree(), "free");
        assertEq(sumEscrow, rbtc.totalEscrow(), "escrow");
        assertEq(sumFree + sumEscrow, rbtc.totalSupply(), "supply");
    }

    /// (a) Each user's free + escrow equals the total the oracle last attested, whatever they wrapped or redeemed.
    function invariant_totalBackedEqualsAttested() public view {
        address[] memory actors = handler.actors();
        for (uint256 i = 0; i < actors.length; ++i) {
            assertEq(rbtc.totalBackedOf(actors[i]), handler.ghostAttestedSats(actors[i]));
        }
    }

    /// The deficit is never hidden: the total equals Σ per-user deficits and Σ slash results − Σ retired − Σ covered.
    function invariant_uncoveredMatchesSlashes() public view {
        address[] memory actors = handler.actors();
        uint256 sumUncovered;
        for (uint256 i = 0; i < actors.length; ++i) {
            sumUncovered += wrbtc.uncoveredOf(actors[i]);
        }
        assertEq(wrbtc.uncoveredSats(), sumUncovered, "per user");
        assertEq(wrbtc.uncoveredSats(), handler.ghostUncoveredSats(), "ghost");
    }

    /// Only the actors hold wrBTC, so their balances sum to the supply.
    function invariant_wrbtcHeldByActorsEqualsSupply() public view {
        address[] memory actors = handler.actors();
        uint256 sumHeld;
        for (uint256 i = 0; i < actors.length; ++i) {
            sumHeld += wrbtc.balanceOf(actors[i]);
        }
        assertEq(sumHeld, wrbtc.totalSupply());
    }

    function invariant_supplyWithinBitcoinBound() public view {
        assertLe(rbtc.totalSupply(), MAX_BTC_SATS);
    }

    /// (e) No burn within a user's position ever reverts (fees are never consulted, an empty vault changes nothing),
    /// and every burn takes free first, then escrow.
    function invariant_burnNeverBlockedAndSplitsFreeFirst() public view {
        assertEq(handler.ghostBurnReverts(), 0, "burn reverted");
        assertEq(handler.ghostBadSplits(), 0, "bad split");
    }

    function invariant_feeVaultConserved() public view {
        assertEq(address(feeVault).balance, feeVault.totalDepositsWei() + feeVault.accruedFeesWei());
    }
}

/// @notice Invariant (c): FeeVault conservation under random deposits, withdrawals, spends and sweeps.
contract FeeVaultInvariantTest is Test {
    FeeVault internal feeVault;
    FeeVaultHandler internal handler;
    address internal treasury = makeAddr("treasury");

    function setUp() public {
        feeVault = new FeeVault(address(this), treasury);
        handler = new FeeVaultHandler(feeVault);
        feeVault.setOracle(address(handler));
        targetContract(address(handler));
    }

    /// (c) The ETH held equals Σ user balances (ghost) + accrued fees.
    function invariant_balanceEqualsUserBalancesPlusAccrued() public view {
        address[] memory actors = handler.actors();
        uint256 sumGhost;
        for (uint256 i = 0; i < actors.length; ++i) {
            sumGhost += handler.ghostBalanceWei(actors[i]);
        }
        assertEq(address(feeVault).balance, sumGhost + feeVault.accruedFeesWei());
    }

    function invariant_userBalancesMatchGhostAndTotal() public view {
        address[] memory actors = handler.actors();
        uint256 sumBalances;
        for (uint256 i = 0; i < actors.length; ++i) {
            assertEq(feeVault.balanceOf(actors[i]), handler.ghostBalanceWei(actors[i]));
            sumBalances += feeVault.balanceOf(actors[i]);
        }
        assertEq(feeVault.totalDepositsWei(), sumBalances);
    }

    /// Every charged fee is either still accrued or already at the treasury.
    function invariant_feesAccruedOrSwept() public view {
        assertEq(handler.ghostSpentWei(), handler.ghostSweptWei() + feeVault.accruedFeesWei(), "spent");
        assertEq(treasury.balance, handler.ghostSweptWei(), "treasury");
    }

    function invariant_spendFromPaysExactlyIfCovered() public view {
        assertEq(handler.ghostSpendMismatches(), 0);
    }
}
