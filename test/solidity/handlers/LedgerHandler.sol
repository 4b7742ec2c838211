// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {FeeVault} from "../../../contracts/fees/FeeVault.sol";
import {MAX_BTC_SATS} from "../../../contracts/libraries/Constants.sol";
import {RBTCSynth} from "../../../contracts/token/RBTCSynth.sol";
import {WrBTC} from "../../../contracts/token/WrBTC.sol";

/// @notice Drives rBTC, wrBTC and the FeeVault for the ledger invariants. It is wired as the Oracle of all three, so
///         `mint`/`burn` here play the committee's sync (burn: free → escrow → slash, never consulting fees), while
///         users wrap, redeem, transfer wrBTC, retire or cover uncovered deficits and fund or empty their fee vault in
///         between.
contract LedgerHandler is Test {
    uint256 internal constant ACTOR_COUNT = 4;
    uint256 internal constant MAX_FEE_DEPOSIT_WEI = 10 ether;

    RBTCSynth public immutable rbtc;
    WrBTC public immutable wrbtc;
    FeeVault public immutable feeVault;

    address[] internal _actors;

    /// @notice Ghost: the total the committee last attested per user (Σ mints − Σ burns).
    mapping(address user => uint256 attestedSats) public ghostAttestedSats;
    /// @notice Ghost: Σ uncovered amounts returned by `slash` − Σ retired − Σ covered.
    uint256 public ghostUncoveredSats;
    /// @notice Ghost: deficit retired by burning wrBTC, and covered by escrowing rBTC (show the paths are exercised).
    uint256 public ghostRetiredSats;
    uint256 public ghostCoveredSats;
    /// @notice Ghost: burns that reverted although they were within the user's position (must stay 0).
    uint256 public ghostBurnReverts;
    /// @notice Ghost: burns applied to a user whose fee vault was empty (shows the case is exercised).
    uint256 public ghostBurnsWithEmptyVault;
    /// @notice Ghost: burns whose split differed from "free first, then escrow" (must stay 0).
    uint256 public ghostBadSplits;

    constructor(RBTCSynth rbtc_, WrBTC wrbtc_, FeeVault feeVault_) {
        rbtc = rbtc_;
        wrbtc = wrbtc_;
        feeVault = feeVault_;
        for (uint256 i = 0; i < ACTOR_COUNT; ++i) {
            _actors.push(makeAddr(string.concat("actor", vm.toString(i))));
        }
    }

    function actors() external view returns (address[] memory) {
        return _actors;
    }

    /*//////////////////////////////////////////////////////////////
                               ORACLE ROLE
    //////////////////////////////////////////////////////////////*/

    function mint(uint256 actorSeed, uint256 amountSats) external {
        address user = _actor(actorSeed);
        uint256 roomSats = MAX_BTC_SATS - rbtc.totalSupply();
        if (roomSats == 0) return;
        amountSats = bound(amountSats, 1, roomSats);
        rbtc.mint(user, uint64(amountSats));
        ghostAttestedSats[user] += amountSats;
    }

    function burn(uint256 actorSeed, uint256 amountSats) external {
        address user = _actor(actorSeed);
        uint64 freeSats = rbtc.freeBalanceOf(user);
        uint256 totalSats = rbtc.totalBackedOf(user);
        if (totalSats == 0) return;
        amountSats = bound(amountSats, 1, totalSats);
        if (feeVault.balanceOf(user) == 0) ++ghostBurnsWithEmptyVault;
        try rbtc.burn(user, uint64(amountSats)) returns (uint64 fromFreeSats, uint64 fromEscrowSats) {
            uint256 expectedFree = amountSats < freeSats ? amountSats : freeSats;
            if (fromFreeSats != expectedFree || fromEscrowSats != amountSats - expectedFree) ++ghostBadSplits;
            ghostAttestedSats[user] -= amountSats;
            if (fromEscrowSats != 0) {
                (, uint64 uncoveredSats) = wrbtc.slash(user, fromEscrowSats);
                ghostUncoveredSats += uncoveredSats;
            }
        } catch {
            ++ghostBurnReverts;
        }
    }

    function chargeFee(uint256 actorSeed, uint256 feeWei) external {
        address user = _actor(actorSeed);
        feeWei = bound(feeWei, 0, MAX_FEE_DEPOSIT_WEI);
        feeVault.spendFrom(user, feeWei);
    }

    /*//////////////////////////////////////////////////////////////
                               USER ACTIONS
    //////////////////////////////////////////////////////////////*/

    function wrap(uint256 actorSeed, uint256 amountSats) external {
        address user = _actor(actorSeed);
        uint64 freeSats = rbtc.freeBalanceOf(user);
        if (freeSats == 0) return;
        amountSats = bound(amountSats, 1, freeSats);
        vm.prank(user);
        wrbtc.wrap(uint64(amountSats));
    }

    function redeem(uint256 actorSeed, uint256 amountSats) external {
        address user = _actor(actorSeed);
        uint256 escrowSats = rbtc.escrowOf(user);
        uint256 heldSats = wrbtc.balanceOf(user);
        uint256 maxSats = escrowSats < heldSats ? escrowSats : heldSats;
        if (maxSats == 0) return;
        amountSats = bound(amountSats, 1, maxSats);
        vm.prank(user);
        wrbtc.redeem(uint64(amountSats));
    }

    function transferWrbtc(uint256 fromSeed, uint256 toSeed, uint256 amountSats) external {
        address from = _actor(fromSeed);
        address to = _actor(toSeed);
        uint256 heldSats = wrbtc.balanceOf(from);
        if (heldSats == 0) return;
        amountSats = bound(amountSats, 1, heldSats);
        vm.prank(from);
        wrbtc.transfer(to, amountSats);
    }

    /// @notice An actor burns its wrBTC against a user's deficit (e.g. the treasury after buying wrBTC back).
    function retireUncovered(uint256 actorSeed, uint256 userSeed, uint256 amountSats) external {
        address caller = _actor(actorSeed);
        address user = _actor(userSeed);
        uint256 maxSats = _min(wrbtc.uncoveredOf(user), wrbtc.balanceOf(caller));
        if (maxSats == 0) return;
        amountSats = bound(amountSats, 1, maxSats);
        vm.prank(caller);
        wrbtc.retireUncovered(user, uint64(amountSats));
        ghostUncoveredSats -= amountSats;
        ghostRetiredSats += amountSats;
    }

    /// @notice An actor escrows its free rBTC for a user's deficit (e.g. the user after bringing the BTC back).
    function coverUncovered(uint256 actorSeed, uint256 userSeed, uint256 amountSats) external {
        address caller = _actor(actorSeed);
        address user = _actor(userSeed);
        uint256 maxSats = _min(wrbtc.uncoveredOf(user), rbtc.freeBalanceOf(caller));
        if (maxSats == 0) return;
        amountSats = bound(amountSats, 1, maxSats);
        vm.prank(caller);
        wrbtc.coverUncovered(user, uint64(amountSats));
        ghostUncoveredSats -= amountSats;
        ghostCoveredSats += amountSats;
    }

    function depositFee(uint256 actorSeed, uint256 amountWei) external {
        address user = _actor(actorSeed);
        amountWei = bound(amountWei, 1, MAX_FEE_DEPOSIT_WEI);
        vm.deal(address(this), address(this).balance + amountWei);
        feeVault.depositETH{value: amountWei}(user);
    }

    function withdrawAllFees(uint256 actorSeed) external {
        address user = _actor(actorSeed);
        uint256 balanceWei = feeVault.balanceOf(user);
        if (balanceWei == 0) return;
        vm.prank(user);
        feeVault.withdraw(balanceWei);
    }

    function _actor(uint256 seed) internal view returns (address) {
        return _actors[seed % _actors.length];
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }
}
