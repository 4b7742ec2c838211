/**
 * Issue 15, finding 2 (medium): skipped reports were replayable. A frozen user's report was skipped with its sequence
 * unused and its signatures valid until the batch deadline: after an upheld dispute (resolved to 200,000) anyone could
 * replay the skipped 600,000 report and undo the resolution; after any skip two signed reports shared one sequence
 * and the user picked the one that suited her.
 * Safe end state: a report signed for a sequence never changes a user's state after a later change of that user
 * (a resolution, the freeze lifting, …) — the last truth the committee signed is what stands.
 */
import { expect } from "chai";
import { network } from "hardhat";

import type { OracleSystem } from "../helpers/oracle.js";
import {
  BURN_REASON,
  CAUSE,
  ONE_ETH,
  SHORT_RESOLUTION_SECONDS,
  SKIP,
  attempt,
  deployAliceAndBob,
  expectHolding,
  openDispute,
  shortenResolutionDeadline,
  signBatch,
  submit,
} from "../helpers/security.js";

const connection = await network.create();
const { time } = connection.networkHelpers;
const loadFixture = connection.networkHelpers.loadFixture.bind(connection.networkHelpers);

/** alice holds 500,000 sats, bob 300,000; the dispute reward balance is funded. */
async function syncedFixture() {
  const s = await deployAliceAndBob(connection);
  await s.disputeManager.connect(s.treasury).fundRewards({ value: ONE_ETH });
  return s;
}

/**
 * A challenger disputes alice's total (claims 200,000); meanwhile the runner reports her BTC rose to 600,000: that
 * batch is submitted and skipped (frozen). Returns the skipped, still-signed batch and alice's sequence before it.
 */
async function heldRiseFixture() {
  const s = await syncedFixture();
  const { sequence } = await s.oracle.userState(s.alice.address);
  await openDispute(s, s.alice.address, 200_000n);
  const held = await signBatch(s, [await s.nextReport(s.alice.address, 600_000n)]);
  await (await submit(s, held)).wait();
  return { ...s, held, sequenceBefore: sequence };
}

describe("Finding 2: a skipped report cannot be replayed", function () {
  context("when a dispute is upheld after the user's report was skipped", function () {
    it("skips the replayed report: the resolution stands", async function () {
      const s = await loadFixture(heldRiseFixture);
      await s.disputeManager.resolveDispute(1n, true, 200_000n);
      await expectHolding(s, s.alice.address, 200_000n);

      // Anyone replays the skipped 600,000 report before its deadline.
      const replay = await submit(s, s.held);
      await expectHolding(s, s.alice.address, 200_000n);
      expect(await s.rbtc.totalSupply()).to.equal(500_000n);
      await expect(replay)
        .to.emit(s.oracle, "ReportSkipped")
        .withArgs(s.alice.address, s.sequenceBefore + 1n, SKIP.STALE_SEQUENCE);
    });

    it("consumes the sequence (hard) and announces the reset", async function () {
      const s = await loadFixture(heldRiseFixture);
      const tx = s.disputeManager.resolveDispute(1n, true, 200_000n);
      await expect(tx)
        .to.emit(s.oracle, "SequenceConsumed")
        // The held rise consumed sequenceBefore + 1 when it was submitted; the close consumes the next one.
        .withArgs(s.alice.address, s.sequenceBefore + 2n, CAUSE.DISPUTE_UPHELD);
      await expect(tx)
        .to.emit(s.oracle, "PositionReset")
        .withArgs(s.alice.address, 500_000n, 200_000n, 0n, 0n, BURN_REASON.DISPUTE_UPHELD);
      expect((await s.oracle.userState(s.alice.address)).sequence).to.be.greaterThan(s.sequenceBefore);
    });

    it("voids a drop signed before the resolution too, and applies the runner's next report", async function () {
      const s = await loadFixture(syncedFixture);
      await openDispute(s, s.alice.address, 200_000n);
      const inFlight = await signBatch(s, [await s.nextReport(s.alice.address, 450_000n)]);
      await s.disputeManager.resolveDispute(1n, true, 200_000n);
      await attempt(() => submit(s, inFlight));
      await expectHolding(s, s.alice.address, 200_000n);
      // The runner reads the chain again and signs the next sequence: that report applies.
      await s.sync([await s.nextReport(s.alice.address, 180_000n)]);
      await expectHolding(s, s.alice.address, 180_000n);
    });
  });

  for (const close of ["rejected", "expired"] as const) {
    context(`when the dispute is ${close} and two signed reports share one sequence`, function () {
      async function closedFixture() {
        const s = await syncedFixture();
        await shortenResolutionDeadline(s);
        const { sequence } = await s.oracle.userState(s.alice.address);
        await openDispute(s, s.alice.address, 200_000n);
        const held = await signBatch(s, [await s.nextReport(s.alice.address, 600_000n)]);
        await (await submit(s, held)).wait();
        return { ...s, held, sequenceBefore: sequence };
      }

      async function closeDispute(s: OracleSystem) {
        if (close === "rejected") return s.disputeManager.resolveDispute(1n, false, 0n);
        await time.increase(SHORT_RESOLUTION_SECONDS + 1);
        return s.disputeManager.connect(s.stranger).expireDispute(1n);
      }

      it("does not let the user pick the skipped rise over the runner's later report", async function () {
        const s = await loadFixture(closedFixture);
        await closeDispute(s);
        // The runner's next round: alice's BTC is now 450,000.
        const next = await signBatch(s, [await s.nextReport(s.alice.address, 450_000n)]);
        // alice front-runs it with the skipped (still signed) 600,000 report, then the runner's batch lands.
        await attempt(() => submit(s, s.held, s.alice));
        await attempt(() => submit(s, next));
        await expectHolding(s, s.alice.address, 450_000n);
      });

      it("consumes the sequence when the dispute closes; the skipped report is stale", async function () {
        const s = await loadFixture(closedFixture);
        await expect(closeDispute(s))
          .to.emit(s.oracle, "SequenceConsumed")
          // The held rise consumed sequenceBefore + 1 when it was submitted; the close consumes the next one.
          .withArgs(s.alice.address, s.sequenceBefore + 2n, CAUSE.DISPUTE_CLOSED);
        await expect(submit(s, s.held, s.alice))
          .to.emit(s.oracle, "ReportSkipped")
          .withArgs(s.alice.address, s.sequenceBefore + 1n, SKIP.STALE_SEQUENCE);
        await expectHolding(s, s.alice.address, 500_000n);
      });
    });
  }

  context("when a rise was held back by a guardian pause", function () {
    it("cannot be picked over the runner's later report after the pause", async function () {
      const s = await loadFixture(syncedFixture);
      const { sequence } = await s.oracle.userState(s.alice.address);
      await s.oracle.pause();
      const held = await signBatch(s, [await s.nextReport(s.alice.address, 600_000n)]);
      // The runner's batch during the pause: the rise is held back (or refused), not applied.
      await attempt(() => submit(s, held));
      await expectHolding(s, s.alice.address, 500_000n);
      await s.oracle.unpause();

      // After the pause the runner reports alice's BTC at 450,000; alice front-runs it with the held 600,000.
      const next = await signBatch(s, [await s.nextReport(s.alice.address, 450_000n)]);
      await attempt(() => submit(s, held, s.alice));
      await attempt(() => submit(s, next));
      await expectHolding(s, s.alice.address, 450_000n);
      expect((await s.oracle.userState(s.alice.address)).sequence).to.be.greaterThan(sequence);
    });

    it("cannot be picked to wrap and sell rBTC whose BTC is gone (no wrBTC left uncovered)", async function () {
      const s = await loadFixture(syncedFixture);
      await s.oracle.pause();
      const held = await signBatch(s, [await s.nextReport(s.alice.address, 600_000n)]);
      await attempt(() => submit(s, held));
      // The reserve round during the pause attests the BTC that exists then (alice 600,000 + bob 300,000).
      await s.commitReserves([], 900_000n);
      await s.oracle.unpause();
      const next = await signBatch(s, [await s.nextReport(s.alice.address, 450_000n)]);
      // alice picks the held rise, wraps everything and sells it before the runner's 450,000 lands.
      await attempt(() => submit(s, held, s.alice));
      await attempt(() => s.wrbtc.connect(s.alice).wrap(600_000n));
      const wrapped = await s.wrbtc.balanceOf(s.alice.address);
      await attempt(() => s.wrbtc.connect(s.alice).transfer(s.bob.address, wrapped));
      await attempt(() => submit(s, next));
      await s.sync([await s.nextReport(s.alice.address, 450_000n)]);
      await expectHolding(s, s.alice.address, 450_000n);
      expect(await s.wrbtc.uncoveredSats(), "uncovered wrBTC").to.equal(0n);
    });
  });
});
