// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {console} from "forge-std/console.sol";

import {IDisputeManager} from "../../contracts/interfaces/IDisputeManager.sol";
import {IFeePolicy} from "../../contracts/interfaces/IFeePolicy.sol";
import {IFeeVault} from "../../contracts/interfaces/IFeeVault.sol";
import {IOracle} from "../../contracts/interfaces/IOracle.sol";
import {IProofOfReserves} from "../../contracts/interfaces/IProofOfReserves.sol";
import {IRBTCSynth} from "../../contracts/interfaces/IRBTCSynth.sol";
import {IYieldScalesPool} from "../../contracts/interfaces/IYieldScalesPool.sol";
import {MockStable} from "../../contracts/mocks/MockStable.sol";
import {HostileHook} from "./handlers/HostileHook.sol";
import {OracleSigner} from "./handlers/OracleSigner.sol";
import {SystemGhosts} from "./handlers/SystemGhosts.sol";
import {SystemHandler} from "./handlers/SystemHandler.sol";
import {IOracleView, IWrBTCToken} from "./handlers/SystemInterfaces.sol";

/// @notice The whole system, deployed for real from the contracts' artifacts (Oracle with its linked libraries,
///         RBTCSynth, WrBTC, FeePolicy, FeeVault, DisputeManager, ProofOfReserves, YieldScalesPool; a 2-of-3 committee
///         whose keys come from vm.addr), driven by `SystemHandler` through every state transition. This contract is
///         the admin of everything; the handler holds the Oracle's CONFIG and GUARDIAN roles and the DisputeManager's
///         RESOLVER role.
abstract contract SystemBase is OracleSigner {
    uint256 internal constant ACTION_COUNT = 41;
    uint64 internal constant USER_CAP_SATS = 1_000_000;
    uint64 internal constant GLOBAL_CAP_SATS = 2_500_000;

    IRBTCSynth internal rbtc;
    IWrBTCToken internal wrbtc;
    IFeePolicy internal feePolicy;
    IFeeVault internal feeVault;
    IOracleView internal oracle;
    IDisputeManager internal disputes;
    IProofOfReserves internal reserves;
    MockStable internal stable;
    IYieldScalesPool internal pool;
    HostileHook internal hostileHook;
    SystemHandler internal handler;

    address internal feeTreasury = makeAddr("system-fee-treasury");
    address internal disputeTreasury = makeAddr("system-dispute-treasury");

    function _deploySystem() internal {
        vm.warp(1_700_000_000);
        address self = address(this);
        rbtc = IRBTCSynth(_deployArtifact("RBTCSynth.sol:RBTCSynth", abi.encode(self)));
        wrbtc = IWrBTCToken(_deployArtifact("WrBTC.sol:WrBTC", abi.encode(self, address(rbtc))));
        feePolicy = IFeePolicy(
            _deployArtifact("FeePolicy.sol:FeePolicy", abi.encode(self, uint16(50), 300_000_000_000, 1e14, 1e16))
        );
        feeVault = IFeeVault(_deployArtifact("FeeVault.sol:FeeVault", abi.encode(self, feeTreasury)));
        IOracle.Config memory config = IOracle.Config({
            operators: _makeOperators(3),
            threshold: 2,
            minConfirmations: 3,
            mintWindowSeconds: 1 days,
            userMintCapSats: USER_CAP_SATS,
            globalMintCapSats: GLOBAL_CAP_SATS,
            mintDelaySeconds: 1 hours,
            maxReportValiditySeconds: 6 hours,
            maxBtcHeightLag: 144
        });
        oracle = IOracleView(
            _deployArtifact(
                "Oracle.sol:Oracle",
                abi.encode(self, address(rbtc), address(wrbtc), address(feeVault), address(feePolicy), config)
            )
        );
        rbtc.wire(address(oracle), address(wrbtc));
        wrbtc.setOracle(address(oracle));
        feeVault.setOracle(address(oracle));
        oracle.setFeeGracePeriod(2 hours);

        disputes = IDisputeManager(
            _deployArtifact(
                "DisputeManager.sol:DisputeManager",
                abi.encode(self, address(oracle), disputeTreasury, 1 days, 3 hours, 0.01 ether, 0.005 ether)
            )
        );
        oracle.setDisputeManager(address(disputes));
        vm.deal(self, 1 ether);
        disputes.fundRewards{value: 1 ether}();

        reserves = IProofOfReserves(
            _deployArtifact(
                "ProofOfReserves.sol:ProofOfReserves",
                abi.encode(self, address(oracle), address(rbtc), address(wrbtc), 1 days)
            )
        );
        wrbtc.setReserves(address(reserves));

        stable = new MockStable();
        pool = IYieldScalesPool(
            _deployArtifact(
                "YieldScalesPool.sol:YieldScalesPool",
                abi.encode(
                    self,
                    address(rbtc),
                    address(wrbtc),
                    address(oracle),
                    address(stable),
                    address(stable),
                    uint16(500),
                    1e33,
                    1e18
                )
            )
        );
        stable.mint(self, 1e24);
        stable.approve(address(pool), type(uint256).max);
        pool.fundRewards(1e24);
        oracle.setBalanceHook(address(pool));
        hostileHook = new HostileHook(oracle, disputes);

        handler = new SystemHandler(
            SystemGhosts.Deployment({
                oracle: oracle,
                rbtc: rbtc,
                wrbtc: wrbtc,
                feeVault: feeVault,
                feePolicy: feePolicy,
                disputes: disputes,
                reserves: reserves,
                pool: pool,
                stable: IERC20(address(stable)),
                hostileHook: hostileHook,
                feeTreasury: feeTreasury
            }),
            _operatorKeys
        );
        IAccessControl(address(oracle)).grantRole(keccak256("CONFIG_ROLE"), address(handler));
        IAccessControl(address(oracle)).grantRole(keccak256("GUARDIAN_ROLE"), address(handler));
        IAccessControl(address(disputes)).grantRole(keccak256("RESOLVER_ROLE"), address(handler));
        handler.initialize();
        // Three actors prepay fees, one starts with an empty FeeVault (her first rise is deferred).
        handler.depositFee(0, 0.2 ether, false);
        handler.depositFee(1, 0.2 ether, true);
        handler.depositFee(2, 0.05 ether, false);
        handler.syncAny(0, 600_000);
        handler.syncAny(1, 1_800_000);
        handler.syncAny(2, 300_000);
        handler.syncAny(3, 200_000);
    }

    /// @dev Deploys a contract from its compiled artifact (the runner links the Oracle's libraries). The system is
    ///      deployed this way and used through its interfaces because one WebAssembly solc job compiling the Oracle,
    ///      the pool, the DisputeManager and the handler together crashes ("memory access out of bounds").
    function _deployArtifact(string memory artifact, bytes memory constructorArgs) internal returns (address deployed) {
        bytes memory code = bytes.concat(vm.getCode(artifact), constructorArgs);
        assembly ("memory-safe") {
            deployed := create(0, add(code, 0x20), mload(code))
        }
        require(deployed != address(0), string.concat("deploying ", artifact, " failed"));
    }

    /// @dev The handler's actions (its views, ghosts and `revokeAs` are not fuzzed).
    function _actions() internal view returns (bytes4[] memory selectors) {
        selectors = new bytes4[](ACTION_COUNT);
        selectors[0] = handler.syncAny.selector;
        selectors[1] = handler.syncRise.selector;
        selectors[2] = handler.syncDrop.selector;
        selectors[3] = handler.syncUnchanged.selector;
        selectors[4] = handler.syncPair.selector;
        selectors[5] = handler.signPendingDrop.selector;
        selectors[6] = handler.signPendingAny.selector;
        selectors[7] = handler.submitPending.selector;
        selectors[8] = handler.replayRecent.selector;
        selectors[9] = handler.bind.selector;
        selectors[10] = handler.revoke.selector;
        selectors[11] = handler.commitReserves.selector;
        selectors[12] = handler.resolveDispute.selector;
        selectors[13] = handler.cancelQueuedMint.selector;
        selectors[14] = handler.togglePause.selector;
        selectors[15] = handler.setHookMode.selector;
        selectors[16] = handler.openDispute.selector;
        selectors[17] = handler.expireDispute.selector;
        selectors[18] = handler.executeQueuedMint.selector;
        selectors[19] = handler.emergencyBurnFeeExhausted.selector;
        selectors[20] = handler.exhaustFees.selector;
        selectors[21] = handler.depositFee.selector;
        selectors[22] = handler.withdrawFee.selector;
        selectors[23] = handler.sweepFees.selector;
        selectors[24] = handler.unbind.selector;
        selectors[25] = handler.wrap.selector;
        selectors[26] = handler.redeem.selector;
        selectors[27] = handler.transferWrbtc.selector;
        selectors[28] = handler.sellWrbtc.selector;
        selectors[29] = handler.retireUncovered.selector;
        selectors[30] = handler.coverUncovered.selector;
        selectors[31] = handler.join.selector;
        selectors[32] = handler.stake.selector;
        selectors[33] = handler.unstake.selector;
        selectors[34] = handler.leave.selector;
        selectors[35] = handler.slashStake.selector;
        selectors[36] = handler.poke.selector;
        selectors[37] = handler.claim.selector;
        selectors[38] = handler.warp.selector;
        selectors[39] = handler.delayBurnAttempt.selector;
        selectors[40] = handler.lossWhileStaked.selector;
    }

    /// @dev Asserts the handler recorded no violation of `property`, then none at all (every campaign checks every
    ///      property after every call; the message names the first one broken).
    function _assertHeld(SystemGhosts.Property property) internal view {
        assertEq(handler.violations(uint256(property)), 0, handler.firstViolation(uint256(property)));
        assertEq(handler.totalViolations(), 0, handler.firstAnyViolation());
    }
}

/// @notice Invariants of issue 15 ("What must hold") over any interleaving of everything anyone can do.
contract SystemInvariantTest is SystemBase {
    function setUp() public {
        _deploySystem();
        targetContract(address(handler));
        targetSelector(FuzzSelector({addr: address(handler), selectors: _actions()}));
    }

    /// @notice Every property of this suite, after every call of one campaign. The handler checks each property
    ///         after each step anyway, so one campaign per property (sixteen) would explore no deeper than one and
    ///         cost sixteen times as much; the time goes into longer sequences instead (disputes open, age, expire).
    /// hardhat-config: invariant.depth = 100
    function invariant_systemProperties() public view {
        _checkBackedPlusQueuedEqualsAttested();
        _checkSignedReportChangesStateAtMostOnce();
        _checkNoReportRaisesAfterALaterOutOfBandChange();
        _checkReportOutcomesMatchTheSpec();
        _checkFrozenUserBackedTotalNeverRises();
        _checkCommitteeDropsAlwaysApply();
        _checkValidBatchesAndActionsNeverRevert();
        _checkWrbtcSupplyEqualsEscrowPlusUncovered();
        _checkUncoveredWrbtcEarnsNothing();
        _checkFeeVaultConserved();
        _checkDisputeBondsConserved();
        _checkFreezeIsConsistent();
        _checkHooksNeverReenter();
        _checkFeeExhaustedOnlyForAReconfirmedRise();
        _checkPoolBooksBacked();
        _checkReservesGateMatchesBacking();
    }

    /// @notice Per user: rbtc.totalBackedOf + queued == attested, and attested is what the spec says it is.
    function _checkBackedPlusQueuedEqualsAttested() internal view {
        address[] memory actors = handler.actors();
        for (uint256 i = 0; i < actors.length; ++i) {
            IOracle.UserView memory u = oracle.userState(actors[i]);
            assertEq(uint256(rbtc.totalBackedOf(actors[i])) + u.queuedSats, u.attestedSats, "backed + queued");
            assertEq(u.attestedSats, handler.modelOf(actors[i]).attested, "attested == spec");
        }
        _assertHeld(SystemGhosts.Property.ACCOUNTING);
    }

    /// @notice A committee-signed report (submitted by anyone, any number of times) changes state at most once.
    function _checkSignedReportChangesStateAtMostOnce() internal view {
        _assertHeld(SystemGhosts.Property.AT_MOST_ONCE);
    }

    /// @notice A signed report never applies after a later hard reset of its user (upheld dispute, FEE_EXHAUSTED,
    ///         revocation), and never raises a total after a later soft change (unbind, dispute closed) or a freeze.
    function _checkNoReportRaisesAfterALaterOutOfBandChange() internal view {
        _assertHeld(SystemGhosts.Property.NO_CHANGE_AFTER_OOB);
    }

    /// @notice Every report's outcome (applied, or skipped with which reason) and every user's sequence, freeze,
    ///         binding count and deferral match a model written from the issue-15 specification.
    function _checkReportOutcomesMatchTheSpec() internal view {
        _assertHeld(SystemGhosts.Property.SPEC_OUTCOME);
    }

    /// @notice A frozen user's backed, escrowed and attested totals never rise (only the resolver's decision may);
    ///         her queued mint cannot execute and she cannot wrap.
    function _checkFrozenUserBackedTotalNeverRises() internal view {
        _assertHeld(SystemGhosts.Property.FROZEN_NEVER_RISES);
    }

    /// @notice Nothing anyone but the committee does makes a drop not apply: a committee-signed drop that is the
    ///         newest word on its user, with no resolution, revocation, FEE_EXHAUSTED or guardian cancellation since
    ///         it was signed, leaves her attested total exactly at the drop — whatever disputes, unbinds, pauses, fee
    ///         balances and hooks did in between.
    function _checkCommitteeDropsAlwaysApply() internal view {
        _assertHeld(SystemGhosts.Property.DROPS_APPLY);
    }

    /// @notice Valid committee batches never revert (whatever users, third parties and hooks did), nor do the other
    ///         actions the handler only takes when they are valid.
    function _checkValidBatchesAndActionsNeverRevert() internal view {
        _assertHeld(SystemGhosts.Property.NEVER_REVERTS);
    }

    /// @notice wrBTC supply == escrow + uncovered, and uncovered == Σ uncoveredOf.
    function _checkWrbtcSupplyEqualsEscrowPlusUncovered() internal view {
        assertEq(wrbtc.totalSupply(), uint256(rbtc.totalEscrow()) + wrbtc.uncoveredSats(), "supply");
        address[] memory actors = handler.actors();
        uint256 sum;
        for (uint256 i = 0; i < actors.length; ++i) sum += wrbtc.uncoveredOf(actors[i]);
        assertEq(sum, wrbtc.uncoveredSats(), "sum of uncoveredOf");
        _assertHeld(SystemGhosts.Property.WRBTC_BACKING);
    }

    /// @notice Uncovered wrBTC earns nothing. What the contracts guarantee: a holder with uncoveredOf > 0 is not ACTIVE
    ///         in the pool (so her weight and accrual are zero) — unless her deficit grew while the Oracle's balance
    ///         hook was not the pool or the hook call failed, and nobody has called `poke(holder)` since; her staked
    ///         wrBTC cannot be unstaked or taken out by `leave` while she is uncovered.
    function _checkUncoveredWrbtcEarnsNothing() internal view {
        address[] memory actors = handler.actors();
        for (uint256 i = 0; i < actors.length; ++i) {
            if (wrbtc.uncoveredOf(actors[i]) == 0 || handler.poolUninformed(actors[i])) continue;
            assertTrue(
                pool.userStatus(actors[i]).state != IYieldScalesPool.HolderState.ACTIVE,
                "uncovered holder active"
            );
        }
        _assertHeld(SystemGhosts.Property.UNCOVERED_EARNS_NOTHING);
    }

    /// @notice FeeVault holds exactly the prepaid balances plus unswept fees; every fee charged is accrued or swept.
    function _checkFeeVaultConserved() internal view {
        assertEq(address(feeVault).balance, feeVault.totalDepositsWei() + feeVault.accruedFeesWei());
        _assertHeld(SystemGhosts.Property.FEE_VAULT);
    }

    /// @notice The DisputeManager holds exactly open bonds + reward funds + owed pulls.
    function _checkDisputeBondsConserved() internal view {
        assertEq(
            address(disputes).balance,
            disputes.openBondsWei() + disputes.rewardFundsWei() + disputes.totalOwedWei()
        );
        _assertHeld(SystemGhosts.Property.DISPUTE_BONDS);
    }

    /// @notice The Oracle's freeze, RBTCSynth's account freeze and the open dispute always agree.
    function _checkFreezeIsConsistent() internal view {
        _assertHeld(SystemGhosts.Property.FREEZE_CONSISTENT);
    }

    /// @notice No balance hook (reverting, burning its gas, re-entering the Oracle or the DisputeManager) ever gets a
    ///         re-entrant call through, or reverts anything.
    function _checkHooksNeverReenter() internal view {
        assertEq(hostileHook.reentrySuccesses(), 0);
        _assertHeld(SystemGhosts.Property.NO_REENTRY);
    }

    /// @notice FEE_EXHAUSTED never burns a user whose unpaid rise was not re-confirmed after the grace period.
    function _checkFeeExhaustedOnlyForAReconfirmedRise() internal view {
        _assertHeld(SystemGhosts.Property.FEE_EXHAUSTED_JUST);
    }

    /// @notice The pool's tokens back its books, and its balance hook never fails within the Oracle's stipend.
    function _checkPoolBooksBacked() internal view {
        assertEq(wrbtc.balanceOf(address(pool)), pool.poolStatus().totalStakedSats);
        _assertHeld(SystemGhosts.Property.POOL);
    }

    /// @notice The secure-mint gate is open iff a fresh round covers the rBTC supply and no wrBTC is uncovered.
    function _checkReservesGateMatchesBacking() internal view {
        _assertHeld(SystemGhosts.Property.RESERVES_GATE);
    }
}

/// @notice A long deterministic walk through the handler: every state transition is reached and no property breaks.
///         Guards the handler itself (a handler that stops reaching a transition makes the invariants vacuous).
contract SystemHandlerCoverageTest is SystemBase {
    function setUp() public {
        _deploySystem();
    }

    function test_handlerReachesEveryTransition() public {
        for (uint256 i = 0; i < 2_000; ++i) {
            _dispatch(uint256(keccak256(abi.encode("system-walk", i))));
        }
        assertEq(handler.totalViolations(), 0, handler.firstAnyViolation());
        string memory counts;
        uint256 missing = type(uint256).max;
        for (uint256 t = 0; t <= uint256(type(SystemGhosts.Transition).max); ++t) {
            counts = string.concat(counts, vm.toString(t), "=", vm.toString(handler.coverage(t)), " ");
            if (handler.coverage(t) == 0 && missing == type(uint256).max) missing = t;
        }
        console.log(string.concat("transitions reached (SystemGhosts.Transition index=count): ", counts));
        assertEq(missing, type(uint256).max, string.concat("a transition was never reached: ", counts));
    }

    /// @dev Calls action `r % ACTION_COUNT` (the list the fuzzer targets) with arguments drawn from `r`.
    function _dispatch(uint256 r) internal {
        uint256 k = r % ACTION_COUNT;
        uint256 a = uint256(keccak256(abi.encode(r, 1)));
        uint256 b = uint256(keccak256(abi.encode(r, 2)));
        uint256 c = uint256(keccak256(abi.encode(r, 3)));
        uint8 small = uint8(a >> 200);
        bool flag = (b >> 255) == 1;
        if (k == 0) handler.syncAny(a, b);
        else if (k == 1) handler.syncRise(a, b);
        else if (k == 2) handler.syncDrop(a, b);
        else if (k == 3) handler.syncUnchanged(a, b);
        else if (k == 4) handler.syncPair(a, b, c, small);
        else if (k == 5) handler.signPendingDrop(a, b);
        else if (k == 6) handler.signPendingAny(a, b);
        else if (k == 7) handler.submitPending(a);
        else if (k == 8) handler.replayRecent(a);
        else if (k == 9) handler.bind(a, b);
        else if (k == 10) handler.revoke(a, b, small);
        else if (k == 11) handler.commitReserves(a, flag);
        else if (k == 12) handler.resolveDispute(a, small, b);
        else if (k == 13) handler.cancelQueuedMint(a);
        else if (k == 14) handler.togglePause(small);
        else if (k == 15) handler.setHookMode(small);
        else if (k == 16) handler.openDispute(a, b, flag);
        else if (k == 17) handler.expireDispute(a, flag);
        else if (k == 18) handler.executeQueuedMint(a);
        else if (k == 19) handler.emergencyBurnFeeExhausted(a);
        else if (k == 20) handler.exhaustFees(a, b);
        else if (k == 21) handler.depositFee(a, b, flag);
        else if (k == 22) handler.withdrawFee(a, b, flag);
        else if (k == 23) handler.sweepFees();
        else if (k == 24) handler.unbind(a, b);
        else if (k == 25) handler.wrap(a, b);
        else if (k == 26) handler.redeem(a, b);
        else if (k == 27) handler.transferWrbtc(a, b, c);
        else if (k == 28) handler.sellWrbtc(a, b);
        else if (k == 29) handler.retireUncovered(a, b);
        else if (k == 30) handler.coverUncovered(a, b, c);
        else if (k == 31) handler.join(a);
        else if (k == 32) handler.stake(a, b);
        else if (k == 33) handler.unstake(a, b);
        else if (k == 34) handler.leave(a);
        else if (k == 35) handler.slashStake(a);
        else if (k == 36) handler.poke(a);
        else if (k == 37) handler.claim(a);
        else if (k == 38) handler.warp(a);
        else if (k == 39) handler.delayBurnAttempt(a, b, small);
        else handler.lossWhileStaked(a, b);
    }
}
