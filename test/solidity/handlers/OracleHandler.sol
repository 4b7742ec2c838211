// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FeePolicy} from "../../../contracts/fees/FeePolicy.sol";
import {FeeVault} from "../../../contracts/fees/FeeVault.sol";
import {IOracle} from "../../../contracts/interfaces/IOracle.sol";
import {Oracle} from "../../../contracts/oracle/Oracle.sol";
import {RBTCSynth} from "../../../contracts/token/RBTCSynth.sol";
import {WrBTC} from "../../../contracts/token/WrBTC.sol";
import {OracleSigner} from "./OracleSigner.sol";

/// @notice Drives the real Oracle and token contracts for the invariants: committee-signed syncs up and down (single
///         and batched), wraps, redeems, wrBTC transfers, fee deposits and withdrawals, time, queued-mint execution and
///         guardian cancellation. Ghost totals record what the committee reported and what must be attested.
contract OracleHandler is OracleSigner {
    uint256 internal constant ACTOR_COUNT = 4;
    /// @dev Reported totals stay in a range that crosses the test caps (user 1e6, global 2.5e6 per window).
    uint256 internal constant MAX_REPORT_SATS = 3_000_000;
    uint256 internal constant MAX_FEE_DEPOSIT_WEI = 1 ether;
    uint256 internal constant THRESHOLD = 2;

    Oracle public immutable oracle;
    RBTCSynth public immutable rbtc;
    WrBTC public immutable wrbtc;
    FeeVault public immutable feeVault;
    FeePolicy public immutable feePolicy;

    address[] internal _actors;
    uint64 internal _btcHeight = 800_000;

    /// @notice Ghost: the total the Oracle must hold as attested (reported when paid or falling, else unchanged).
    mapping(address user => uint64 attestedSats) public ghostAttestedSats;
    /// @notice Ghost: the last total the committee reported for the user.
    mapping(address user => uint64 reportedSats) public ghostReportedSats;
    /// @notice Ghost: syncs that reverted although the batch was valid (must stay 0).
    uint256 public ghostSyncReverts;
    /// @notice Ghost: falling reports applied while the user's FeeVault balance was zero (coverage of (e)).
    uint256 public ghostBurnsWithEmptyVault;
    /// @notice Ghost: rising reports deferred for lack of fees (coverage).
    uint256 public ghostDeferrals;
    /// @notice Ghost: queued mints executed / cancelled (coverage).
    uint256 public ghostQueueExecutions;
    uint256 public ghostQueueCancels;

    constructor(
        Oracle oracle_,
        RBTCSynth rbtc_,
        WrBTC wrbtc_,
        FeeVault feeVault_,
        FeePolicy feePolicy_,
        uint256[] memory operatorKeys
    ) {
        oracle = oracle_;
        rbtc = rbtc_;
        wrbtc = wrbtc_;
        feeVault = feeVault_;
        feePolicy = feePolicy_;
        _operatorKeys = operatorKeys;
        for (uint256 i = 0; i < ACTOR_COUNT; ++i) {
            _actors.push(makeAddr(string.concat("oracle-actor", vm.toString(i))));
        }
    }

    /// @notice Binds one address per actor (called once by the test's setUp).
    function bindActors() external {
        for (uint256 i = 0; i < ACTOR_COUNT; ++i) {
            _bind(oracle, _actors[i], string.concat("bc1qactor", vm.toString(i)), THRESHOLD);
        }
    }

    function actors() external view returns (address[] memory) {
        return _actors;
    }

    /*//////////////////////////////////////////////////////////////
                               COMMITTEE
    //////////////////////////////////////////////////////////////*/

    function sync(uint256 actorSeed, uint256 totalSats, uint256 heightStep) external {
        IOracle.Report[] memory reports = new IOracle.Report[](1);
        reports[0] = _report(_actor(actorSeed), totalSats, heightStep);
        _submit(reports);
    }

    function syncPair(uint256 actorSeed, uint256 totalA, uint256 totalB, uint256 heightStep) external {
        IOracle.Report[] memory reports = new IOracle.Report[](2);
        reports[0] = _report(_actor(actorSeed), totalA, heightStep);
        reports[1] = _report(_actor(actorSeed + 1), totalB, 0);
        _submit(reports);
    }

    function executeQueuedMint(uint256 actorSeed) external {
        address user = _actor(actorSeed);
        IOracle.UserView memory state = oracle.userState(user);
        if (state.queuedSats == 0 || block.timestamp < state.queuedReadyAt) return;
        oracle.executeQueuedMint(user);
        ++ghostQueueExecutions;
    }

    function cancelQueuedMint(uint256 actorSeed) external {
        address user = _actor(actorSeed);
        uint64 queuedSats = oracle.userState(user).queuedSats;
        if (queuedSats == 0) return;
        oracle.cancelQueuedMint(user);
        ghostAttestedSats[user] -= queuedSats;
        ++ghostQueueCancels;
    }

    function warp(uint256 secondsForward) external {
        vm.warp(block.timestamp + bound(secondsForward, 1, 2 days));
    }

    /*//////////////////////////////////////////////////////////////
                                 USERS
    //////////////////////////////////////////////////////////////*/

    function wrap(uint256 actorSeed, uint256 amountSats) external {
        address user = _actor(actorSeed);
        uint64 freeSats = rbtc.freeBalanceOf(user);
        if (freeSats == 0) return;
        vm.prank(user);
        wrbtc.wrap(uint64(bound(amountSats, 1, freeSats)));
    }

    function redeem(uint256 actorSeed, uint256 amountSats) external {
        address user = _actor(actorSeed);
        uint256 maxSats = _min(wrbtc.balanceOf(user), rbtc.escrowOf(user));
        if (maxSats == 0) return;
        vm.prank(user);
        wrbtc.redeem(uint64(bound(amountSats, 1, maxSats)));
    }

    function transferWrbtc(uint256 fromSeed, uint256 toSeed, uint256 amountSats) external {
        address from = _actor(fromSeed);
        uint256 balanceSats = wrbtc.balanceOf(from);
        if (balanceSats == 0) return;
        vm.prank(from);
        wrbtc.transfer(_actor(toSeed), bound(amountSats, 1, balanceSats));
    }

    function depositFee(uint256 actorSeed, uint256 amountWei) external {
        amountWei = bound(amountWei, 1, MAX_FEE_DEPOSIT_WEI);
        vm.deal(address(this), amountWei);
        feeVault.depositETH{value: amountWei}(_actor(actorSeed));
    }

    function withdrawFee(uint256 actorSeed, uint256 amountWei, bool all) external {
        address user = _actor(actorSeed);
        uint256 balanceWei = feeVault.balanceOf(user);
        if (balanceWei == 0) return;
        vm.prank(user);
        feeVault.withdraw(all ? balanceWei : bound(amountWei, 1, balanceWei));
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    function _report(address user, uint256 totalSats, uint256 heightStep) internal returns (IOracle.Report memory) {
        _btcHeight += uint64(bound(heightStep, 0, 2));
        return
            IOracle.Report({
                user: user,
                newTotalSats: uint64(bound(totalSats, 0, MAX_REPORT_SATS)),
                btcHeight: _btcHeight,
                btcBlockHash: keccak256(abi.encode("block", _btcHeight)),
                sequence: 0
            });
    }

    /// @dev Fills in sequences, predicts the ghost outcome of every report, signs with M operators and submits.
    function _submit(IOracle.Report[] memory reports) internal {
        // Predictions are made in order, so a user appearing twice sees its own earlier report.
        address[] memory users = new address[](reports.length);
        uint64[] memory attested = new uint64[](reports.length);
        for (uint256 i = 0; i < reports.length; ++i) {
            address user = reports[i].user;
            uint64 previousSats = ghostAttestedSats[user];
            uint64 sequence = oracle.userState(user).sequence + 1;
            for (uint256 j = 0; j < i; ++j) {
                if (users[j] == user) {
                    previousSats = attested[j];
                    ++sequence;
                }
            }
            reports[i].sequence = sequence;
            uint64 newTotalSats = reports[i].newTotalSats;
            uint64 nextSats = newTotalSats;
            if (newTotalSats > previousSats) {
                uint256 feeWei = feePolicy.quote(newTotalSats - previousSats);
                // Batches never repeat a user (syncPair takes two distinct actors), so the balance is untouched.
                if (feeWei > feeVault.balanceOf(user)) {
                    nextSats = previousSats;
                    ++ghostDeferrals;
                }
            } else if (newTotalSats < previousSats && feeVault.balanceOf(user) == 0) {
                ++ghostBurnsWithEmptyVault;
            }
            users[i] = user;
            attested[i] = nextSats;
        }
        uint256 deadline = block.timestamp + 600;
        bytes[] memory signatures = _signBatch(oracle, reports, deadline, THRESHOLD);
        try oracle.sync(reports, deadline, signatures) {
            for (uint256 i = 0; i < reports.length; ++i) {
                ghostAttestedSats[users[i]] = attested[i];
                ghostReportedSats[users[i]] = reports[i].newTotalSats;
            }
        } catch {
            ++ghostSyncReverts;
        }
    }

    function _actor(uint256 seed) internal view returns (address) {
        return _actors[seed % ACTOR_COUNT];
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }
}
