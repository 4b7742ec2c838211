/**
 * Issue 15, finding 4 (medium): a user could dispute herself to delay her own burn. The freeze skipped drops too, and
 * the bond came back on expiry. Safe end state: drops always apply — frozen, paused, or after the user made the
 * runner's in-flight drop stale (unbinding, expiring a dispute); a freeze or a pause only holds back rises.
 */
import { expect } from "chai";
import { network } from "hardhat";

import {
  ALICE_BTC,
  SHORT_RESOLUTION_SECONDS,
  SKIP,
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

/** alice holds 500,000 sats, bob 300,000, both with fees prepaid. */
function syncedFixture() {
  return deployAliceAndBob(connection);
}

/** alice spent 400,000 of her BTC and, before the runner reports it, disputes her own total (bond from her). */
async function selfDisputedFixture() {
  const s = await syncedFixture();
  await openDispute(s, s.alice.address, 600_000n, s.alice);
  return s;
}

describe("Finding 4: nobody can delay a burn", function () {
  context("when a user disputes herself to delay her own burn", function () {
    it("applies the drop while she is frozen", async function () {
      const s = await loadFixture(selfDisputedFixture);
      const report = await s.nextReport(s.alice.address, 100_000n);
      const tx = await s.sync([report]);
      await expectHolding(s, s.alice.address, 100_000n);
      await expect(tx)
        .to.emit(s.oracle, "Synced")
        .withArgs(
          s.alice.address,
          500_000n,
          100_000n,
          report.btcHeight,
          report.btcBlockHash,
          report.sequence,
        );
      await expect(tx).to.emit(s.rbtc, "Burned").withArgs(s.alice.address, 400_000n, 0n);
      await expect(tx).not.to.emit(s.oracle, "ReportSkipped");
      expect(await s.oracle.isSyncFrozen(s.alice.address)).to.equal(true);
    });

    it("holds back her rise while frozen (DISPUTE_OPEN)", async function () {
      const s = await loadFixture(selfDisputedFixture);
      const report = await s.nextReport(s.alice.address, 700_000n);
      await expect(s.sync([report]))
        .to.emit(s.oracle, "ReportSkipped")
        .withArgs(s.alice.address, report.sequence, SKIP.DISPUTE_OPEN);
      await expectHolding(s, s.alice.address, 500_000n);
    });
  });

  context("when the guardian has paused the Oracle", function () {
    it("applies a burn and holds back a rise (PAUSED) in the same batch", async function () {
      const s = await loadFixture(syncedFixture);
      await s.oracle.pause();
      const drop = await s.nextReport(s.alice.address, 100_000n);
      const rise = await s.nextReport(s.bob.address, 400_000n);
      const tx = await s.sync([drop, rise]);
      await expectHolding(s, s.alice.address, 100_000n);
      await expectHolding(s, s.bob.address, 300_000n);
      await expect(tx).to.emit(s.rbtc, "Burned").withArgs(s.alice.address, 400_000n, 0n);
      await expect(tx).to.emit(s.oracle, "ReportSkipped").withArgs(s.bob.address, rise.sequence, SKIP.PAUSED);
    });

    it("applies the drop of a self-disputed user too", async function () {
      const s = await loadFixture(selfDisputedFixture);
      await s.oracle.pause();
      await s.sync([await s.nextReport(s.alice.address, 0n)]);
      await expectHolding(s, s.alice.address, 0n);
    });
  });

  context("when the user makes the runner's in-flight drop stale", function () {
    it("still applies the drop after she unbinds (the stale-drop rule)", async function () {
      const s = await loadFixture(syncedFixture);
      const inFlight = await signBatch(s, [await s.nextReport(s.alice.address, 100_000n)]);
      await s.oracle.connect(s.alice).unbindAddress(ALICE_BTC);
      const tx = await submit(s, inFlight);
      await expectHolding(s, s.alice.address, 100_000n);
      await expect(tx).to.emit(s.rbtc, "Burned").withArgs(s.alice.address, 400_000n, 0n);
      // The next round (no address bound) burns the rest.
      await s.sync([await s.nextReport(s.alice.address, 0n)]);
      await expectHolding(s, s.alice.address, 0n);
    });

    it("still applies the drop after she expires her own dispute", async function () {
      const s = await loadFixture(syncedFixture);
      await shortenResolutionDeadline(s);
      await openDispute(s, s.alice.address, 600_000n, s.alice);
      const inFlight = await signBatch(s, [await s.nextReport(s.alice.address, 100_000n)]);
      await time.increase(SHORT_RESOLUTION_SECONDS + 1);
      await s.disputeManager.connect(s.alice).expireDispute(1n);
      const tx = await submit(s, inFlight);
      await expectHolding(s, s.alice.address, 100_000n);
      await expect(tx).to.emit(s.rbtc, "Burned").withArgs(s.alice.address, 400_000n, 0n);
    });
  });
});
