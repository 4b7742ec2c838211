/**
 * The mainnet fixtures are real before anything is tested against them: every header hashes below the target its bits
 * encode and links to its parent, every transaction hashes (non-witness serialization, through @scure/btc-signer) to
 * its txid and its Merkle proof leads to its block header's Merkle root. The txids published by the fixtures' sources
 * are checked too.
 */
import { expect } from "chai";

import {
  bitsToTarget,
  headerHash,
  meetsTarget,
  parseHeader,
  retargetBits,
} from "../../src/bitcoin/headers.js";
import { decodeHex } from "../../src/bitcoin/headers.js";
import { proofToBranch, rootFromBranch } from "../../src/bitcoin/merkle.js";
import { parseRawTx } from "../../src/bitcoin/tx.js";
import type { FixtureHeader, FixtureTx } from "./helpers.js";
import { mainnetHeaders, mainnetTxs } from "./helpers.js";

function checkChain(headers: readonly FixtureHeader[]): void {
  let prev: { height: number; hash: string } | undefined;
  for (const h of headers) {
    const bytes = decodeHex(h.hex, "header");
    const parsed = parseHeader(bytes);
    const hash = headerHash(bytes);
    expect(meetsTarget(hash, bitsToTarget(parsed.bits)), `PoW of ${h.height}`).to.equal(true);
    if (prev !== undefined) {
      expect(h.height, "consecutive heights").to.equal(prev.height + 1);
      expect(parsed.prevHash, `link ${prev.height} → ${h.height}`).to.equal(prev.hash);
    }
    prev = { height: h.height, hash };
  }
}

function checkTx(tx: FixtureTx, header: string): void {
  const parsed = parseRawTx(tx.hex);
  expect(parsed.txid, "txid").to.equal(tx.txid);
  const root = rootFromBranch(tx.txid, proofToBranch(tx.merkleProof), tx.index);
  expect(root, "Merkle root").to.equal(parseHeader(header).merkleRoot);
}

describe("mainnet fixtures", function () {
  describe("headers", function () {
    for (const [name, run] of Object.entries(mainnetHeaders)) {
      it(`${name}: every header meets its target and links to its parent`, function () {
        checkChain([run.epochStart]);
        checkChain(run.headers);
      });
    }

    it("the 554400 and 741888 retargets are Bitcoin's difficulty adjustment of their epochs", function () {
      for (const [run, boundary] of [
        [mainnetHeaders.retarget554400, 554_400],
        [mainnetHeaders.retarget741888, 741_888],
      ] as const) {
        const start = parseHeader(run.epochStart.hex);
        const last = parseHeader(run.headers.find((h) => h.height === boundary - 1)?.hex ?? "");
        const first = parseHeader(run.headers.find((h) => h.height === boundary)?.hex ?? "");
        expect(run.epochStart.height % 2016).to.equal(0);
        expect(boundary - run.epochStart.height).to.equal(2016);
        const expected = retargetBits(
          bitsToTarget(start.bits),
          start.time,
          last.time,
          bitsToTarget(0x1d00ffff),
        );
        expect(first.bits).to.equal(expected);
        expect(first.bits).to.not.equal(start.bits);
      }
    });

    it("the orphan 437478 has valid proof of work and the same parent as the main-chain 437478, whose child 437479 is", function () {
      const run = mainnetHeaders.reorg437478;
      checkChain([run.orphan]);
      const orphan = parseHeader(run.orphan.hex);
      const main = run.headers.find((h) => h.height === 437_478) as FixtureHeader;
      const child = run.headers.find((h) => h.height === 437_479) as FixtureHeader;
      expect(orphan.prevHash).to.equal(parseHeader(main.hex).prevHash);
      expect(headerHash(decodeHex(run.orphan.hex, "h"))).to.not.equal(headerHash(decodeHex(main.hex, "h")));
      expect(parseHeader(child.hex).prevHash).to.equal(headerHash(decodeHex(main.hex, "h")));
    });
  });

  describe("transactions", function () {
    it("block 883230: the coinbase (index 0) and the P2WPKH spend (index 1) prove into the header", function () {
      const block = mainnetTxs.block883230;
      checkChain([{ height: block.height, hex: block.header }]);
      checkTx(block.coinbase, block.header);
      checkTx(block.p2wpkhSpend, block.header);
      const spend = parseRawTx(block.p2wpkhSpend.hex);
      expect(spend.segwit).to.equal(true);
      expect(spend.outputs.map((o) => o.valueSats)).to.deep.equal([28_293n, 20_560_080n]);
      // Siblings: each one's proof starts with the other's txid (internal order).
      expect(proofToBranch(block.p2wpkhSpend.merkleProof)[0]).to.equal(block.coinbase.txid);
      expect(proofToBranch(block.coinbase.merkleProof)[0]).to.equal(block.p2wpkhSpend.txid);
      // BIP-34: the coinbase script starts with the block height.
      expect(block.coinbase.hex).to.contain("03" + "1e7a0d");
    });

    it("block 779832: the coinbase and the taproot spend at index 407 (txid b61b0172…, as published)", function () {
      const block = mainnetTxs.block779832;
      checkChain([{ height: block.height, hex: block.header }]);
      checkTx(block.coinbase, block.header);
      checkTx(block.taprootSpend, block.header);
      expect(block.taprootSpend.txid).to.equal(
        "b61b0172d95e266c18aea0c624db987e971a5d6d4ebc2aaed85da4642d635735",
      );
    });

    it("block 592920: the P2PKH spend at index 26 (txid 74d6d6dc…, as published)", function () {
      const block = mainnetTxs.block592920;
      checkChain([{ height: block.height, hex: block.header }]);
      checkTx(block.p2pkhSpend, block.header);
      expect(block.p2pkhSpend.txid).to.equal(
        "74d6d6dc1fc9b0f393abde12e76adeeb3d674b38b7fbea4d9fc28b3bb0f67651",
      );
    });
  });
});
