// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FeePolicy} from "../../contracts/fees/FeePolicy.sol";
import {FeeVault} from "../../contracts/fees/FeeVault.sol";
import {IOracle} from "../../contracts/interfaces/IOracle.sol";
import {MAX_BTC_SATS} from "../../contracts/libraries/Constants.sol";
import {Oracle} from "../../contracts/oracle/Oracle.sol";
import {RBTCSynth} from "../../contracts/token/RBTCSynth.sol";
import {WrBTC} from "../../contracts/token/WrBTC.sol";
import {OracleHandler} from "./handlers/OracleHandler.sol";
import {OracleSigner} from "./handlers/OracleSigner.sol";

/// @notice Deploys the real ledger (RBTCSynth, WrBTC, FeePolicy, FeeVault, Oracle) with a 2-of-3 committee whose keys
///         come from vm.addr. This contract is the admin of everything.
abstract contract OracleSystemBase is OracleSigner {
    uint8 internal constant THRESHOLD = 2;
    uint64 internal constant USER_CAP_SATS = 1_000_000;
    uint64 internal constant GLOBAL_CAP_SATS = 2_500_000;

    RBTCSynth internal rbtc;
    WrBTC internal wrbtc;
    FeePolicy internal feePolicy;
    FeeVault internal feeVault;
    Oracle internal oracle;

    address internal treasury = makeAddr("treasury");

    function _deploySystem() internal {
        rbtc = new RBTCSynth(address(this));
        wrbtc = new WrBTC(address(this), address(rbtc));
        feePolicy = new FeePolicy(address(this), 50, 300_000_000_000, 1e14, 1e16);
        feeVault = new FeeVault(address(this), treasury);
        IOracle.Config memory config = IOracle.Config({
            operators: _makeOperators(3),
            threshold: THRESHOLD,
            minConfirmations: 3,
            mintWindowSeconds: 1 days,
            userMintCapSats: USER_CAP_SATS,
            globalMintCapSats: GLOBAL_CAP_SATS,
            mintDelaySeconds: 1 hours,
            maxReportValiditySeconds: 1 hours,
            maxBtcHeightLag: 6
        });
        oracle = new Oracle(
            address(this),
            address(rbtc),
            address(wrbtc),
            address(feeVault),
            address(feePolicy),
            config
        );
        rbtc.wire(address(oracle), address(wrbtc));
        wrbtc.setOracle(address(oracle));
        feeVault.setOracle(address(oracle));
    }
}

/// @notice (d): a batch signed by fewer than M operators, by outsiders, replayed, out of sequence, or signed for
///         another chain id or contract never changes state.
contract OracleFuzzTest is OracleSystemBase {
    address internal alice = makeAddr("alice");
    uint64 internal constant FIRST_HEIGHT = 800_000;

    function setUp() public {
        vm.warp(1_700_000_000);
        _deploySystem();
        _bind(oracle, alice, "bc1qalice", THRESHOLD);
        vm.deal(address(this), 1 ether);
        feeVault.depositETH{value: 1 ether}(alice);
    }

    function _report(
        uint64 totalSats,
        uint64 sequence,
        uint64 btcHeight
    ) internal view returns (IOracle.Report[] memory r) {
        r = new IOracle.Report[](1);
        r[0] = IOracle.Report({
            user: alice,
            newTotalSats: totalSats,
            btcHeight: btcHeight,
            btcBlockHash: keccak256(abi.encode(btcHeight)),
            sequence: sequence
        });
    }

    /// @dev Everything a rejected batch could have touched, hashed.
    function _stateHash() internal view returns (bytes32) {
        IOracle.UserView memory u = oracle.userState(alice);
        return
            keccak256(
                abi.encode(
                    u,
                    rbtc.totalBackedOf(alice),
                    rbtc.totalSupply(),
                    feeVault.balanceOf(alice),
                    feeVault.accruedFeesWei(),
                    oracle.highestBtcHeight(),
                    oracle.globalMintedInWindow()
                )
            );
    }

    /// @dev Calls sync and asserts it reverted with `selector` and changed nothing.
    function _assertRejected(
        IOracle.Report[] memory reports,
        uint256 deadline,
        bytes[] memory signatures,
        bytes4 selector
    ) internal {
        bytes32 before = _stateHash();
        (bool ok, bytes memory reason) = address(oracle).call(
            abi.encodeCall(IOracle.sync, (reports, deadline, signatures))
        );
        assertFalse(ok, "sync must revert");
        assertEq(bytes4(reason), selector, "revert selector");
        assertEq(_stateHash(), before, "state unchanged");
    }

    /// @dev Calls sync and asserts it succeeded but changed nothing (every report skipped as stale).
    function _assertIgnored(IOracle.Report[] memory reports, uint256 deadline, bytes[] memory signatures) internal {
        bytes32 before = _stateHash();
        oracle.sync(reports, deadline, signatures);
        assertEq(_stateHash(), before, "state unchanged");
    }

    function test_sync_mintsWithThresholdSignatures() public {
        IOracle.Report[] memory r = _report(500_000, 1, FIRST_HEIGHT);
        uint256 deadline = block.timestamp + 600;
        oracle.sync(r, deadline, _signBatch(oracle, r, deadline, THRESHOLD));
        assertEq(rbtc.totalBackedOf(alice), 500_000);
        assertEq(oracle.userState(alice).attestedSats, 500_000);
    }

    function testFuzz_sync_rejectsFewerThanThresholdSignatures(uint64 totalSats, uint256 signerSeed) public {
        totalSats = uint64(bound(totalSats, 1, MAX_BTC_SATS));
        IOracle.Report[] memory r = _report(totalSats, 1, FIRST_HEIGHT);
        uint256 deadline = block.timestamp + 600;
        uint256[] memory one = new uint256[](1);
        one[0] = _operatorKeys[signerSeed % _operatorKeys.length];
        bytes[] memory signatures = _sign(_batchDigest(r, deadline, block.chainid, address(oracle)), one);
        _assertRejected(r, deadline, signatures, IOracle.OracleInsufficientSignatures.selector);
        _assertRejected(r, deadline, new bytes[](0), IOracle.OracleInsufficientSignatures.selector);
    }

    function testFuzz_sync_rejectsOutsiderSignatures(uint64 totalSats, uint256 outsiderKey) public {
        totalSats = uint64(bound(totalSats, 1, MAX_BTC_SATS));
        outsiderKey = bound(outsiderKey, 1, 2 ** 128);
        vm.assume(!oracle.isOperator(vm.addr(outsiderKey)));
        IOracle.Report[] memory r = _report(totalSats, 1, FIRST_HEIGHT);
        uint256 deadline = block.timestamp + 600;
        uint256[] memory keys = new uint256[](2);
        keys[0] = _operatorKeys[0];
        keys[1] = outsiderKey;
        bytes[] memory signatures = _sign(_batchDigest(r, deadline, block.chainid, address(oracle)), keys);
        _assertRejected(r, deadline, signatures, IOracle.OracleUnknownSigner.selector);
    }

    function testFuzz_sync_rejectsReplay(uint64 totalSats, uint64 replayTotalSats) public {
        totalSats = uint64(bound(totalSats, 0, MAX_BTC_SATS));
        IOracle.Report[] memory r = _report(totalSats, 1, FIRST_HEIGHT);
        uint256 deadline = block.timestamp + 600;
        bytes[] memory signatures = _signBatch(oracle, r, deadline, THRESHOLD);
        oracle.sync(r, deadline, signatures);
        // The same batch again, and a fresh batch that reuses the consumed sequence: skipped as stale (a replay can
        // never revert a batch other users' reports share), and nothing changes.
        _assertIgnored(r, deadline, signatures);
        IOracle.Report[] memory again = _report(uint64(bound(replayTotalSats, 0, MAX_BTC_SATS)), 1, FIRST_HEIGHT + 1);
        _assertIgnored(again, deadline, _signBatch(oracle, again, deadline, THRESHOLD));
    }

    function testFuzz_sync_ignoresAUsedSequence(uint64 totalSats) public {
        totalSats = uint64(bound(totalSats, 0, MAX_BTC_SATS));
        IOracle.Report[] memory r = _report(totalSats, 0, FIRST_HEIGHT);
        uint256 deadline = block.timestamp + 600;
        _assertIgnored(r, deadline, _signBatch(oracle, r, deadline, THRESHOLD));
    }

    function testFuzz_sync_rejectsASequenceAhead(uint64 sequence, uint64 totalSats) public {
        sequence = uint64(bound(sequence, 2, type(uint64).max));
        totalSats = uint64(bound(totalSats, 0, MAX_BTC_SATS));
        IOracle.Report[] memory r = _report(totalSats, sequence, FIRST_HEIGHT);
        uint256 deadline = block.timestamp + 600;
        _assertRejected(r, deadline, _signBatch(oracle, r, deadline, THRESHOLD), IOracle.OracleBadSequence.selector);
    }

    function testFuzz_sync_rejectsAnotherChainsSignatures(uint256 chainId, uint64 totalSats) public {
        vm.assume(chainId != block.chainid);
        totalSats = uint64(bound(totalSats, 1, MAX_BTC_SATS));
        IOracle.Report[] memory r = _report(totalSats, 1, FIRST_HEIGHT);
        uint256 deadline = block.timestamp + 600;
        bytes[] memory signatures = _sign(_batchDigest(r, deadline, chainId, address(oracle)), _firstOperators(3));
        _assertRejected(r, deadline, signatures, IOracle.OracleUnknownSigner.selector);
    }

    function testFuzz_sync_rejectsAnotherContractsSignatures(address verifyingContract, uint64 totalSats) public {
        vm.assume(verifyingContract != address(oracle));
        totalSats = uint64(bound(totalSats, 1, MAX_BTC_SATS));
        IOracle.Report[] memory r = _report(totalSats, 1, FIRST_HEIGHT);
        uint256 deadline = block.timestamp + 600;
        bytes[] memory signatures = _sign(
            _batchDigest(r, deadline, block.chainid, verifyingContract),
            _firstOperators(3)
        );
        _assertRejected(r, deadline, signatures, IOracle.OracleUnknownSigner.selector);
    }

    function testFuzz_sync_rejectsTamperedReport(uint64 signedSats, uint64 submittedSats) public {
        signedSats = uint64(bound(signedSats, 0, MAX_BTC_SATS));
        submittedSats = uint64(bound(submittedSats, 0, MAX_BTC_SATS));
        vm.assume(signedSats != submittedSats);
        IOracle.Report[] memory r = _report(signedSats, 1, FIRST_HEIGHT);
        uint256 deadline = block.timestamp + 600;
        bytes[] memory signatures = _signBatch(oracle, r, deadline, THRESHOLD);
        r[0].newTotalSats = submittedSats;
        _assertRejected(r, deadline, signatures, IOracle.OracleUnknownSigner.selector);
    }

    function testFuzz_sync_rejectsExpiredDeadline(uint256 elapsed) public {
        IOracle.Report[] memory r = _report(1_000, 1, FIRST_HEIGHT);
        uint256 deadline = block.timestamp + 600;
        bytes[] memory signatures = _signBatch(oracle, r, deadline, THRESHOLD);
        vm.warp(deadline + bound(elapsed, 1, 365 days));
        _assertRejected(r, deadline, signatures, IOracle.OracleReportExpired.selector);
    }

    function testFuzz_sync_rejectsHeightRegression(uint64 firstHeight, uint64 regression) public {
        firstHeight = uint64(bound(firstHeight, 1, type(uint32).max));
        regression = uint64(bound(regression, 1, firstHeight));
        IOracle.Report[] memory r = _report(1_000, 1, firstHeight);
        uint256 deadline = block.timestamp + 600;
        oracle.sync(r, deadline, _signBatch(oracle, r, deadline, THRESHOLD));
        IOracle.Report[] memory back = _report(2_000, 2, firstHeight - regression);
        _assertRejected(
            back,
            deadline,
            _signBatch(oracle, back, deadline, THRESHOLD),
            IOracle.OracleHeightRegressed.selector
        );
    }

    function testFuzz_sync_neverMintsBeyondCapsImmediately(uint64 totalSats) public {
        totalSats = uint64(bound(totalSats, 1, MAX_BTC_SATS));
        IOracle.Report[] memory r = _report(totalSats, 1, FIRST_HEIGHT);
        uint256 deadline = block.timestamp + 600;
        oracle.sync(r, deadline, _signBatch(oracle, r, deadline, THRESHOLD));
        IOracle.UserView memory u = oracle.userState(alice);
        uint64 attestedSats = u.attestedSats;
        assertLe(rbtc.totalBackedOf(alice), USER_CAP_SATS, "minted within the user cap");
        assertEq(uint256(rbtc.totalBackedOf(alice)) + u.queuedSats, attestedSats, "backed + queued == attested");
    }
}

/// @notice Invariants over any sequence of syncs (up and down, single and batched), wraps, redeems, wrBTC transfers,
///         fee deposits and withdrawals, time, queue executions and cancellations.
contract OracleInvariantTest is OracleSystemBase {
    OracleHandler internal handler;

    function setUp() public {
        _deploySystem();
        handler = new OracleHandler(oracle, rbtc, wrbtc, feeVault, feePolicy, _operatorKeys);
        oracle.grantRole(oracle.GUARDIAN_ROLE(), address(handler));
        handler.bindActors();
        // Two actors start with prepaid fees, two with an empty FeeVault.
        address[] memory actors = handler.actors();
        vm.deal(address(this), 2 ether);
        feeVault.depositETH{value: 1 ether}(actors[0]);
        feeVault.depositETH{value: 1 ether}(actors[1]);
        targetContract(address(handler));
    }

    /// @dev (a) rbtc.totalBackedOf + queuedSats == attestedSats == the ghost attested total, for every user.
    function invariant_backedPlusQueuedEqualsAttested() public view {
        address[] memory actors = handler.actors();
        for (uint256 i = 0; i < actors.length; ++i) {
            IOracle.UserView memory u = oracle.userState(actors[i]);
            assertEq(uint256(rbtc.totalBackedOf(actors[i])) + u.queuedSats, u.attestedSats, "backed + queued");
            assertEq(u.attestedSats, handler.ghostAttestedSats(actors[i]), "attested == ghost");
        }
    }

    /// @dev (e) nobody keeps rBTC above their last reported total, whatever their FeeVault holds.
    function invariant_backedNeverAboveLastReport() public view {
        address[] memory actors = handler.actors();
        for (uint256 i = 0; i < actors.length; ++i) {
            assertLe(rbtc.totalBackedOf(actors[i]), handler.ghostReportedSats(actors[i]), "backed <= reported");
        }
    }

    /// @dev Valid committee batches never revert (a missing fee defers, it never blocks).
    function invariant_validSyncsNeverRevert() public view {
        assertEq(handler.ghostSyncReverts(), 0, "sync reverted");
    }

    /// @dev wrBTC stays fully accounted: supply == escrow + recorded deficit.
    function invariant_wrbtcSupplyEqualsEscrowPlusUncovered() public view {
        assertEq(wrbtc.totalSupply(), uint256(rbtc.totalEscrow()) + wrbtc.uncoveredSats());
    }

    /// @dev FeeVault holds exactly the users' prepaid balances plus unswept fees.
    function invariant_feeVaultConserved() public view {
        assertEq(address(feeVault).balance, feeVault.totalDepositsWei() + feeVault.accruedFeesWei());
    }
}
