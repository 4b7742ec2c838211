/**
 * The relay's transaction and Merkle code (contracts/libraries/BitcoinTx.sol, BitcoinMerkle.sol, BitcoinHeaders.sol,
 * through the BitcoinLibHarness) against real mainnet transactions, and every forgery we know of: a wrong branch, a
 * wrong position, a coinbase from elsewhere, proofs of different depths, the 64-byte transaction and malformed bytes.
 */
import { expect } from "chai";
import { keccak256 } from "ethers";
import { network } from "hardhat";

import { bitsToTarget, decodeHex, parseHeader, targetToBits } from "../../src/bitcoin/headers.js";
import { parseRawTx } from "../../src/bitcoin/tx.js";
import type { FixtureTx } from "./helpers.js";
import { hex0x, mainnetHeaders, mainnetTxs } from "./helpers.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const loadFixture = networkHelpers.loadFixture.bind(networkHelpers);

const B883 = mainnetTxs.block883230;
const B779 = mainnetTxs.block779832;

/** A display-order txid as the contracts return it (bytes32, internal order). */
const internal = (txid: string): string =>
  `0x${Buffer.from(decodeHex(txid, "txid")).reverse().toString("hex")}`;

function proofOf(header: string, tx: FixtureTx, coinbase: FixtureTx) {
  return {
    transaction: hex0x(tx.hex),
    txIndex: tx.index,
    merkleProof: hex0x(tx.merkleProof),
    coinbase: hex0x(coinbase.hex),
    coinbaseProof: hex0x(coinbase.merkleProof),
    headers: hex0x(header),
    blockIndex: 0,
  };
}

/** `hexString` (0x…) with byte `index` XOR-ed with `mask`. */
function flipByte(hexString: string, index: number, mask = 0x01): string {
  const bytes = decodeHex(hexString, "data");
  bytes[index] = (bytes[index] as number) ^ mask;
  return `0x${Buffer.from(bytes).toString("hex")}`;
}

async function harnessFixture() {
  return { harness: await ethers.deployContract("BitcoinLibHarness") };
}

describe("Bitcoin SPV libraries (real mainnet data)", function () {
  describe("BitcoinTx.parse", function () {
    it("parses the segwit P2WPKH spend of block 883230 and computes its txid over the non-witness bytes", async function () {
      const { harness } = await loadFixture(harnessFixture);
      const raw = B883.p2wpkhSpend.hex;
      const reference = parseRawTx(raw);
      const tx = await harness.parse(hex0x(raw));
      expect(tx.txid).to.equal(internal(B883.p2wpkhSpend.txid));
      expect(tx.segwit).to.equal(true);
      expect(tx.version).to.equal(2n);
      expect(tx.baseSize).to.equal(BigInt(reference.baseSize));
      expect(tx.inputs.length).to.equal(1);
      expect(tx.inputs[0]?.prevTxid).to.equal(internal(reference.inputs[0]?.txid ?? ""));
      expect(tx.inputs[0]?.prevVout).to.equal(1n);
      expect(tx.inputs[0]?.sequence).to.equal(0xfffffffdn);
      expect(tx.outputs.map((o) => o.valueSats)).to.deep.equal([28_293n, 20_560_080n]);
      expect(tx.outputs.map((o) => o.scriptHash)).to.deep.equal(
        reference.outputs.map((o) => keccak256(hex0x(o.script))),
      );
      // The script stays in calldata: its offset points at it in the raw bytes.
      const second = tx.outputs[1];
      const script = raw.slice(Number(second?.scriptOffset) * 2, Number(second?.scriptOffset) * 2 + 44);
      expect(script).to.equal(reference.outputs[1]?.script);
      expect(await harness.txid(hex0x(raw))).to.equal(tx.txid);
    });

    it("parses the legacy P2PKH spend, the taproot spend and both coinbases", async function () {
      const { harness } = await loadFixture(harnessFixture);
      for (const tx of [mainnetTxs.block592920.p2pkhSpend, B779.taprootSpend]) {
        expect(await harness.txid(hex0x(tx.hex))).to.equal(internal(tx.txid));
      }
      for (const cb of [B883.coinbase, B779.coinbase]) {
        expect(await harness.coinbaseTxid(hex0x(cb.hex))).to.equal(internal(cb.txid));
      }
      const legacy = await harness.parse(hex0x(mainnetTxs.block592920.p2pkhSpend.hex));
      expect(legacy.segwit).to.equal(false);
      expect(legacy.outputs.map((o) => o.valueSats)).to.deep.equal(
        parseRawTx(mainnetTxs.block592920.p2pkhSpend.hex).outputs.map((o) => o.valueSats),
      );
      expect(legacy.outputs.map((o) => o.valueSats)).to.deep.equal([3_092_758n, 546n, 0n]);
    });

    it("reverts with BitcoinTxNotCoinbase for a spend posing as the coinbase", async function () {
      const { harness } = await loadFixture(harnessFixture);
      await expect(harness.coinbaseTxid(hex0x(B883.p2wpkhSpend.hex))).to.be.revertedWithCustomError(
        harness,
        "BitcoinTxNotCoinbase",
      );
    });

    context("when the bytes are malformed", function () {
      const spend = hex0x(B883.p2wpkhSpend.hex);
      const legacy = hex0x(mainnetTxs.block592920.p2pkhSpend.hex);

      it("reverts with BitcoinTxTruncated when bytes are missing", async function () {
        const { harness } = await loadFixture(harnessFixture);
        const cut = spend.slice(0, -10);
        await expect(harness.txid(cut)).to.be.revertedWithCustomError(harness, "BitcoinTxTruncated");
        await expect(harness.txid("0x0200")).to.be.revertedWithCustomError(harness, "BitcoinTxTruncated");
      });

      it("reverts with BitcoinTxTrailingBytes when bytes follow the locktime", async function () {
        const { harness } = await loadFixture(harnessFixture);
        await expect(harness.txid(`${legacy}00`))
          .to.be.revertedWithCustomError(harness, "BitcoinTxTrailingBytes")
          .withArgs(BigInt((legacy.length - 2) / 2), BigInt((legacy.length - 2) / 2 + 1));
      });

      it("reverts with BitcoinTxBadSegwitFlag, BitcoinTxNoInputs and BitcoinTxNoOutputs", async function () {
        const { harness } = await loadFixture(harnessFixture);
        await expect(harness.txid(flipByte(spend, 5, 0x03)))
          .to.be.revertedWithCustomError(harness, "BitcoinTxBadSegwitFlag")
          .withArgs(2n);
        await expect(harness.txid("0x02000000000100000000000000")).to.be.revertedWithCustomError(
          harness,
          "BitcoinTxNoInputs",
        );
        // One input (36 + empty script + sequence), then zero outputs.
        const noOutputs = `0x02000000 01 ${"11".repeat(36)} 00 ffffffff 00 00000000`.replaceAll(" ", "");
        await expect(harness.txid(noOutputs)).to.be.revertedWithCustomError(harness, "BitcoinTxNoOutputs");
      });

      it("reverts with BitcoinTxSuperfluousWitness when every witness is empty", async function () {
        const { harness } = await loadFixture(harnessFixture);
        const reference = parseRawTx(B883.p2wpkhSpend.hex);
        const emptyWitness = `0x${reference.baseHex.slice(0, 8)}0001${reference.baseHex.slice(8, -8)}00${reference.baseHex.slice(-8)}`;
        await expect(harness.txid(emptyWitness)).to.be.revertedWithCustomError(
          harness,
          "BitcoinTxSuperfluousWitness",
        );
      });

      it("reverts with BitcoinTxNonCanonicalVarInt for a count in a longer encoding than needed", async function () {
        const { harness } = await loadFixture(harnessFixture);
        // The legacy spend's input count 0x01 written as 0xfd 0x0100.
        const padded = `${legacy.slice(0, 10)}fd0100${legacy.slice(12)}`;
        await expect(harness.txid(padded))
          .to.be.revertedWithCustomError(harness, "BitcoinTxNonCanonicalVarInt")
          .withArgs(4n);
      });

      it("reverts with BitcoinTxValueTooLarge above 21 million BTC", async function () {
        const { harness } = await loadFixture(harnessFixture);
        const tooMuch = 2_100_000_000_000_001n;
        const le = Buffer.alloc(8);
        le.writeBigUInt64LE(tooMuch);
        const raw =
          `0x02000000 01 ${"11".repeat(36)} 00 ffffffff 01 ${le.toString("hex")} 01 51 00000000`.replaceAll(
            " ",
            "",
          );
        await expect(harness.txid(raw))
          .to.be.revertedWithCustomError(harness, "BitcoinTxValueTooLarge")
          .withArgs(0n, tooMuch);
      });
    });
  });

  describe("inclusion in a block (the relay's check, against one header)", function () {
    it("verifies the P2WPKH spend at index 1 of block 883230 with the coinbase at the same depth", async function () {
      const { harness } = await loadFixture(harnessFixture);
      const [txid, blockHash] = await harness.verifyInHeader(
        proofOf(B883.header, B883.p2wpkhSpend, B883.coinbase),
      );
      expect(txid).to.equal(internal(B883.p2wpkhSpend.txid));
      expect(blockHash).to.equal(await harness.headerHash(hex0x(B883.header)));
    });

    it("verifies the taproot spend at index 407 of block 779832", async function () {
      const { harness } = await loadFixture(harnessFixture);
      const [txid] = await harness.verifyInHeader(proofOf(B779.header, B779.taprootSpend, B779.coinbase));
      expect(txid).to.equal(internal(B779.taprootSpend.txid));
    });

    context("when the proof is forged", function () {
      it("reverts with BitcoinMerkleTxNotIncluded for a wrong Merkle branch", async function () {
        const { harness } = await loadFixture(harnessFixture);
        const proof = proofOf(B779.header, B779.taprootSpend, B779.coinbase);
        await expect(
          harness.verifyInHeader({ ...proof, merkleProof: flipByte(proof.merkleProof, 32 * 5 + 7) }),
        )
          .to.be.revertedWithCustomError(harness, "BitcoinMerkleTxNotIncluded")
          .withArgs(internal(B779.taprootSpend.txid), 407n);
      });

      it("reverts with BitcoinMerkleTxNotIncluded for the right branch at a wrong position", async function () {
        const { harness } = await loadFixture(harnessFixture);
        const proof = proofOf(B779.header, B779.taprootSpend, B779.coinbase);
        await expect(harness.verifyInHeader({ ...proof, txIndex: 406 }))
          .to.be.revertedWithCustomError(harness, "BitcoinMerkleTxNotIncluded")
          .withArgs(internal(B779.taprootSpend.txid), 406n);
        await expect(harness.verifyInHeader({ ...proof, txIndex: 407 + 2 ** 11 }))
          .to.be.revertedWithCustomError(harness, "BitcoinMerkleIndexOutOfRange")
          .withArgs(BigInt(407 + 2 ** 11), 11n);
      });

      it("reverts with BitcoinMerkleTxNotIncluded for a transaction of another block", async function () {
        const { harness } = await loadFixture(harnessFixture);
        const proof = proofOf(B883.header, B883.p2wpkhSpend, B883.coinbase);
        await expect(
          harness.verifyInHeader({ ...proof, transaction: hex0x(mainnetTxs.block592920.p2pkhSpend.hex) }),
        ).to.be.revertedWithCustomError(harness, "BitcoinMerkleTxNotIncluded");
      });

      it("reverts with BitcoinMerkleCoinbaseNotIncluded for another block's coinbase", async function () {
        const { harness } = await loadFixture(harnessFixture);
        const proof = proofOf(B883.header, B883.p2wpkhSpend, B883.coinbase);
        const foreign = { ...proof, coinbase: hex0x(B779.coinbase.hex) };
        await expect(harness.verifyInHeader({ ...foreign, coinbaseProof: proof.coinbaseProof }))
          .to.be.revertedWithCustomError(harness, "BitcoinMerkleCoinbaseNotIncluded")
          .withArgs(internal(B779.coinbase.txid));
      });

      it("reverts with HarnessInsufficientProofOfWork for a header that does not meet its target", async function () {
        const { harness } = await loadFixture(harnessFixture);
        const proof = proofOf(B883.header, B883.p2wpkhSpend, B883.coinbase);
        await expect(
          harness.verifyInHeader({ ...proof, headers: flipByte(proof.headers, 79) }),
        ).to.be.revertedWithCustomError(harness, "HarnessInsufficientProofOfWork");
      });
    });

    context("the 64-byte transaction", function () {
      // The first two leaves of block 883230 (coinbase ‖ spend, internal order) are 64 bytes whose double-SHA256 is
      // their parent node: posing as a "transaction", they prove into the block one level above the real leaves.
      const fake = `0x${internal(B883.coinbase.txid).slice(2)}${internal(B883.p2wpkhSpend.txid).slice(2)}`;
      const shortProof = hex0x(B883.p2wpkhSpend.merkleProof.slice(64));

      it("would prove into block 883230 on Merkle hashes alone", async function () {
        const { harness } = await loadFixture(harnessFixture);
        const parent = ethers.sha256(ethers.sha256(fake));
        expect(await harness.computeRoot(parent, shortProof, 0)).to.equal(
          `0x${Buffer.from(decodeHex(parseHeader(B883.header).merkleRoot, "root"))
            .reverse()
            .toString("hex")}`,
        );
      });

      it("is refused: the coinbase's proof pins the tree's depth (BitcoinMerkleDepthMismatch)", async function () {
        const { harness } = await loadFixture(harnessFixture);
        const proof = proofOf(B883.header, B883.p2wpkhSpend, B883.coinbase);
        // Even granting that the 64 bytes parsed as a transaction, its proof is one level short of the coinbase's.
        await expect(harness.verifyInHeader({ ...proof, merkleProof: shortProof, txIndex: 0 }))
          .to.be.revertedWithCustomError(harness, "BitcoinMerkleDepthMismatch")
          .withArgs(32n * 9n, 32n * 10n);
      });

      it("is refused by the parser: a well-formed 64-byte transaction reverts with BitcoinTxSize64", async function () {
        const { harness } = await loadFixture(harnessFixture);
        // version ‖ 1 input (outpoint, empty script, sequence) ‖ 1 output (value, 4-byte script) ‖ locktime = 64 bytes.
        const tx64 =
          `0x02000000 01 ${"22".repeat(32)} 00000000 00 ffffffff 01 e803000000000000 04 6a020102 00000000`.replaceAll(
            " ",
            "",
          );
        expect((tx64.length - 2) / 2).to.equal(64);
        await expect(harness.txid(tx64)).to.be.revertedWithCustomError(harness, "BitcoinTxSize64");
        // The two leaves themselves do not even parse as a transaction.
        await expect(harness.txid(fake)).to.be.revert(ethers);
      });
    });
  });

  describe("compact targets", function () {
    it("decodes and re-encodes every fixture's bits like Bitcoin Core", async function () {
      const { harness } = await loadFixture(harnessFixture);
      const all = Object.values(mainnetHeaders).flatMap((run) => [run.epochStart, ...run.headers]);
      for (const bits of new Set(all.map((h) => parseHeader(h.hex).bits))) {
        const target = await harness.bitsToTarget(bits);
        expect(target).to.equal(bitsToTarget(bits));
        expect(await harness.targetToBits(target)).to.equal(BigInt(targetToBits(target)));
        expect(await harness.targetToBits(target)).to.equal(BigInt(bits));
      }
    });

    it("matches Bitcoin Core's SetCompact/GetCompact vectors and rejects negative, overflowing and zero targets", async function () {
      const { harness } = await loadFixture(harnessFixture);
      // arith_uint256_tests.cpp: (compact, value, canonical compact).
      for (const [bits, value, canonical] of [
        [0x01123456, 0x12n, 0x01120000],
        [0x02008000, 0x80n, 0x02008000],
        [0x05009234, 0x92340000n, 0x05009234],
        [0x04123456, 0x12345600n, 0x04123456],
        [0x20123456, 0x123456n << 232n, 0x20123456],
      ] as const) {
        expect(await harness.bitsToTarget(bits)).to.equal(value);
        expect(await harness.targetToBits(value)).to.equal(BigInt(canonical));
      }
      for (const bits of [0x04923456, 0xff123456, 0x00000000, 0x01003456, 0x23000001]) {
        await expect(harness.bitsToTarget(bits))
          .to.be.revertedWithCustomError(harness, "BitcoinHeaderBitsInvalid")
          .withArgs(BigInt(bits));
      }
    });
  });
});
