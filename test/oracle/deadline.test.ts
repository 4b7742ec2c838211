import { expect } from "chai";

import { deadlineFrom } from "../../src/oracle/deadline.js";

describe("deadlineFrom (the deadline of committee signatures)", function () {
  const wallMs = 1_796_320_022_000;

  context(
    "when the chain has been idle longer than the signatures' lifetime (hardhat node mines on demand)",
    function () {
      it("counts from the wall clock: the next block is stamped with it", function () {
        // The case met against a `hardhat node` idle for 20 minutes: the block-based deadline had passed on arrival.
        const latestBlock = 1_796_318_840;
        expect(deadlineFrom(latestBlock, 600n, wallMs)).to.equal(1_796_320_622n);
        expect(deadlineFrom(latestBlock, 600n, wallMs)).to.be.greaterThan(1_796_320_022n);
      });
    },
  );

  context("when the chain is ahead of the wall clock (time travel in tests)", function () {
    it("counts from the latest block", function () {
      expect(deadlineFrom(1_796_400_000n, 600n, wallMs)).to.equal(1_796_400_600n);
    });
  });
});
