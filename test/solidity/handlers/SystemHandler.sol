// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IOracle} from "../../../contracts/interfaces/IOracle.sol";
import {IYieldScalesPool} from "../../../contracts/interfaces/IYieldScalesPool.sol";
import {HostileHook} from "./HostileHook.sol";
import {SystemGhosts} from "./SystemGhosts.sol";

/// @notice Drives the whole deployed system (real Oracle with its linked libraries, RBTCSynth, WrBTC, FeeVault,
///         FeePolicy, DisputeManager, ProofOfReserves, YieldScalesPool) through every state transition: the committee
///         (signed syncs with rises, drops and unchanged totals, batches of two, withheld "pending" batches, replays of
///         any batch it ever signed, bindings, revocations, reserve rounds), the resolver, the guardian (pause, queue
///         cancellation), the config role (switching the balance hook between the pool, none and a hostile hook), users
///         (unbind, wrap, redeem, transfer, fees, the pool) and third parties (disputes on anyone, expiry, queued-mint
///         execution, FEE_EXHAUSTED, slashStake, poke, submitting old batches). Every action only makes calls that
///         must succeed (a revert of one is a violation), except the negative checks named as such.
contract SystemHandler is SystemGhosts {
    /// @notice A function only the handler calls on itself (to catch its revert) was called by someone else.
    error SystemHandlerOnlySelf(address caller);

    uint256 internal constant MAX_FEE_DEPOSIT_WEI = 0.2 ether;
    uint256 internal constant MIN_BOND_WEI = 0.01 ether;
    uint256 internal constant MAX_SHORT_WARP = 2 hours;
    uint256 internal constant MAX_LONG_WARP = 2 days;

    uint64 internal _btcHeight = 800_000;
    /// @dev Batches signed by `signPending` and not submitted yet.
    uint256[] internal _pendingBatches;
    /// @dev Every BTC address ever bound (some are free again after an unbind or a revocation).
    string[] internal _addresses;

    constructor(Deployment memory d, uint256[] memory operatorKeys) SystemGhosts(d, operatorKeys) {}

    /// @notice One-time setup by the test (the fuzzer is not targeted at it): pool approvals and one address each.
    function initialize() external {
        if (_addresses.length != 0) return;
        for (uint256 i = 0; i < ACTOR_COUNT; ++i) {
            vm.prank(_actors[i]);
            wrbtc.approve(address(pool), type(uint256).max);
            _bindNew(_actors[i]);
        }
    }

    /*//////////////////////////////////////////////////////////////
                               COMMITTEE
    //////////////////////////////////////////////////////////////*/

    /// @notice The committee reports one user now: any total, a rise, a drop, or the unchanged total.
    function syncAny(uint256 actorSeed, uint256 totalSeed) external step {
        _sync(actorSeed, totalSeed, 0);
    }

    function syncRise(uint256 actorSeed, uint256 totalSeed) external step {
        _sync(actorSeed, totalSeed, 3);
    }

    function syncDrop(uint256 actorSeed, uint256 totalSeed) external step {
        _sync(actorSeed, totalSeed, 2);
    }

    function syncUnchanged(uint256 actorSeed, uint256 totalSeed) external step {
        _sync(actorSeed, totalSeed, 1);
    }

    /// @notice The committee reports two users in one batch.
    function syncPair(uint256 actorSeed, uint256 totalSeedA, uint256 totalSeedB, uint8 kinds) external step {
        IOracle.Report[] memory reports = new IOracle.Report[](2);
        reports[0] = _freshReport(_actor(actorSeed), totalSeedA, kinds);
        reports[1] = _freshReport(_actor(actorSeed + 1 + (kinds % 3)), totalSeedB, kinds >> 2);
        _submit(_signReports(reports));
    }

    /// @notice The committee signs a drop that is not included yet (in the mempool, or withheld by a submitter); it is
    ///         submitted later (`submitPending`), after whatever users and third parties do in between. The hostile
    ///         hook is handed it to re-submit from inside a callback.
    function signPendingDrop(uint256 actorSeed, uint256 totalSeed) external step {
        _signPending(actorSeed, totalSeed, 2);
    }

    /// @notice As `signPendingDrop`, any total.
    function signPendingAny(uint256 actorSeed, uint256 totalSeed) external step {
        _signPending(actorSeed, totalSeed, 0);
    }

    /// @notice Anyone submits a batch the committee signed and nobody submitted yet.
    function submitPending(uint256 slotSeed) external step {
        // Batches whose deadline passed can never be submitted: dropped until a live one is found.
        while (_pendingBatches.length != 0) {
            uint256 pending = _pendingBatches.length;
            uint256 slot = slotSeed % pending;
            uint256 batchIndex = _pendingBatches[slot];
            _pendingBatches[slot] = _pendingBatches[pending - 1];
            _pendingBatches.pop();
            if (_submit(batchIndex)) {
                _cover(Transition.REPLAY_SUBMITTED);
                return;
            }
        }
    }

    /// @notice Anyone re-submits one of the twelve most recent batches (applied or skipped already: a replay).
    function replayRecent(uint256 batchSeed) external step {
        uint256 count = _batches.length;
        if (count == 0) return;
        uint256 batchIndex = count - 1 - (batchSeed % (count < 12 ? count : 12));
        if (_submit(batchIndex)) _cover(Transition.REPLAY_SUBMITTED);
    }

    /// @notice The attack of findings 1, 2 and 4 in one step: the committee signs a drop for a user, the user (or a
    ///         third party) changes her state before it is included — she unbinds an address (`how` 0), disputes
    ///         herself and lets the dispute expire (1), or a third party disputes her and the resolver rejects it (2) —
    ///         then anyone submits the signed drop. It must apply (`DROPS_APPLY`, checked by `_submit`).
    function delayBurnAttempt(uint256 actorSeed, uint256 totalSeed, uint8 how) external step {
        (address user, bool found) = _pick(actorSeed, Need.BOUND);
        if (!found || _model[user].attested == 0 || disputes.openDisputeOf(user) != 0) return;
        IOracle.Report[] memory reports = new IOracle.Report[](1);
        reports[0] = _freshReport(user, totalSeed, 2);
        uint256 batchIndex = _signReports(reports);
        how = how % 3;
        if (how == 0) {
            string[] memory held = oracle.addressesOf(user);
            vm.prank(user);
            oracle.unbindAddress(held[totalSeed % held.length]);
            _model[user].bindings -= 1;
            _modelSoft(user);
        } else {
            if (!_disputable(user)) return;
            address challenger = how == 1 ? user : stranger;
            vm.deal(challenger, challenger.balance + MIN_BOND_WEI);
            vm.prank(challenger);
            uint256 disputeId = disputes.openDispute{value: MIN_BOND_WEI}(user, MAX_REPORT_SATS + 1, "");
            _modelFreeze(user);
            if (how == 1) {
                vm.warp(uint256(disputes.dispute(disputeId).deadline) + 1);
                vm.prank(user);
                disputes.expireDispute(disputeId);
            } else {
                disputes.resolveDispute(disputeId, false, 0);
            }
            _model[user].frozen = false;
            _modelSoft(user);
        }
        _submit(batchIndex);
    }

    /// @notice The user's BTC leaves while her wrBTC sits in the pool: she joins (if needed) and stakes all her wrBTC,
    ///         then the committee reports a total below her escrow, so escrow is burned that no wrBTC in her hands
    ///         covers (BACKING_LOST: an uncovered deficit the pool must stop paying, and anyone may `slashStake`).
    function lossWhileStaked(uint256 actorSeed, uint256 totalSeed) external step {
        (address user, bool found) = _pick(actorSeed, Need.HOLDS_WRBTC);
        if (!found || wrbtc.uncoveredOf(user) != 0) return;
        if (!_isActive(user)) {
            vm.prank(user);
            pool.join();
            _cover(Transition.JOIN);
        }
        uint64 held = uint64(wrbtc.balanceOf(user));
        vm.prank(user);
        pool.stakeWrBTC(held);
        _cover(Transition.STAKE);
        // Queue, then free rBTC, then escrow burn: a total below the escrow burns escrow.
        uint64 escrow = rbtc.escrowOf(user);
        if (escrow == 0) return;
        uint64 total = uint64(_bound(totalSeed, 0, escrow - 1));
        IOracle.Report[] memory reports = new IOracle.Report[](1);
        reports[0] = _freshReport(user, 0, 1);
        reports[0].newTotalSats = total;
        _submit(_signReports(reports));
    }

    /// @notice The committee approves a new binding (a fresh address, or one an earlier owner released).
    function bind(uint256 actorSeed, uint256 addressSeed) external step {
        if (oracle.paused()) return;
        (address user, bool found) = _pick(actorSeed, Need.UNBOUND);
        if (!found) (user, found) = _pick(actorSeed, Need.FEW_BINDINGS);
        if (!found) return;
        string memory btcAddress = _freeAddress(addressSeed);
        if (bytes(btcAddress).length == 0) {
            _bindNew(user);
        } else {
            _bind(oracle, user, btcAddress, THRESHOLD);
            _model[user].bindings += 1;
        }
        _cover(Transition.BIND);
    }

    /// @notice The committee revokes a binding (one call in three: a revocation burns the whole position): one the
    ///         user holds, or an address she no longer holds (unbound first, or someone else's since).
    function revoke(uint256 actorSeed, uint256 addressSeed, uint8 which) external step {
        if (which % 3 == 2) return;
        address user = _actor(actorSeed);
        string[] memory held = oracle.addressesOf(user);
        string memory btcAddress;
        if (which % 3 == 0 && held.length != 0) btcAddress = held[addressSeed % held.length];
        else btcAddress = _addresses[addressSeed % _addresses.length];
        bool bound = oracle.ownerOfBtcAddress(btcAddress) == user;
        try this.revokeAs(user, btcAddress) {} catch (bytes memory reason) {
            _unexpected("revokeBinding", reason);
            return;
        }
        if (bound) _model[user].bindings -= 1;
        _modelHard(user, 0);
        _cover(bound ? Transition.REVOKE_BOUND : Transition.REVOKE_NOT_BOUND);
    }

    /// @dev External so `revoke` can catch its revert (only this handler may call it).
    function revokeAs(address user, string calldata btcAddress) external {
        if (msg.sender != address(this)) revert SystemHandlerOnlySelf(msg.sender);
        _revoke(oracle, user, btcAddress, THRESHOLD);
    }

    /// @notice The committee commits a reserve round (covering the supply, or `short` of it).
    function commitReserves(uint256 extraSeed, bool short) external step {
        uint64 supply = uint64(rbtc.totalSupply());
        uint64 attested =
            short && supply != 0
                ? uint64(_bound(extraSeed, 0, supply - 1))
                : supply + uint64(_bound(extraSeed, 0, 1_000_000));
        _commitRound(attested);
    }

    /*//////////////////////////////////////////////////////////////
                      RESOLVER, GUARDIAN, CONFIG
    //////////////////////////////////////////////////////////////*/

    /// @notice The resolver decides the user's open dispute: 0 rejected, 1 upheld lower (or equal), 2 upheld higher.
    function resolveDispute(uint256 actorSeed, uint8 outcome, uint256 totalSeed) external step {
        (address user, bool found) = _pick(actorSeed, Need.OPEN_DISPUTE);
        if (!found) return;
        uint256 disputeId = disputes.openDisputeOf(user);
        if (block.timestamp > disputes.dispute(disputeId).deadline) return;
        uint64 attested = _model[user].attested;
        outcome = outcome % 3;
        // A raise needs a bound address (the resolution would revert OracleUnboundUser): lower instead.
        if (outcome == 2 && (_model[user].bindings == 0 || attested >= MAX_REPORT_SATS)) outcome = 1;
        uint64 resolved =
            outcome == 2
                ? uint64(_bound(totalSeed, attested + 1, MAX_REPORT_SATS))
                : uint64(_bound(totalSeed, 0, attested));
        try disputes.resolveDispute(disputeId, outcome != 0, resolved) {} catch (bytes memory reason) {
            _unexpected("resolveDispute", reason);
            return;
        }
        _resolvedMask |= 1 << _actorIndex(user);
        if (outcome != 0) _modelHard(user, resolved);
        _model[user].frozen = false;
        _modelSoft(user);
        _cover(
            outcome == 0 ? Transition.REJECTED : (outcome == 1 ? Transition.UPHELD_LOWER : Transition.UPHELD_HIGHER)
        );
    }

    /// @notice The guardian cancels a user's queued mint.
    function cancelQueuedMint(uint256 actorSeed) external step {
        (address user, ) = _pick(actorSeed, Need.QUEUED);
        uint64 queuedSats = oracle.userState(user).queuedSats;
        if (queuedSats == 0) return;
        try oracle.cancelQueuedMint(user) {} catch (bytes memory reason) {
            _unexpected("cancelQueuedMint", reason);
            return;
        }
        _model[user].attested -= queuedSats;
        _cancelClock[user] = _tick();
        _cover(Transition.QUEUE_CANCELLED);
    }

    /// @notice The guardian unpauses the Oracle, or (one call in three) pauses it: rises held, drops and every burn
    ///         still apply.
    function togglePause(uint8 seed) external step {
        if (oracle.paused()) {
            oracle.unpause();
            _cover(Transition.UNPAUSE);
        } else {
            if (seed % 3 != 0) return;
            oracle.pause();
            _cover(Transition.PAUSE);
        }
        _modelPaused = oracle.paused();
    }

    /// @notice The config role installs a balance hook: the pool (half the time), none, or the hostile hook reverting,
    ///         burning its gas or re-entering.
    function setHookMode(uint8 mode) external step {
        mode = mode % 8;
        if (mode < 4) {
            oracle.setBalanceHook(address(pool));
        } else if (mode == 4) {
            oracle.setBalanceHook(address(0));
        } else {
            hostileHook.setMode(HostileHook.Mode(mode - 5));
            oracle.setBalanceHook(address(hostileHook));
        }
    }

    /*//////////////////////////////////////////////////////////////
                       DISPUTES (USERS, THIRD PARTIES)
    //////////////////////////////////////////////////////////////*/

    /// @notice A third party (or, `self`, the user herself: to delay her own burn) disputes a user's total.
    function openDispute(uint256 actorSeed, uint256 claimSeed, bool self) external step {
        (address user, bool found) = _pick(actorSeed, Need.DISPUTABLE);
        if (!found) return;
        IOracle.UserView memory state = oracle.userState(user);
        uint64 claimed = uint64(_bound(claimSeed, 0, MAX_REPORT_SATS));
        if (claimed == state.attestedSats) claimed = state.attestedSats + 1;
        address challenger = self ? user : stranger;
        vm.deal(challenger, challenger.balance + MIN_BOND_WEI);
        vm.prank(challenger);
        try disputes.openDispute{value: MIN_BOND_WEI}(user, claimed, "ipfs://evidence") {} catch (bytes memory reason) {
            _unexpected("openDispute", reason);
            return;
        }
        _modelFreeze(user);
        _cover(self ? Transition.DISPUTE_SELF : Transition.DISPUTE_OPENED);
    }

    /// @notice Anyone (the user herself, `byUser`) expires a user's dispute once its deadline passed (time moves on
    ///         to it when needed).
    function expireDispute(uint256 actorSeed, bool byUser) external step {
        (address user, bool found) = _pick(actorSeed, Need.OPEN_DISPUTE);
        if (!found) return;
        uint256 disputeId = disputes.openDisputeOf(user);
        uint40 deadline = disputes.dispute(disputeId).deadline;
        if (block.timestamp <= deadline) vm.warp(uint256(deadline) + 1);
        vm.prank(byUser ? user : stranger);
        try disputes.expireDispute(disputeId) {} catch (bytes memory reason) {
            _unexpected("expireDispute", reason);
            return;
        }
        _model[user].frozen = false;
        _modelSoft(user);
        _cover(Transition.EXPIRED);
    }

    /*//////////////////////////////////////////////////////////////
                      QUEUE, FEES, EMERGENCY BURNS
    //////////////////////////////////////////////////////////////*/

    /// @notice Anyone executes a user's ready queued mint (time moves on to it when needed). While the user is frozen
    ///         (or the Oracle paused) it must be refused: a negative check.
    function executeQueuedMint(uint256 actorSeed) external step {
        (address user, ) = _pick(actorSeed, Need.QUEUED);
        IOracle.UserView memory state = oracle.userState(user);
        if (state.queuedSats == 0) return;
        if (state.syncFrozen || oracle.paused()) {
            vm.prank(stranger);
            try oracle.executeQueuedMint(user) {
                if (state.syncFrozen) _violate(Property.FROZEN_NEVER_RISES, "a frozen user's queued mint executed");
                else _violate(Property.SPEC_OUTCOME, "a queued mint executed while paused");
            } catch {} // solhint-disable-line no-empty-blocks
            return;
        }
        if (block.timestamp < state.queuedReadyAt) vm.warp(state.queuedReadyAt);
        vm.prank(stranger);
        try oracle.executeQueuedMint(user) {} catch (bytes memory reason) {
            _unexpected("executeQueuedMint", reason);
            return;
        }
        _cover(Transition.QUEUE_EXECUTED);
    }

    /// @notice Anyone triggers FEE_EXHAUSTED. When the spec's conditions do not hold (no re-confirmation after the
    ///         grace period, or the grace period not over) it must be refused: a negative check.
    function emergencyBurnFeeExhausted(uint256 actorSeed) external step {
        (address user, ) = _pick(actorSeed, Need.DEFERRED);
        IOracle.UserView memory state = oracle.userState(user);
        if (state.deferredSats == 0) return;
        uint256 graceEnd = uint256(state.feeUnpaidSince) + oracle.feeGracePeriodSeconds();
        bool eligible = block.timestamp >= graceEnd && state.lastSyncAt >= graceEnd && rbtc.totalBackedOf(user) != 0;
        vm.prank(stranger);
        if (!eligible) {
            try oracle.emergencyBurnFeeExhausted(user) {
                _violate(Property.FEE_EXHAUSTED_JUST, "FEE_EXHAUSTED burned without a re-confirmed unpaid rise");
            } catch {} // solhint-disable-line no-empty-blocks
            return;
        }
        try oracle.emergencyBurnFeeExhausted(user) {} catch (bytes memory reason) {
            _unexpected("emergencyBurnFeeExhausted", reason);
            return;
        }
        _modelHard(user, 0);
        _cover(Transition.FEE_EXHAUSTED);
    }

    /// @notice The whole FEE_EXHAUSTED path in one step: the user empties her fee vault, the committee reports a rise
    ///         (deferred), the grace period passes, the committee re-confirms the rise (deferred again), anyone burns.
    function exhaustFees(uint256 actorSeed, uint256 riseSeed) external step {
        address user = _actor(actorSeed);
        Model storage m = _model[user];
        if (m.frozen || m.bindings == 0 || _modelPaused || m.attested >= MAX_REPORT_SATS) return;
        _withdrawAllFees(user);
        uint64 total = uint64(_bound(riseSeed, m.attested + 1, MAX_REPORT_SATS));
        _syncTotal(user, total);
        vm.warp(block.timestamp + oracle.feeGracePeriodSeconds() + 1);
        _syncTotal(user, total);
        IOracle.UserView memory state = oracle.userState(user);
        if (state.deferredSats == 0 || rbtc.totalBackedOf(user) == 0) return;
        vm.prank(stranger);
        try oracle.emergencyBurnFeeExhausted(user) {} catch (bytes memory reason) {
            _unexpected("emergencyBurnFeeExhausted", reason);
            return;
        }
        _modelHard(user, 0);
        _cover(Transition.FEE_EXHAUSTED);
    }

    function depositFee(uint256 actorSeed, uint256 amountWei, bool byStranger) external step {
        address user = _actor(actorSeed);
        amountWei = _bound(amountWei, 1, MAX_FEE_DEPOSIT_WEI);
        address payer = byStranger ? stranger : user;
        vm.deal(payer, payer.balance + amountWei);
        vm.prank(payer);
        feeVault.depositETH{value: amountWei}(user);
        ghostDepositedWei += amountWei;
    }

    function withdrawFee(uint256 actorSeed, uint256 amountWei, bool all) external step {
        address user = _actor(actorSeed);
        uint256 balanceWei = feeVault.balanceOf(user);
        if (balanceWei == 0) return;
        amountWei = all ? balanceWei : _bound(amountWei, 1, balanceWei);
        vm.prank(user);
        feeVault.withdraw(amountWei);
        ghostWithdrawnWei += amountWei;
    }

    function sweepFees() external step {
        uint256 accruedWei = feeVault.accruedFeesWei();
        if (accruedWei == 0) return;
        feeVault.sweep();
        ghostSweptWei += accruedWei;
        _cover(Transition.FEE_SWEPT);
    }

    /*//////////////////////////////////////////////////////////////
                                 USERS
    //////////////////////////////////////////////////////////////*/

    /// @notice The user unbinds one of her addresses (no signature; also while paused or frozen).
    function unbind(uint256 actorSeed, uint256 addressSeed) external step {
        (address user, ) = _pick(actorSeed, Need.BOUND);
        string[] memory held = oracle.addressesOf(user);
        if (held.length == 0) return;
        vm.prank(user);
        try oracle.unbindAddress(held[addressSeed % held.length]) {} catch (bytes memory reason) {
            _unexpected("unbindAddress", reason);
            return;
        }
        _model[user].bindings -= 1;
        _modelSoft(user);
        _cover(Transition.UNBIND);
    }

    /// @notice The user wraps free rBTC (a fresh reserve round is committed first when the gate is stale). A frozen
    ///         user must be refused: a negative check.
    function wrap(uint256 actorSeed, uint256 amountSats) external step {
        (address user, ) = _pick(actorSeed, Need.FREE_RBTC);
        uint64 freeSats = rbtc.freeBalanceOf(user);
        if (freeSats == 0 || wrbtc.uncoveredSats() != 0) return;
        if (!reserves.isFullyBacked()) _commitRound(uint64(rbtc.totalSupply()));
        uint64 amount = uint64(_bound(amountSats, 1, freeSats));
        bool frozen = oracle.isSyncFrozen(user);
        vm.prank(user);
        if (frozen) {
            try wrbtc.wrap(amount) {
                _violate(Property.FROZEN_NEVER_RISES, "a frozen user wrapped");
            } catch {} // solhint-disable-line no-empty-blocks
            return;
        }
        try wrbtc.wrap(amount) {} catch (bytes memory reason) {
            _unexpected("wrap", reason);
            return;
        }
        _cover(Transition.WRAP);
    }

    function redeem(uint256 actorSeed, uint256 amountSats) external step {
        (address user, ) = _pick(actorSeed, Need.REDEEMABLE);
        uint256 held = wrbtc.balanceOf(user);
        uint256 escrow = rbtc.escrowOf(user);
        uint256 maxSats = held < escrow ? held : escrow;
        if (maxSats == 0) return;
        vm.prank(user);
        try wrbtc.redeem(uint64(_bound(amountSats, 1, maxSats))) {} catch (bytes memory reason) {
            _unexpected("redeem", reason);
            return;
        }
        _cover(Transition.REDEEM);
    }

    /// @notice wrBTC changes hands between actors (or the stranger sells some back to an actor).
    function transferWrbtc(uint256 fromSeed, uint256 toSeed, uint256 amountSats) external step {
        (address from, ) = _pick(fromSeed, Need.HOLDS_WRBTC);
        if (fromSeed % 5 == 4) from = stranger;
        _transferWrbtc(from, _actor(toSeed), amountSats);
    }

    /// @notice An actor sells wrBTC to the stranger (her BTC may leave while it is gone: an uncovered deficit).
    function sellWrbtc(uint256 fromSeed, uint256 amountSats) external step {
        (address from, ) = _pick(fromSeed, Need.HOLDS_WRBTC);
        _transferWrbtc(from, stranger, amountSats);
    }

    /// @notice Someone holding wrBTC burns it against a user's deficit.
    function retireUncovered(uint256 userSeed, uint256 amountSats) external step {
        (address user, ) = _pick(userSeed, Need.UNCOVERED);
        uint64 uncovered = wrbtc.uncoveredOf(user);
        if (uncovered == 0) return;
        address caller = _richestWrbtcHolder();
        uint256 held = wrbtc.balanceOf(caller);
        if (held == 0) return;
        uint64 most = held < uncovered ? uint64(held) : uncovered;
        // Half the time as much as possible (the gate of `wrap` stays closed while anything is uncovered).
        uint64 amount = amountSats % 2 == 0 ? most : uint64(_bound(amountSats >> 1, 1, most));
        vm.prank(caller);
        try wrbtc.retireUncovered(user, amount) {} catch (bytes memory reason) {
            _unexpected("retireUncovered", reason);
            return;
        }
        _cover(Transition.RETIRE);
    }

    /// @notice An unfrozen actor with free rBTC escrows it against a user's deficit.
    function coverUncovered(uint256 userSeed, uint256 callerSeed, uint256 amountSats) external step {
        (address user, ) = _pick(userSeed, Need.UNCOVERED);
        uint64 uncovered = wrbtc.uncoveredOf(user);
        if (uncovered == 0) return;
        (address caller, ) = _pick(callerSeed, Need.FREE_RBTC);
        uint64 freeSats = rbtc.freeBalanceOf(caller);
        if (freeSats == 0 || oracle.isSyncFrozen(caller)) return;
        uint64 most = freeSats < uncovered ? freeSats : uncovered;
        uint64 amount = amountSats % 2 == 0 ? most : uint64(_bound(amountSats >> 1, 1, most));
        vm.prank(caller);
        try wrbtc.coverUncovered(user, amount) {} catch (bytes memory reason) {
            _unexpected("coverUncovered", reason);
            return;
        }
        _cover(Transition.COVER);
    }

    /*//////////////////////////////////////////////////////////////
                                 POOL
    //////////////////////////////////////////////////////////////*/

    function join(uint256 actorSeed) external step {
        (address user, ) = _pick(actorSeed, Need.CAN_JOIN);
        if (_isActive(user) || wrbtc.uncoveredOf(user) != 0) return;
        vm.prank(user);
        try pool.join() {} catch (bytes memory reason) {
            _unexpected("join", reason);
            return;
        }
        _cover(Transition.JOIN);
    }

    function stake(uint256 actorSeed, uint256 amountSats) external step {
        (address user, ) = _pick(actorSeed, Need.CAN_STAKE);
        uint256 held = wrbtc.balanceOf(user);
        if (held == 0 || !_isActive(user) || wrbtc.uncoveredOf(user) != 0) return;
        vm.prank(user);
        try pool.stakeWrBTC(uint64(_bound(amountSats, 1, held))) {} catch (bytes memory reason) {
            _unexpected("stakeWrBTC", reason);
            return;
        }
        _cover(Transition.STAKE);
    }

    /// @notice The user takes staked wrBTC out; refused while she is uncovered (a negative check).
    function unstake(uint256 actorSeed, uint256 amountSats) external step {
        (address user, ) = _pick(actorSeed, Need.STAKED);
        uint64 staked = pool.userStatus(user).stakedSats;
        if (staked == 0) return;
        uint64 amount = uint64(_bound(amountSats, 1, staked));
        bool uncovered = wrbtc.uncoveredOf(user) != 0;
        vm.prank(user);
        if (uncovered) {
            try pool.unstakeWrBTC(amount) {
                _violate(Property.UNCOVERED_EARNS_NOTHING, "an uncovered holder unstaked wrBTC");
            } catch {} // solhint-disable-line no-empty-blocks
            return;
        }
        try pool.unstakeWrBTC(amount) {} catch (bytes memory reason) {
            _unexpected("unstakeWrBTC", reason);
            return;
        }
        _cover(Transition.UNSTAKE);
    }

    /// @notice The user leaves the pool; refused while she is uncovered with a stake (a negative check).
    function leave(uint256 actorSeed) external step {
        address user = _actor(actorSeed);
        IYieldScalesPool.UserStatus memory status = pool.userStatus(user);
        if (status.state == IYieldScalesPool.HolderState.NONE && status.stakedSats == 0 && status.claimable == 0)
            return;
        bool stuck = status.stakedSats != 0 && wrbtc.uncoveredOf(user) != 0;
        vm.prank(user);
        if (stuck) {
            try pool.leave() {
                _violate(Property.UNCOVERED_EARNS_NOTHING, "an uncovered holder left with her stake");
            } catch {} // solhint-disable-line no-empty-blocks
            return;
        }
        try pool.leave() {} catch (bytes memory reason) {
            _unexpected("leave", reason);
            return;
        }
        _cover(Transition.LEAVE);
    }

    /// @notice A third party retires an uncovered holder's deficit from her stake.
    function slashStake(uint256 actorSeed) external step {
        (address user, ) = _pick(actorSeed, Need.STAKED_UNCOVERED);
        if (pool.userStatus(user).stakedSats == 0 || wrbtc.uncoveredOf(user) == 0) return;
        vm.prank(stranger);
        try pool.slashStake(user) {} catch (bytes memory reason) {
            _unexpected("slashStake", reason);
            return;
        }
        _cover(Transition.SLASH_STAKE);
    }

    /// @notice Anyone pokes a holder (an uncovered one is removed).
    function poke(uint256 actorSeed) external step {
        (address user, ) = _pick(actorSeed, Need.ACTIVE_UNCOVERED);
        bool wasActive = _isActive(user);
        pool.poke(user);
        if (wasActive && !_isActive(user)) _cover(Transition.POKE_REMOVED);
    }

    function claim(uint256 actorSeed) external step {
        (address user, ) = _pick(actorSeed, Need.CLAIMABLE);
        if (pool.claimableOf(user) == 0) return;
        vm.prank(user);
        try pool.claim() {} catch (bytes memory reason) {
            _unexpected("claim", reason);
            return;
        }
        _cover(Transition.CLAIM);
    }

    /*//////////////////////////////////////////////////////////////
                                 TIME
    //////////////////////////////////////////////////////////////*/

    /// @notice Time passes (usually minutes to hours; one in eight steps up to two days). An uncovered holder the pool
    ///         was told about earns nothing over it.
    function warp(uint256 secondsSeed) external step {
        uint256 seconds_ =
            secondsSeed % 8 == 0
                ? _bound(secondsSeed >> 8, 1, MAX_LONG_WARP)
                : _bound(secondsSeed >> 8, 1, MAX_SHORT_WARP);
        uint256[ACTOR_COUNT] memory claimable;
        for (uint256 i = 0; i < ACTOR_COUNT; ++i) claimable[i] = pool.claimableOf(_actors[i]);
        vm.warp(block.timestamp + seconds_);
        for (uint256 i = 0; i < ACTOR_COUNT; ++i) {
            address user = _actors[i];
            if (wrbtc.uncoveredOf(user) == 0 || poolUninformed[user]) continue;
            if (pool.claimableOf(user) > claimable[i]) {
                _violate(
                    Property.UNCOVERED_EARNS_NOTHING,
                    string.concat("uncovered actor ", vm.toString(i), " earned")
                );
            }
        }
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    function _sync(uint256 actorSeed, uint256 totalSeed, uint8 kind) internal {
        IOracle.Report[] memory reports = new IOracle.Report[](1);
        reports[0] = _freshReport(_actor(actorSeed), totalSeed, kind);
        _submit(_signReports(reports));
    }

    function _signPending(uint256 actorSeed, uint256 totalSeed, uint8 kind) internal {
        IOracle.Report[] memory reports = new IOracle.Report[](1);
        reports[0] = _freshReport(_actor(actorSeed), totalSeed, kind);
        uint256 batchIndex = _signReports(reports);
        Batch storage batch = _batches[batchIndex];
        hostileHook.setReplay(abi.encodeCall(IOracle.sync, (reports, batch.deadline, batch.signatures)));
        _pendingBatches.push(batchIndex);
        _cover(Transition.PENDING_SIGNED);
    }

    function _transferWrbtc(address from, address to, uint256 amountSats) internal {
        uint256 held = wrbtc.balanceOf(from);
        if (held == 0 || from == to) return;
        vm.prank(from);
        wrbtc.transfer(to, _bound(amountSats, 1, held));
        _cover(Transition.TRANSFER);
    }

    /// @dev What an action needs of the actor it acts on (`_pick`).
    enum Need {
        UNBOUND,
        FEW_BINDINGS,
        BOUND,
        OPEN_DISPUTE,
        DISPUTABLE,
        QUEUED,
        DEFERRED,
        FREE_RBTC,
        REDEEMABLE,
        HOLDS_WRBTC,
        UNCOVERED,
        CAN_JOIN,
        CAN_STAKE,
        STAKED,
        STAKED_UNCOVERED,
        ACTIVE_UNCOVERED,
        CLAIMABLE
    }

    /// @dev The first actor from `seed` on that meets `need` (`found` false, and the seed's actor, when none does), so
    ///      an action is not wasted on an actor it cannot act on.
    function _pick(uint256 seed, Need need) internal view returns (address user, bool found) {
        for (uint256 i = 0; i < ACTOR_COUNT; ++i) {
            user = _actor(seed + i);
            if (_meets(user, need)) return (user, true);
        }
        return (_actor(seed), false);
    }

    function _meets(address user, Need need) internal view returns (bool) {
        if (need == Need.UNBOUND) return _model[user].bindings == 0;
        if (need == Need.FEW_BINDINGS) return _model[user].bindings < 3;
        if (need == Need.BOUND) return _model[user].bindings != 0;
        if (need == Need.OPEN_DISPUTE) return disputes.openDisputeOf(user) != 0;
        if (need == Need.DISPUTABLE) return _disputable(user);
        if (need == Need.QUEUED) return oracle.userState(user).queuedSats != 0;
        if (need == Need.DEFERRED) return oracle.userState(user).deferredSats != 0;
        if (need == Need.FREE_RBTC) return rbtc.freeBalanceOf(user) != 0 && !oracle.isSyncFrozen(user);
        if (need == Need.REDEEMABLE) return wrbtc.balanceOf(user) != 0 && rbtc.escrowOf(user) != 0;
        if (need == Need.HOLDS_WRBTC) return wrbtc.balanceOf(user) != 0;
        if (need == Need.UNCOVERED) return wrbtc.uncoveredOf(user) != 0;
        if (need == Need.CAN_JOIN) return !_isActive(user) && wrbtc.uncoveredOf(user) == 0;
        if (need == Need.CAN_STAKE)
            return _isActive(user) && wrbtc.balanceOf(user) != 0 && wrbtc.uncoveredOf(user) == 0;
        if (need == Need.ACTIVE_UNCOVERED) return _isActive(user) && wrbtc.uncoveredOf(user) != 0;
        IYieldScalesPool.UserStatus memory status = pool.userStatus(user);
        if (need == Need.STAKED) return status.stakedSats != 0;
        if (need == Need.STAKED_UNCOVERED) return status.stakedSats != 0 && wrbtc.uncoveredOf(user) != 0;
        return status.claimable != 0;
    }

    /// @dev A dispute may be opened on `user` now (none open, synced within the challenge window).
    function _disputable(address user) internal view returns (bool) {
        if (disputes.openDisputeOf(user) != 0) return false;
        uint256 lastSyncAt = oracle.userState(user).lastSyncAt;
        return lastSyncAt != 0 && block.timestamp <= lastSyncAt + disputes.challengeWindowSeconds();
    }

    /// @dev A report for `user` at her next sequence. `kind`: 0 any total, 1 unchanged, 2 drop, 3 rise.
    function _freshReport(address user, uint256 totalSeed, uint8 kind) internal returns (IOracle.Report memory) {
        IOracle.UserView memory state = oracle.userState(user);
        uint64 attested = state.attestedSats;
        uint64 total;
        kind = kind % 4;
        if (kind == 1) total = attested;
        else if (kind == 2) total = attested == 0 ? 0 : uint64(_bound(totalSeed, 0, attested - 1));
        else if (kind == 3)
            total = attested >= MAX_REPORT_SATS ? attested : uint64(_bound(totalSeed, attested + 1, MAX_REPORT_SATS));
        else total = uint64(_bound(totalSeed, 0, MAX_REPORT_SATS));
        _btcHeight += uint64((totalSeed >> 128) % 3);
        return
            IOracle.Report({
                user: user,
                newTotalSats: total,
                btcHeight: _btcHeight,
                btcBlockHash: keccak256(abi.encode("block", _btcHeight)),
                sequence: state.sequence + 1
            });
    }

    /// @dev The committee reports `total` for `user` now.
    function _syncTotal(address user, uint64 total) internal {
        IOracle.UserView memory state = oracle.userState(user);
        IOracle.Report[] memory reports = new IOracle.Report[](1);
        reports[0] = IOracle.Report({
            user: user,
            newTotalSats: total,
            btcHeight: _btcHeight,
            btcBlockHash: keccak256(abi.encode("block", _btcHeight)),
            sequence: state.sequence + 1
        });
        _submit(_signReports(reports));
    }

    function _bindNew(address user) internal {
        string memory btcAddress = string.concat("bc1qsystem", vm.toString(_addresses.length));
        _addresses.push(btcAddress);
        _bind(oracle, user, btcAddress, THRESHOLD);
        _model[user].bindings += 1;
    }

    /// @dev An address bound before and free now (empty when none): rebinding a released address to anyone.
    function _freeAddress(uint256 seed) internal view returns (string memory) {
        uint256 count = _addresses.length;
        for (uint256 i = 0; i < count; ++i) {
            string memory candidate = _addresses[(seed + i) % count];
            if (oracle.ownerOfBtcAddress(candidate) == address(0)) return candidate;
        }
        return "";
    }

    function _withdrawAllFees(address user) internal {
        uint256 balanceWei = feeVault.balanceOf(user);
        if (balanceWei == 0) return;
        vm.prank(user);
        feeVault.withdraw(balanceWei);
        ghostWithdrawnWei += balanceWei;
    }

    /// @dev The committee's reserve round attesting `attestedSats` at the current Bitcoin height.
    function _commitRound(uint64 attestedSats) internal {
        uint80 roundId = reserves.latestRoundId() + 1;
        bytes32 merkleRoot = keccak256(abi.encode("round", roundId));
        uint256 deadline = block.timestamp + 600;
        bytes32 digest = reserves.hashRound(roundId, merkleRoot, attestedSats, _btcHeight, deadline);
        try
            reserves.commitRound(
                merkleRoot,
                attestedSats,
                _btcHeight,
                deadline,
                _sign(digest, _firstOperators(THRESHOLD))
            )
        {
            _cover(Transition.RESERVES_COMMITTED);
        } catch (bytes memory reason) {
            _unexpected("commitRound", reason);
        }
    }

    function _richestWrbtcHolder() internal view returns (address holder) {
        holder = stranger;
        uint256 most = wrbtc.balanceOf(stranger);
        for (uint256 i = 0; i < ACTOR_COUNT; ++i) {
            uint256 held = wrbtc.balanceOf(_actors[i]);
            if (held > most) {
                most = held;
                holder = _actors[i];
            }
        }
    }

    function _isActive(address user) internal view returns (bool) {
        return pool.userStatus(user).state == IYieldScalesPool.HolderState.ACTIVE;
    }
}
