// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Vm.sol";

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IDisputeManager} from "../../../contracts/interfaces/IDisputeManager.sol";
import {IFeePolicy} from "../../../contracts/interfaces/IFeePolicy.sol";
import {IFeeVault} from "../../../contracts/interfaces/IFeeVault.sol";
import {IOracle} from "../../../contracts/interfaces/IOracle.sol";
import {IProofOfReserves} from "../../../contracts/interfaces/IProofOfReserves.sol";
import {IRBTCSynth} from "../../../contracts/interfaces/IRBTCSynth.sol";
import {IYieldScalesPool} from "../../../contracts/interfaces/IYieldScalesPool.sol";
import {HostileHook} from "./HostileHook.sol";
import {OracleSigner} from "./OracleSigner.sol";
import {IOracleView, IWrBTCToken} from "./SystemInterfaces.sol";

/// @notice The system handler's ghosts: a reference model of the Oracle's per-user admission state written from the
///         issue-15 specification (not from the code), every report the committee ever signed (with when it was
///         signed and how often it changed state), the logical clock of every out-of-band change per user, and the
///         checks that run after every handler step. A check that fails records a violation (a counter and the first
///         description per property); the invariant functions of `SystemInvariantTest` assert there are none.
/// @dev Checks live here, after every step, rather than only in the invariant functions, because Foundry runs each
///      invariant function as its own campaign: every campaign then checks every property after every call.
abstract contract SystemGhosts is OracleSigner {
    /*//////////////////////////////////////////////////////////////
                        CONFIGURATION (see System.t.sol)
    //////////////////////////////////////////////////////////////*/

    uint256 internal constant ACTOR_COUNT = 4;
    uint256 internal constant THRESHOLD = 2;
    /// @dev Reported totals cross the test caps (user 1e6 and global 2.5e6 per window).
    uint64 internal constant MAX_REPORT_SATS = 3_000_000;
    /// @dev The Oracle's `maxReportValiditySeconds` and `maxBtcHeightLag` in the system deployment.
    uint256 internal constant REPORT_VALIDITY = 6 hours;
    uint64 internal constant HEIGHT_LAG = 144;

    /*//////////////////////////////////////////////////////////////
                               PROPERTIES
    //////////////////////////////////////////////////////////////*/

    /// @notice The properties the handler checks after every step (one violation counter each).
    enum Property {
        ACCOUNTING, // rbtc.totalBackedOf + queued == attested == the model's attested, per user
        AT_MOST_ONCE, // a signed report changes state at most once
        NO_CHANGE_AFTER_OOB, // never after a later hard reset; never a rise after a later soft change or freeze
        SPEC_OUTCOME, // every report's outcome (applied / skipped and why) and the per-user state match the spec model
        FROZEN_NEVER_RISES, // a frozen user's backed, escrowed and attested totals never rise (resolver aside)
        DROPS_APPLY, // a committee drop that is the newest word on the user applies, whatever others did
        NEVER_REVERTS, // valid committee batches and the handler's valid actions never revert
        WRBTC_BACKING, // wrBTC supply == escrow + uncovered, uncovered == Σ uncoveredOf
        UNCOVERED_EARNS_NOTHING, // an uncovered holder is not accruing and her stake cannot leave
        FEE_VAULT, // FeeVault conservation
        DISPUTE_BONDS, // DisputeManager conservation
        FREEZE_CONSISTENT, // Oracle freeze == RBTCSynth freeze == open dispute
        NO_REENTRY, // no re-entrant call from a balance hook ever succeeds
        FEE_EXHAUSTED_JUST, // FEE_EXHAUSTED only for a re-confirmed unpaid rise
        POOL, // the pool's tokens back its books; the pool's hook never fails within its stipend
        RESERVES_GATE // the secure-mint gate is open iff a fresh round covers the supply and nothing is uncovered
    }

    /// @notice Violations per property (must all stay 0).
    mapping(uint256 property => uint256 count) public violations;
    /// @notice The first violation's description per property.
    mapping(uint256 property => string description) public firstViolation;
    /// @notice Σ violations, and the first one's description.
    uint256 public totalViolations;
    string public firstAnyViolation;

    /*//////////////////////////////////////////////////////////////
                               TRANSITIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice State transitions the handler reached (coverage; `test_handlerReachesEveryTransition` checks them).
    enum Transition {
        SYNC_RISE,
        SYNC_DROP,
        SYNC_UNCHANGED,
        FEE_DEFERRED,
        DEFERRAL_CLEARED,
        MINT_QUEUED,
        BATCH_OF_TWO,
        SKIP_STALE,
        STALE_DROP_APPLIED,
        HELD_DISPUTE_OPEN,
        HELD_UNBOUND,
        HELD_PAUSED,
        REPLAY_SUBMITTED,
        PENDING_SIGNED,
        BIND,
        UNBIND,
        REVOKE_BOUND,
        REVOKE_NOT_BOUND,
        DISPUTE_OPENED,
        DISPUTE_SELF,
        UPHELD_LOWER,
        UPHELD_HIGHER,
        REJECTED,
        EXPIRED,
        QUEUE_EXECUTED,
        QUEUE_CANCELLED,
        FEE_EXHAUSTED,
        BACKING_LOST,
        WRAP,
        REDEEM,
        TRANSFER,
        RETIRE,
        COVER,
        JOIN,
        STAKE,
        UNSTAKE,
        LEAVE,
        SLASH_STAKE,
        POKE_REMOVED,
        CLAIM,
        PAUSE,
        UNPAUSE,
        HOOK_REVERTED,
        HOOK_OUT_OF_GAS,
        HOOK_REENTERED,
        HOOK_POOL_REMOVED,
        RESERVES_COMMITTED,
        FEE_SWEPT
    }

    /// @notice How often each transition happened.
    mapping(uint256 transition => uint256 count) public coverage;

    /*//////////////////////////////////////////////////////////////
                                SYSTEM
    //////////////////////////////////////////////////////////////*/

    IOracleView public immutable oracle;
    IRBTCSynth public immutable rbtc;
    IWrBTCToken public immutable wrbtc;
    IFeeVault public immutable feeVault;
    IFeePolicy public immutable feePolicy;
    IDisputeManager public immutable disputes;
    IProofOfReserves public immutable reserves;
    IYieldScalesPool public immutable pool;
    IERC20 public immutable stable;
    HostileHook public immutable hostileHook;

    address[] internal _actors;
    /// @notice A third party: challenger, submitter, buyer of wrBTC, caller of the permissionless paths.
    address public immutable stranger;
    /// @notice The FeeVault's treasury (fees are swept here and nowhere else).
    address public immutable feeTreasury;

    /*//////////////////////////////////////////////////////////////
                          MODEL AND GHOSTS
    //////////////////////////////////////////////////////////////*/

    /// @dev The spec's view of one user (issue-15 spec, "Oracle.sync" and "Sequence consumption").
    struct Model {
        uint64 attested;
        uint32 sequence;
        uint32 softFloor;
        uint8 bindings;
        bool soft;
        bool frozen;
        bool deferred;
    }

    mapping(address user => Model) internal _model;
    bool internal _modelPaused;

    /// @dev One report the committee signed, with the logical time it was signed and what it did.
    struct Signed {
        IOracle.Report report;
        uint256 signedClock;
        uint64 attestedAtSigning;
        uint32 applied;
    }

    /// @dev One signed batch: reports `[first, first + count)` of `_signed`.
    struct Batch {
        uint256 deadline;
        uint256 first;
        uint256 count;
        bytes[] signatures;
    }

    Signed[] internal _signed;
    Batch[] internal _batches;

    /// @dev What the spec says a report in a submitted batch must do.
    struct Expect {
        uint256 index;
        bool applies;
        uint8 reason;
        uint64 chainAttestedBefore;
        uint64 chainSequenceBefore;
        bool chainDeferredBefore;
        bool consumes;
        bool dropMustApply;
    }

    /// @dev Logical clock: every signing and every out-of-band change takes the next tick.
    uint256 internal _clock;
    mapping(address user => uint256 tick) internal _hardClock;
    mapping(address user => uint256 tick) internal _softClock;
    mapping(address user => uint256 tick) internal _cancelClock;
    /// @dev Last time a committee report changed the user's state (applied, or a held rise consumed its sequence).
    mapping(address user => uint256 tick) internal _appliedClock;
    /// @dev Index + 1 in `_signed` of the newest report signed for the user.
    mapping(address user => uint256 indexPlusOne) internal _latestSigned;

    /// @notice Ghost FeeVault flows (FeeSpent is read from the logs).
    uint256 public ghostDepositedWei;
    uint256 public ghostWithdrawnWei;
    uint256 public ghostSpentWei;
    uint256 public ghostSweptWei;

    /// @notice The pool may not know a holder is uncovered: her deficit grew while the Oracle's hook was not the pool
    ///         (or the hook call failed) and nobody has poked her since. Cleared once she is not active.
    mapping(address user => bool uninformed) public poolUninformed;

    /// @dev Per-step snapshot of each actor.
    struct Snap {
        bool frozen;
        uint64 backed;
        uint64 escrow;
        uint64 attested;
        uint64 uncovered;
    }

    Snap[ACTOR_COUNT] internal _snap;
    bool internal _hookWasPool;
    uint256 internal _hookCalls;
    uint256 internal _hookFailedMask;
    uint256 internal _resolvedMask;

    /// @dev The deployed system the handler drives.
    struct Deployment {
        IOracleView oracle;
        IRBTCSynth rbtc;
        IWrBTCToken wrbtc;
        IFeeVault feeVault;
        IFeePolicy feePolicy;
        IDisputeManager disputes;
        IProofOfReserves reserves;
        IYieldScalesPool pool;
        IERC20 stable;
        HostileHook hostileHook;
        address feeTreasury;
    }

    constructor(Deployment memory d, uint256[] memory operatorKeys) {
        oracle = d.oracle;
        rbtc = d.rbtc;
        wrbtc = d.wrbtc;
        feeVault = d.feeVault;
        feePolicy = d.feePolicy;
        disputes = d.disputes;
        reserves = d.reserves;
        pool = d.pool;
        stable = d.stable;
        hostileHook = d.hostileHook;
        feeTreasury = d.feeTreasury;
        _operatorKeys = operatorKeys;
        stranger = makeAddr("system-stranger");
        for (uint256 i = 0; i < ACTOR_COUNT; ++i) {
            _actors.push(makeAddr(string.concat("system-actor", vm.toString(i))));
        }
    }

    function actors() external view returns (address[] memory) {
        return _actors;
    }

    function signedCount() external view returns (uint256) {
        return _signed.length;
    }

    function modelOf(address user) external view returns (Model memory) {
        return _model[user];
    }

    /*//////////////////////////////////////////////////////////////
                               RECORDING
    //////////////////////////////////////////////////////////////*/

    function _violate(Property property, string memory why) internal {
        uint256 p = uint256(property);
        ++violations[p];
        ++totalViolations;
        if (bytes(firstViolation[p]).length == 0) firstViolation[p] = why;
        if (bytes(firstAnyViolation).length == 0) firstAnyViolation = why;
    }

    function _cover(Transition transition) internal {
        ++coverage[uint256(transition)];
    }

    /// @dev Records a revert of a call the handler only makes when it must succeed.
    function _unexpected(string memory action, bytes memory reason) internal {
        _violate(Property.NEVER_REVERTS, string.concat(action, " reverted: ", vm.toString(reason)));
    }

    function _tick() internal returns (uint256) {
        return ++_clock;
    }

    function _actor(uint256 seed) internal view returns (address) {
        return _actors[seed % ACTOR_COUNT];
    }

    function _actorIndex(address user) internal view returns (uint256) {
        for (uint256 i = 0; i < ACTOR_COUNT; ++i) {
            if (_actors[i] == user) return i;
        }
        return type(uint256).max;
    }

    /*//////////////////////////////////////////////////////////////
                         MODEL: OUT-OF-BAND CHANGES
    //////////////////////////////////////////////////////////////*/

    /// @dev A soft change (unbind, dispute closed): the first since the last applied report records the floor.
    function _modelSoft(address user) internal {
        Model storage m = _model[user];
        if (!m.soft) {
            m.softFloor = m.sequence;
            m.soft = true;
        }
        m.sequence += 1;
        _softClock[user] = _tick();
    }

    /// @dev A hard reset (upheld resolution, FEE_EXHAUSTED, revocation) to `targetSats`.
    function _modelHard(address user, uint64 targetSats) internal {
        Model storage m = _model[user];
        m.sequence += 1;
        m.soft = false;
        m.deferred = false;
        m.attested = targetSats;
        _hardClock[user] = _tick();
    }

    /// @dev A dispute opened: rises are held from now on (a freeze is an out-of-band change for the replay property).
    function _modelFreeze(address user) internal {
        _model[user].frozen = true;
        _softClock[user] = _tick();
    }

    /*//////////////////////////////////////////////////////////////
                        SIGNING AND SUBMITTING
    //////////////////////////////////////////////////////////////*/

    /// @dev The committee signs `reports` (deadline: the longest validity); every report joins the ghost list.
    function _signReports(IOracle.Report[] memory reports) internal returns (uint256 batchIndex) {
        uint256 deadline = block.timestamp + REPORT_VALIDITY;
        bytes[] memory signatures = _signBatch(oracle, reports, deadline, THRESHOLD);
        batchIndex = _batches.length;
        Batch storage batch = _batches.push();
        batch.deadline = deadline;
        batch.first = _signed.length;
        batch.count = reports.length;
        batch.signatures = signatures;
        uint256 clock = _tick();
        for (uint256 i = 0; i < reports.length; ++i) {
            Signed storage s = _signed.push();
            s.report = reports[i];
            s.signedClock = clock;
            s.attestedAtSigning = oracle.userState(reports[i].user).attestedSats;
            _latestSigned[reports[i].user] = _signed.length;
        }
    }

    /// @dev The batch's reports, or an empty array when it can no longer be submitted for reasons only time and the
    ///      committee control (deadline passed, height beyond the lag).
    function _submittable(uint256 batchIndex) internal view returns (IOracle.Report[] memory reports) {
        Batch storage batch = _batches[batchIndex];
        if (block.timestamp > batch.deadline) return reports;
        uint64 highest = oracle.highestBtcHeight();
        IOracle.Report[] memory all = new IOracle.Report[](batch.count);
        for (uint256 i = 0; i < batch.count; ++i) {
            all[i] = _signed[batch.first + i].report;
            if (all[i].btcHeight + HEIGHT_LAG < highest) return reports;
        }
        return all;
    }

    /// @dev Submits signed batch `batchIndex` (fresh, pending or a replay) and checks every report's outcome against
    ///      the spec model and the replay properties. Returns false when the batch could not be submitted (expired).
    function _submit(uint256 batchIndex) internal returns (bool) {
        IOracle.Report[] memory reports = _submittable(batchIndex);
        if (reports.length == 0) return false;
        _scanLogs(vm.getRecordedLogs());
        Expect[] memory expects = new Expect[](reports.length);
        Model[] memory next = new Model[](reports.length);
        uint256 first = _batches[batchIndex].first;
        for (uint256 i = 0; i < reports.length; ++i) {
            (expects[i], next[i]) = _predict(first + i);
        }
        Batch storage batch = _batches[batchIndex];
        try oracle.sync(reports, batch.deadline, batch.signatures) {} catch (bytes memory reason) {
            _unexpected("sync", reason);
            return true;
        }
        Vm.Log[] memory logs = vm.getRecordedLogs();
        _checkOutcomes(logs, expects);
        for (uint256 i = 0; i < reports.length; ++i) {
            _model[reports[i].user] = next[i];
        }
        for (uint256 i = 0; i < reports.length; ++i) {
            if (!expects[i].dropMustApply) continue;
            uint64 attested = oracle.userState(reports[i].user).attestedSats;
            if (attested != reports[i].newTotalSats) {
                _violate(
                    Property.DROPS_APPLY,
                    string.concat(
                        "drop to ",
                        vm.toString(reports[i].newTotalSats),
                        " left attested ",
                        vm.toString(attested),
                        " seq ",
                        vm.toString(reports[i].sequence)
                    )
                );
            }
        }
        if (reports.length == 2) _cover(Transition.BATCH_OF_TWO);
        _scanLogs(logs);
        return true;
    }

    /// @dev The spec's outcome of signed report `index` against the model (the batch never repeats a user), and the
    ///      model after it. Written from issue15-spec.md ("Oracle.sync — per report"), not from the contract.
    function _predict(uint256 index) internal view returns (Expect memory e, Model memory m) {
        Signed storage s = _signed[index];
        IOracle.Report memory r = s.report;
        m = _model[r.user];
        IOracle.UserView memory chain = oracle.userState(r.user);
        e.index = index;
        e.chainAttestedBefore = chain.attestedSats;
        e.chainSequenceBefore = chain.sequence;
        e.chainDeferredBefore = chain.deferredSats != 0;
        uint64 expected = uint64(m.sequence) + 1;
        bool rise = r.newTotalSats > m.attested;
        if (r.sequence < expected) {
            // Stale: skipped, except one drop signed after the last applied report and before a soft change.
            bool staleDrop = m.soft && r.newTotalSats < m.attested && r.sequence > m.softFloor;
            if (!staleDrop) {
                e.reason = uint8(IOracle.SkipReason.STALE_SEQUENCE);
                return (e, m);
            }
        } else if (rise && (m.frozen || m.bindings == 0 || _modelPaused)) {
            // Held back (spec amendment of 12:40): the rise consumes its sequence and changes nothing else.
            if (m.frozen) e.reason = uint8(IOracle.SkipReason.DISPUTE_OPEN);
            else if (m.bindings == 0) e.reason = uint8(IOracle.SkipReason.UNBOUND);
            else e.reason = uint8(IOracle.SkipReason.PAUSED);
            e.consumes = true;
            m.sequence = uint32(r.sequence);
            m.soft = false;
            return (e, m);
        }
        e.applies = true;
        if (r.sequence > m.sequence) m.sequence = uint32(r.sequence);
        m.soft = false;
        bool deferred = rise && _feeShort(r.user, r.newTotalSats - m.attested);
        m.deferred = deferred;
        if (!deferred) m.attested = r.newTotalSats;
        // The newest word of the committee on this user, and nothing but the committee touched her since it was signed.
        e.dropMustApply =
            r.newTotalSats < s.attestedAtSigning &&
            _latestSigned[r.user] == index + 1 &&
            _appliedClock[r.user] < s.signedClock &&
            _hardClock[r.user] < s.signedClock &&
            _cancelClock[r.user] < s.signedClock;
    }

    /// @dev True when FeeVault cannot pay the fee of minting `deltaSats` for `user`.
    function _feeShort(address user, uint64 deltaSats) internal view returns (bool) {
        uint256 feeWei = feePolicy.quote(deltaSats);
        return feeWei != 0 && feeWei > feeVault.balanceOf(user);
    }

    /// @dev Matches the batch's per-report outcome events (one `Synced` or `ReportSkipped` per report, in order) to the
    ///      expectations, and checks the replay properties of every applied report.
    function _checkOutcomes(Vm.Log[] memory logs, Expect[] memory expects) internal {
        uint256 k;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter != address(oracle)) continue;
            bytes32 topic = logs[i].topics[0];
            bool applied = topic == IOracle.Synced.selector;
            if (!applied && topic != IOracle.ReportSkipped.selector) continue;
            if (k == expects.length) {
                _violate(Property.SPEC_OUTCOME, "more report outcomes than reports");
                return;
            }
            Expect memory e = expects[k++];
            IOracle.Report memory r = _signed[e.index].report;
            if (applied != e.applies) {
                _violate(
                    Property.SPEC_OUTCOME,
                    string.concat(
                        applied ? "applied, spec skips (" : "skipped, spec applies (",
                        vm.toString(e.reason),
                        ") seq ",
                        vm.toString(r.sequence),
                        " total ",
                        vm.toString(r.newTotalSats)
                    )
                );
            } else if (!applied) {
                (, uint8 reason) = abi.decode(logs[i].data, (uint64, uint8));
                if (reason != e.reason) {
                    _violate(
                        Property.SPEC_OUTCOME,
                        string.concat("skip reason ", vm.toString(reason), " spec ", vm.toString(e.reason))
                    );
                }
            }
            if (applied) _onApplied(e, r);
            else if (e.consumes) _onHeld(e, r);
            else _coverSkip(e.reason);
        }
        if (k != expects.length) _violate(Property.SPEC_OUTCOME, "fewer report outcomes than reports");
    }

    /// @dev An applied report: at most once, never after a later hard reset, never a rise after a later soft change.
    function _onApplied(Expect memory e, IOracle.Report memory r) internal {
        Signed storage s = _signed[e.index];
        address user = r.user;
        if (++s.applied > 1) {
            _violate(
                Property.AT_MOST_ONCE,
                string.concat("report seq ", vm.toString(r.sequence), " applied ", vm.toString(s.applied), " times")
            );
        }
        if (_hardClock[user] > s.signedClock) {
            _violate(
                Property.NO_CHANGE_AFTER_OOB,
                string.concat("report seq ", vm.toString(r.sequence), " applied after a later hard reset")
            );
        } else if (_softClock[user] > s.signedClock && r.newTotalSats > e.chainAttestedBefore) {
            _violate(
                Property.NO_CHANGE_AFTER_OOB,
                string.concat("rise seq ", vm.toString(r.sequence), " applied after a later soft change or freeze")
            );
        }
        _appliedClock[user] = _tick();
        if (r.sequence <= e.chainSequenceBefore) _cover(Transition.STALE_DROP_APPLIED);
        if (e.chainDeferredBefore && r.newTotalSats <= e.chainAttestedBefore) _cover(Transition.DEFERRAL_CLEARED);
        if (r.newTotalSats > e.chainAttestedBefore) _cover(Transition.SYNC_RISE);
        else if (r.newTotalSats < e.chainAttestedBefore) _cover(Transition.SYNC_DROP);
        else _cover(Transition.SYNC_UNCHANGED);
    }

    /// @dev A held rise consumed its sequence (a state change): at most once, and never after a later hard reset.
    function _onHeld(Expect memory e, IOracle.Report memory r) internal {
        Signed storage s = _signed[e.index];
        if (++s.applied > 1) {
            _violate(
                Property.AT_MOST_ONCE,
                string.concat(
                    "held report seq ",
                    vm.toString(r.sequence),
                    " consumed ",
                    vm.toString(s.applied),
                    " times"
                )
            );
        }
        if (_hardClock[r.user] > s.signedClock) {
            _violate(
                Property.NO_CHANGE_AFTER_OOB,
                string.concat("held report seq ", vm.toString(r.sequence), " consumed after a later hard reset")
            );
        }
        // A committee report changed the user's state (its sequence): like an applied one, it may make a report
        // signed before it for the same sequence stale (docs/security.md, "several signed reports for one sequence").
        _appliedClock[r.user] = _tick();
        _coverSkip(e.reason);
    }

    function _coverSkip(uint8 reason) internal {
        if (reason == uint8(IOracle.SkipReason.STALE_SEQUENCE)) _cover(Transition.SKIP_STALE);
        else if (reason == uint8(IOracle.SkipReason.DISPUTE_OPEN)) _cover(Transition.HELD_DISPUTE_OPEN);
        else if (reason == uint8(IOracle.SkipReason.UNBOUND)) _cover(Transition.HELD_UNBOUND);
        else _cover(Transition.HELD_PAUSED);
    }

    /*//////////////////////////////////////////////////////////////
                                 LOGS
    //////////////////////////////////////////////////////////////*/

    /// @dev Reads the events every step cares about: hook failures, fees spent, deferrals, queues, emergency burns.
    function _scanLogs(Vm.Log[] memory logs) internal {
        for (uint256 i = 0; i < logs.length; ++i) {
            Vm.Log memory log = logs[i];
            if (log.topics.length == 0) continue;
            bytes32 topic = log.topics[0];
            if (log.emitter == address(feeVault) && topic == IFeeVault.FeeSpent.selector) {
                ghostSpentWei += abi.decode(log.data, (uint256));
            } else if (log.emitter == address(oracle)) {
                _scanOracleLog(log, topic);
            } else if (log.emitter == address(pool) && topic == IYieldScalesPool.HolderRemoved.selector) {
                _cover(Transition.HOOK_POOL_REMOVED);
            }
        }
    }

    function _scanOracleLog(Vm.Log memory log, bytes32 topic) internal {
        if (topic == IOracle.BalanceHookFailed.selector) {
            address user = address(uint160(uint256(log.topics[1])));
            uint256 index = _actorIndex(user);
            if (index < ACTOR_COUNT) _hookFailedMask |= 1 << index;
            address hook = oracle.balanceHook();
            if (hook == address(pool)) {
                _violate(Property.POOL, string.concat("the pool's balance hook failed for ", vm.toString(user)));
            } else if (hostileHook.mode() == HostileHook.Mode.REVERT) {
                _cover(Transition.HOOK_REVERTED);
            } else if (hostileHook.mode() == HostileHook.Mode.BURN_GAS) {
                _cover(Transition.HOOK_OUT_OF_GAS);
            }
        } else if (topic == IOracle.NeedsTopUp.selector) {
            _cover(Transition.FEE_DEFERRED);
        } else if (topic == IOracle.MintQueued.selector) {
            _cover(Transition.MINT_QUEUED);
        } else if (topic == IOracle.EmergencyBurn.selector) {
            (, uint8 reason) = abi.decode(log.data, (uint64, uint8));
            if (reason == uint8(IOracle.EmergencyBurnReason.BACKING_LOST)) _cover(Transition.BACKING_LOST);
        }
    }

    /*//////////////////////////////////////////////////////////////
                           PER-STEP CHECKS
    //////////////////////////////////////////////////////////////*/

    modifier step() {
        _beginStep();
        _;
        _endStep();
    }

    function _beginStep() internal {
        vm.recordLogs();
        for (uint256 i = 0; i < ACTOR_COUNT; ++i) {
            address user = _actors[i];
            _snap[i] = Snap({
                frozen: oracle.isSyncFrozen(user),
                backed: rbtc.totalBackedOf(user),
                escrow: rbtc.escrowOf(user),
                attested: oracle.userState(user).attestedSats,
                uncovered: wrbtc.uncoveredOf(user)
            });
        }
        _hookWasPool = oracle.balanceHook() == address(pool);
        _hookFailedMask = 0;
        _resolvedMask = 0;
    }

    function _endStep() internal {
        _scanLogs(vm.getRecordedLogs());
        uint256 sumUncovered;
        for (uint256 i = 0; i < ACTOR_COUNT; ++i) {
            sumUncovered += _checkUser(i);
        }
        _checkWrbtc(sumUncovered);
        _checkFeeVault();
        _checkDisputes();
        _checkPool();
        _checkReservesGate();
        if (hostileHook.reentrySuccesses() != 0) _violate(Property.NO_REENTRY, "a hook re-entry succeeded");
        uint256 hookCalls = hostileHook.calls();
        if (hookCalls != _hookCalls) {
            _hookCalls = hookCalls;
            _cover(Transition.HOOK_REENTERED);
        }
    }

    /// @dev The per-user checks; returns the user's uncovered wrBTC.
    function _checkUser(uint256 i) internal returns (uint64 uncovered) {
        address user = _actors[i];
        IOracle.UserView memory u = oracle.userState(user);
        uint64 backed = rbtc.totalBackedOf(user);
        uncovered = wrbtc.uncoveredOf(user);
        if (uint256(backed) + u.queuedSats != u.attestedSats) {
            _violate(Property.ACCOUNTING, string.concat("backed + queued != attested for actor ", vm.toString(i)));
        }
        _checkModel(i, u);
        _checkFrozen(i, u, backed);
        _checkFreezeConsistent(user);
        _checkUncoveredHolder(i, uncovered);
    }

    function _checkModel(uint256 i, IOracle.UserView memory u) internal {
        Model storage m = _model[_actors[i]];
        if (u.attestedSats != m.attested) {
            _violate(
                Property.ACCOUNTING,
                string.concat(
                    "attested ",
                    vm.toString(u.attestedSats),
                    " != spec ",
                    vm.toString(m.attested),
                    " actor ",
                    vm.toString(i)
                )
            );
        }
        if (u.sequence != m.sequence) {
            _violate(
                Property.SPEC_OUTCOME,
                string.concat("sequence ", vm.toString(u.sequence), " != spec ", vm.toString(m.sequence))
            );
        }
        if (u.syncFrozen != m.frozen) _violate(Property.SPEC_OUTCOME, "frozen flag differs from the spec");
        if (u.bindingCount != m.bindings) _violate(Property.SPEC_OUTCOME, "binding count differs from the spec");
        if ((u.deferredSats != 0) != m.deferred) _violate(Property.SPEC_OUTCOME, "deferral differs from the spec");
    }

    function _checkFrozen(uint256 i, IOracle.UserView memory u, uint64 backed) internal {
        Snap storage before = _snap[i];
        if (!before.frozen || _resolvedMask & (1 << i) != 0) return;
        if (backed > before.backed || u.attestedSats > before.attested) {
            _violate(
                Property.FROZEN_NEVER_RISES,
                string.concat("frozen actor ", vm.toString(i), " backed/attested rose")
            );
        }
        if (rbtc.escrowOf(_actors[i]) > before.escrow) {
            _violate(Property.FROZEN_NEVER_RISES, string.concat("frozen actor ", vm.toString(i), " escrow rose"));
        }
    }

    function _checkFreezeConsistent(address user) internal {
        bool frozen = oracle.isSyncFrozen(user);
        if (frozen != rbtc.isFrozen(user) || frozen != (disputes.openDisputeOf(user) != 0)) {
            _violate(Property.FREEZE_CONSISTENT, string.concat("freeze flags disagree for ", vm.toString(user)));
        }
    }

    /// @dev An uncovered holder is not active in the pool, unless the pool could not have been told (the deficit grew
    ///      while another hook was installed, or the hook failed) and nobody has poked her since.
    function _checkUncoveredHolder(uint256 i, uint64 uncovered) internal {
        address user = _actors[i];
        bool active = pool.userStatus(user).state == IYieldScalesPool.HolderState.ACTIVE;
        if (uncovered > _snap[i].uncovered && (!_hookWasPool || _hookFailedMask & (1 << i) != 0)) {
            poolUninformed[user] = true;
        }
        if (!active) {
            poolUninformed[user] = false;
            return;
        }
        if (uncovered != 0 && !poolUninformed[user]) {
            _violate(
                Property.UNCOVERED_EARNS_NOTHING,
                string.concat("uncovered actor ", vm.toString(i), " still active in the pool")
            );
        }
    }

    function _checkWrbtc(uint256 sumUncovered) internal {
        if (wrbtc.totalSupply() != uint256(rbtc.totalEscrow()) + wrbtc.uncoveredSats()) {
            _violate(Property.WRBTC_BACKING, "wrBTC supply != escrow + uncovered");
        }
        if (sumUncovered != wrbtc.uncoveredSats()) _violate(Property.WRBTC_BACKING, "uncovered != sum of uncoveredOf");
    }

    function _checkFeeVault() internal {
        uint256 deposits = feeVault.totalDepositsWei();
        uint256 accrued = feeVault.accruedFeesWei();
        if (address(feeVault).balance != deposits + accrued) _violate(Property.FEE_VAULT, "balance != deposits + fees");
        uint256 sumBalances = feeVault.balanceOf(stranger);
        for (uint256 i = 0; i < ACTOR_COUNT; ++i) sumBalances += feeVault.balanceOf(_actors[i]);
        if (sumBalances != deposits) _violate(Property.FEE_VAULT, "sum of balances != deposits");
        if (ghostDepositedWei - ghostWithdrawnWei - ghostSpentWei != deposits) {
            _violate(Property.FEE_VAULT, "deposited - withdrawn - spent != deposits");
        }
        if (ghostSpentWei - ghostSweptWei != accrued || feeTreasury.balance != ghostSweptWei) {
            _violate(Property.FEE_VAULT, "spent fees neither accrued nor swept");
        }
    }

    function _checkDisputes() internal {
        if (address(disputes).balance != disputes.openBondsWei() + disputes.rewardFundsWei() + disputes.totalOwedWei())
            _violate(Property.DISPUTE_BONDS, "manager balance != bonds + rewards + owed");
    }

    function _checkPool() internal {
        IYieldScalesPool.PoolStatus memory status = pool.poolStatus();
        if (wrbtc.balanceOf(address(pool)) != status.totalStakedSats) {
            _violate(Property.POOL, "pool wrBTC != total staked");
        }
        uint256 staked;
        for (uint256 i = 0; i < ACTOR_COUNT; ++i) staked += pool.userStatus(_actors[i]).stakedSats;
        if (staked != status.totalStakedSats) _violate(Property.POOL, "sum of stakes != total staked");
        if (stable.balanceOf(address(pool)) != status.rewardReserve + status.totalLiquidity) {
            _violate(Property.POOL, "reward tokens != reserve + liquidity");
        }
        if (status.committedRewards > status.rewardReserve) _violate(Property.POOL, "committed > reserve");
    }

    function _checkReservesGate() internal {
        uint80 roundId = reserves.latestRoundId();
        bool fresh =
            roundId != 0 &&
                block.timestamp <= uint256(reserves.round(roundId).committedAt) + reserves.maxRoundAgeSeconds();
        bool expected = fresh && wrbtc.uncoveredSats() == 0 && reserves.attestedSats() >= rbtc.totalSupply();
        if (reserves.isFullyBacked() != expected) _violate(Property.RESERVES_GATE, "isFullyBacked disagrees");
    }
}
