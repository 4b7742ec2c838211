// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {ILightRelay} from "../../contracts/interfaces/ILightRelay.sol";
import {BitcoinHeaders} from "../../contracts/libraries/BitcoinHeaders.sol";
import {BitcoinMerkle} from "../../contracts/libraries/BitcoinMerkle.sol";
import {BitcoinTx} from "../../contracts/libraries/BitcoinTx.sol";
import {BitcoinLibHarness} from "../../contracts/mocks/BitcoinLibHarness.sol";
import {LightRelay} from "../../contracts/relay/LightRelay.sol";

/// @notice Fuzz tests of the relay's Bitcoin code: parsing never fails except with its own named errors, a mutation of
///         a real transaction changes its txid exactly when it touches the non-witness bytes, Merkle verification
///         rejects every mutated branch and position, compact targets round-trip, and the relay refuses garbage
///         header chains only with its own errors.
contract BitcoinLibsFuzzTest is Test {
    BitcoinLibHarness internal harness;
    LightRelay internal relay;

    /// @dev Mainnet block 883,230, transaction 1: a segwit P2WPKH spend (test/fixtures/bitcoin/mainnet-txs.json).
    bytes internal constant SPEND =
        hex"02000000000101f6e86a2b938453e199836ad4e2ba751c5ded24f4e1c2934b3434cd00f9bce61d0100000000fdffffff02856e"
        hex"00000000000017a914c5beca99b2b4c558b297ed9134142f4a3873f4e987d0b8390100000000160014b84ef1e7e398d56fa88a35"
        hex"6df3139ff997114f040247304402205edad21077602766ffbce1276b6a3b69577a521b28dc18d8062303723ac91cc802200ec9ea"
        hex"72f62069b1e5817a999fa3d31acf0f655a159691feb8161fb33b93f3fa012103997651fec067eda2c430bfe548f65575737c9b89"
        hex"2d8b529ae9dc0dfcb5c5898a00000000";
    bytes32 internal constant SPEND_TXID = hex"dcaa27e445aebb4da70903dc81b0bbab3dce6528017d110679c4ec014c23dec1";
    /// @dev Where the witness section of SPEND starts and ends (its locktime follows).
    uint256 internal constant WITNESS_START = 112;
    uint256 internal constant WITNESS_END = 219;
    bytes internal constant PROOF =
        hex"7012b2c0f96b47b7ad982a3c0505d191503059306e1347ec4c318fe3d892a91764a14c419c7a8b782ecb054f161919a46d3a723b"
        hex"eb4b113642bc9d88edcb71e69e18ed43ba5fdf895ac2ff4b782499bc14f8a9f092a39fd02250f422f26ace0e76ab87d4918f8dc2"
        hex"4223f985aca50e7c6c9c064c5a44c9c674bdca43b66aa3a0405b277fa566aa36e7f8cf460d0409b75df4cfe1fa6068dd19f4e9f6"
        hex"42083115167eaf348f19ecc041b81c66acde8eac8429d9642e5fd7456d550588fe7f37ca01fb6fbe629b4e5c248f9e7624e2582a"
        hex"a2af13673f9ed61dfa614bfeafe2b78570dae790a39ba77a224e6bf761d6b283a25fc698e84d0442bcf0ab2c4a53040ee5727897"
        hex"5479c5623f6a394ac181f22a9e5c5685b94215ccc2e2f60c5f96a2fe852c75408415838af7b822076644d913794e6e538275f6a5"
        hex"b962ab4721c0a151";
    uint256 internal constant INDEX = 1;
    bytes32 internal constant ROOT = hex"69167b97329b04d11aea35a48fbfc00af71c9750c4526d024dbb97158793eac3";

    function setUp() public {
        harness = new BitcoinLibHarness();
        relay = new LightRelay(
            ILightRelay.Rules({
                powLimitBits: 0x207fffff,
                retargeting: false,
                minDifficultyBlocks: false,
                txProofDifficultyFactor: 6,
                retargetProofLength: 0
            }),
            _mineRegtestHeader(1_700_000_000),
            0
        );
    }

    function test_realSpend_parsesToItsTxidAndProvesIntoItsBlock() public view {
        assertEq(harness.txid(SPEND), SPEND_TXID);
        assertEq(harness.computeRoot(SPEND_TXID, PROOF, INDEX), ROOT);
    }

    function testFuzz_txid_revertsOnlyWithParserErrors(bytes calldata raw) public view {
        try harness.txid(raw) returns (bytes32) {} catch (bytes memory reason) {
            assertTrue(_isParserError(reason), "unexpected revert");
        }
    }

    function testFuzz_txid_mutationChangesTxidUnlessInWitness(uint256 position, uint8 delta) public view {
        position = bound(position, 0, SPEND.length - 1);
        delta = uint8(bound(delta, 1, 255));
        bytes memory mutated = SPEND;
        mutated[position] = bytes1(uint8(mutated[position]) ^ delta);
        try harness.txid(mutated) returns (bytes32 id) {
            if (position >= WITNESS_START && position < WITNESS_END) assertEq(id, SPEND_TXID);
            else assertTrue(id != SPEND_TXID, "a non-witness mutation kept the txid");
        } catch (bytes memory reason) {
            assertTrue(_isParserError(reason), "unexpected revert");
        }
    }

    function testFuzz_merkle_rejectsAnyMutatedBranch(uint256 position, uint8 delta) public view {
        position = bound(position, 0, PROOF.length - 1);
        delta = uint8(bound(delta, 1, 255));
        bytes memory mutated = PROOF;
        mutated[position] = bytes1(uint8(mutated[position]) ^ delta);
        assertTrue(harness.computeRoot(SPEND_TXID, mutated, INDEX) != ROOT);
    }

    function testFuzz_merkle_rejectsAnyOtherPosition(uint256 index) public view {
        index = bound(index, 0, 2 ** (PROOF.length / 32) - 1);
        vm.assume(index != INDEX);
        assertTrue(harness.computeRoot(SPEND_TXID, PROOF, index) != ROOT);
    }

    function testFuzz_merkle_rejectsAnotherLeaf(bytes32 leaf) public view {
        vm.assume(leaf != SPEND_TXID);
        assertTrue(harness.computeRoot(leaf, PROOF, INDEX) != ROOT);
    }

    function testFuzz_bits_decodeEncodeDecodeIsStable(uint32 bits) public view {
        try harness.bitsToTarget(bits) returns (uint256 target) {
            assertEq(harness.bitsToTarget(harness.targetToBits(target)), target);
        } catch (bytes memory reason) {
            assertEq(bytes4(reason), BitcoinHeaders.BitcoinHeaderBitsInvalid.selector);
        }
    }

    function testFuzz_targetToBits_losesLessThanOnePartIn2To15(uint256 target) public view {
        target = bound(target, 1, type(uint256).max);
        uint256 decoded = harness.bitsToTarget(harness.targetToBits(target));
        assertLe(decoded, target);
        assertGe(decoded, target - (target >> 15));
    }

    function testFuzz_retarget_staysWithinFourfoldAndTheLimit(uint32 timespan, uint256 oldTarget) public view {
        uint256 limit = BitcoinHeaders.bitsToTarget(0x1d00ffff);
        oldTarget = bound(oldTarget, 1 << 160, limit);
        uint256 start = 1_600_000_000;
        uint256 newTarget = harness.bitsToTarget(harness.retargetBits(oldTarget, start, start + timespan, limit));
        assertLe(newTarget, limit);
        assertLe(newTarget, oldTarget * 4);
        // ¼ of the old target, less the compact encoding's truncation.
        assertGe(newTarget, oldTarget / 4 - ((oldTarget / 4) >> 15));
    }

    function testFuzz_work_neverIncreasesWithTheTarget(uint256 a, uint256 b) public view {
        a = bound(a, 1, type(uint256).max - 1);
        b = bound(b, a, type(uint256).max - 1);
        assertGe(harness.workOf(a), harness.workOf(b));
    }

    function testFuzz_validateChain_revertsOnlyWithRelayErrors(bytes calldata headers) public view {
        try relay.validateChain(headers) returns (uint256, uint256) {
            // Random bytes with valid regtest proof of work linking to nothing: possible (half of all hashes meet the
            // regtest target), and then the chain is one header of the genesis epoch.
            assertLe(headers.length, 80);
        } catch (bytes memory reason) {
            bytes4 selector = bytes4(reason);
            assertTrue(
                selector == ILightRelay.RelayHeadersLength.selector ||
                    selector == ILightRelay.RelayTooManyHeaders.selector ||
                    selector == ILightRelay.RelayUnexpectedBits.selector ||
                    selector == ILightRelay.RelayChainBeforeGenesis.selector ||
                    selector == ILightRelay.RelayBrokenChain.selector ||
                    selector == ILightRelay.RelayInsufficientProofOfWork.selector,
                "unexpected revert"
            );
        }
    }

    /// @dev True for the errors BitcoinTx declares.
    function _isParserError(bytes memory reason) internal pure returns (bool) {
        bytes4 selector = bytes4(reason);
        return
            selector == BitcoinTx.BitcoinTxTruncated.selector ||
            selector == BitcoinTx.BitcoinTxNonCanonicalVarInt.selector ||
            selector == BitcoinTx.BitcoinTxBadSegwitFlag.selector ||
            selector == BitcoinTx.BitcoinTxNoInputs.selector ||
            selector == BitcoinTx.BitcoinTxNoOutputs.selector ||
            selector == BitcoinTx.BitcoinTxSuperfluousWitness.selector ||
            selector == BitcoinTx.BitcoinTxTrailingBytes.selector ||
            selector == BitcoinTx.BitcoinTxValueTooLarge.selector ||
            selector == BitcoinTx.BitcoinTxSize64.selector;
    }

    /// @dev A header at regtest's limit with a nonce ground until it meets the target (two tries on average).
    function _mineRegtestHeader(uint32 time) internal pure returns (bytes memory header) {
        for (uint32 nonce = 0; ; ++nonce) {
            header = abi.encodePacked(
                bytes4(0x00000020),
                bytes32(0),
                bytes32(uint256(0x22)),
                _le32(time),
                bytes4(0xffff7f20),
                _le32(nonce)
            );
            if (BitcoinHeaders.meetsTarget(BitcoinHeaders.digestOf(header), BitcoinHeaders.bitsToTarget(0x207fffff))) {
                return header;
            }
        }
    }

    function _le32(uint32 v) internal pure returns (bytes4) {
        return bytes4(BitcoinHeaders.reverseUint32(v));
    }

    /// @dev BitcoinMerkle's errors are part of the harness's surface too.
    function test_merkle_namesMalformedProofs() public {
        vm.expectRevert(abi.encodeWithSelector(BitcoinMerkle.BitcoinMerkleProofLength.selector, 31));
        harness.computeRoot(SPEND_TXID, new bytes(31), 0);
        vm.expectRevert(abi.encodeWithSelector(BitcoinMerkle.BitcoinMerkleIndexOutOfRange.selector, 2, 1));
        harness.computeRoot(SPEND_TXID, new bytes(32), 2);
    }
}
