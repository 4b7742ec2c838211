import { expect } from "chai";
import { id } from "ethers";
import { network } from "hardhat";

import { deployOracleSystem } from "../helpers/oracle.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const loadFixture = networkHelpers.loadFixture.bind(networkHelpers);

const ALICE_BTC = "bc1qalice0000000000000000000000000000000000";
const BOB_BTC = "bc1qbob00000000000000000000000000000000000000";
const ONE_ETH = 10n ** 18n;
const MIN_BOND = 10n ** 16n;
const REWARD = 5n * 10n ** 15n;
const WINDOW = 86_400;
const DEADLINE = 259_200;
const RESOLVER_ROLE = id("RESOLVER_ROLE");
const STATUS = { NONE: 0n, OPEN: 1n, UPHELD: 2n, REJECTED: 3n, EXPIRED: 4n } as const;

/** alice attested and holds 500,000 sats; bob 300,000; the reward balance holds 1 ETH. */
async function syncedFixture() {
  const s = await deployOracleSystem(connection);
  await s.bind(s.alice.address, ALICE_BTC);
  await s.bind(s.bob.address, BOB_BTC);
  await s.feeVault.depositETH(s.alice.address, { value: ONE_ETH });
  await s.feeVault.depositETH(s.bob.address, { value: ONE_ETH });
  await s.sync([await s.nextReport(s.alice.address, 500_000n), await s.nextReport(s.bob.address, 300_000n)]);
  await s.disputeManager.connect(s.treasury).fundRewards({ value: ONE_ETH });
  return s;
}

/** syncedFixture with a dispute (id 1) by the stranger claiming alice has 200,000 sats. */
async function openFixture() {
  const s = await syncedFixture();
  await s.disputeManager.connect(s.stranger).openDispute(s.alice.address, 200_000n, "ipfs://evidence", {
    value: MIN_BOND,
  });
  return s;
}

type System = Awaited<ReturnType<typeof syncedFixture>>;

/** DisputeManager ETH balance == open bonds + reward funds + owed pulls. */
async function expectConservation(s: System) {
  const dm = s.disputeManager;
  const balance = await ethers.provider.getBalance(await dm.getAddress());
  expect(balance).to.equal(
    (await dm.openBondsWei()) + (await dm.rewardFundsWei()) + (await dm.totalOwedWei()),
  );
}

describe("DisputeManager", function () {
  describe("deployment", function () {
    it("is wired into the Oracle with the module's parameters", async function () {
      const s = await loadFixture(syncedFixture);
      expect(await s.oracle.disputeManager()).to.equal(await s.disputeManager.getAddress());
      expect(await s.disputeManager.oracle()).to.equal(await s.oracle.getAddress());
      expect(await s.disputeManager.challengeWindowSeconds()).to.equal(WINDOW);
      expect(await s.disputeManager.resolutionDeadlineSeconds()).to.equal(DEADLINE);
      expect(await s.disputeManager.minBondWei()).to.equal(MIN_BOND);
      expect(await s.disputeManager.rewardWei()).to.equal(REWARD);
      expect(await s.disputeManager.treasury()).to.equal(s.treasury.address);
    });
  });

  describe("openDispute", function () {
    it("opens a dispute, freezes the user's syncs and emits DisputeOpened", async function () {
      const s = await loadFixture(syncedFixture);
      const tx = s.disputeManager
        .connect(s.stranger)
        .openDispute(s.alice.address, 200_000n, "ipfs://evidence", { value: MIN_BOND });
      await expect(tx)
        .to.emit(s.disputeManager, "DisputeOpened")
        .withArgs(
          1n,
          s.alice.address,
          s.stranger.address,
          200_000n,
          500_000n,
          MIN_BOND,
          anyDeadline(),
          "ipfs://evidence",
        );
      await expect(tx).to.emit(s.oracle, "SyncFrozen").withArgs(s.alice.address, true);
      expect(await s.disputeManager.isFrozen(s.alice.address)).to.equal(true);
      expect(await s.oracle.isSyncFrozen(s.alice.address)).to.equal(true);
      const d = await s.disputeManager.dispute(1n);
      expect(d.status).to.equal(STATUS.OPEN);
      expect(d.bondWei).to.equal(MIN_BOND);
      await expectConservation(s);
    });

    it("reverts with a bond below the minimum", async function () {
      const s = await loadFixture(syncedFixture);
      await expect(
        s.disputeManager.openDispute(s.alice.address, 1n, "", { value: MIN_BOND - 1n }),
      ).to.be.revertedWithCustomError(s.disputeManager, "DisputeBondTooLow");
    });

    it("reverts after the challenge window", async function () {
      const s = await loadFixture(syncedFixture);
      await networkHelpers.time.increase(WINDOW + 1);
      await expect(
        s.disputeManager.openDispute(s.alice.address, 1n, "", { value: MIN_BOND }),
      ).to.be.revertedWithCustomError(s.disputeManager, "DisputeWindowClosed");
    });

    it("reverts for a user never synced", async function () {
      const s = await loadFixture(syncedFixture);
      await expect(
        s.disputeManager.openDispute(s.carol.address, 1n, "", { value: MIN_BOND }),
      ).to.be.revertedWithCustomError(s.disputeManager, "DisputeWindowClosed");
    });

    it("reverts when the claim equals the attested total", async function () {
      const s = await loadFixture(syncedFixture);
      await expect(
        s.disputeManager.openDispute(s.alice.address, 500_000n, "", { value: MIN_BOND }),
      ).to.be.revertedWithCustomError(s.disputeManager, "DisputeClaimMatchesAttested");
    });

    it("allows one open dispute per user", async function () {
      const s = await loadFixture(openFixture);
      await expect(s.disputeManager.openDispute(s.alice.address, 1n, "", { value: MIN_BOND }))
        .to.be.revertedWithCustomError(s.disputeManager, "DisputeAlreadyOpen")
        .withArgs(s.alice.address, 1n);
    });
  });

  context("while a dispute is open", function () {
    it("holds back the frozen user's rise and applies the others in the same batch", async function () {
      const s = await loadFixture(openFixture);
      const aliceReport = await s.nextReport(s.alice.address, 900_000n);
      const bobReport = await s.nextReport(s.bob.address, 350_000n);
      const tx = s.sync([aliceReport, bobReport]);
      await expect(tx).to.emit(s.oracle, "ReportSkipped").withArgs(s.alice.address, aliceReport.sequence, 0);
      expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(500_000n);
      expect(await s.rbtc.totalBackedOf(s.bob.address)).to.equal(350_000n);
      // The held rise consumed its sequence (it can never apply after the dispute) and changed nothing else.
      expect((await s.oracle.userState(s.alice.address)).sequence).to.equal(aliceReport.sequence);
      expect((await s.oracle.userState(s.alice.address)).attestedSats).to.equal(500_000n);
    });

    it("applies the frozen user's drop: a dispute never delays a burn", async function () {
      const s = await loadFixture(openFixture);
      const aliceReport = await s.nextReport(s.alice.address, 100_000n);
      await expect(s.sync([aliceReport]))
        .to.emit(s.rbtc, "Burned")
        .withArgs(s.alice.address, 400_000n, 0n)
        .and.not.to.emit(s.oracle, "ReportSkipped");
      expect((await s.oracle.userState(s.alice.address)).attestedSats).to.equal(100_000n);
      expect(await s.oracle.isSyncFrozen(s.alice.address)).to.equal(true);
    });

    it("refuses the frozen user's wrap and her queued mint's execution", async function () {
      const s = await loadFixture(openFixture);
      await expect(s.wrbtc.connect(s.alice).wrap(1_000n))
        .to.be.revertedWithCustomError(s.rbtc, "RBTCAccountFrozen")
        .withArgs(s.alice.address);
      await expect(s.oracle.executeQueuedMint(s.alice.address))
        .to.be.revertedWithCustomError(s.oracle, "OracleSyncFrozen")
        .withArgs(s.alice.address);
    });
  });

  describe("resolveDispute", function () {
    it("upheld: burns down to the resolved total and pays bond + reward", async function () {
      const s = await loadFixture(openFixture);
      const tx = s.disputeManager.resolveDispute(1n, true, 200_000n);
      await expect(tx)
        .to.emit(s.disputeManager, "DisputeUpheld")
        .withArgs(1n, s.admin.address, 200_000n, REWARD);
      await expect(tx).to.emit(s.oracle, "EmergencyBurn").withArgs(s.alice.address, 300_000n, 2);
      await expect(tx)
        .to.emit(s.oracle, "DisputeResolutionApplied")
        .withArgs(s.alice.address, 500_000n, 200_000n);
      await expect(tx).to.changeEtherBalances(ethers, [s.stranger], [MIN_BOND + REWARD]);
      expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(200_000n);
      expect((await s.oracle.userState(s.alice.address)).attestedSats).to.equal(200_000n);
      expect(await s.oracle.isSyncFrozen(s.alice.address)).to.equal(false);
      expect((await s.disputeManager.dispute(1n)).status).to.equal(STATUS.UPHELD);
      await expectConservation(s);
    });

    it("upheld above the attested total: mints the difference", async function () {
      const s = await loadFixture(openFixture);
      await s.disputeManager.resolveDispute(1n, true, 650_000n);
      expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(650_000n);
    });

    it("upheld: pays the reward only up to the funded balance", async function () {
      const s = await deployOracleSystem(connection);
      await s.bind(s.alice.address, ALICE_BTC);
      await s.feeVault.depositETH(s.alice.address, { value: ONE_ETH });
      await s.sync([await s.nextReport(s.alice.address, 500_000n)]);
      await s.disputeManager.fundRewards({ value: 1_000n });
      await s.disputeManager.connect(s.stranger).openDispute(s.alice.address, 1n, "", { value: MIN_BOND });
      await expect(s.disputeManager.resolveDispute(1n, true, 1n)).to.changeEtherBalances(
        ethers,
        [s.stranger],
        [MIN_BOND + 1_000n],
      );
      expect(await s.disputeManager.rewardFundsWei()).to.equal(0n);
      await expectConservation(s);
    });

    it("rejected: sends the griefer's bond to the treasury and lifts the freeze", async function () {
      const s = await loadFixture(openFixture);
      const tx = s.disputeManager.resolveDispute(1n, false, 0n);
      await expect(tx).to.emit(s.disputeManager, "DisputeRejected").withArgs(1n, s.admin.address, MIN_BOND);
      await expect(tx).to.changeEtherBalances(ethers, [s.treasury, s.stranger], [MIN_BOND, 0n]);
      expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(500_000n);
      expect(await s.oracle.isSyncFrozen(s.alice.address)).to.equal(false);
      await expectConservation(s);
    });

    it("reverts without RESOLVER_ROLE", async function () {
      const s = await loadFixture(openFixture);
      await expect(s.disputeManager.connect(s.stranger).resolveDispute(1n, true, 0n))
        .to.be.revertedWithCustomError(s.disputeManager, "AccessControlUnauthorizedAccount")
        .withArgs(s.stranger.address, RESOLVER_ROLE);
    });

    it("reverts past the deadline and for a closed dispute", async function () {
      const s = await loadFixture(openFixture);
      await networkHelpers.time.increase(DEADLINE + 1);
      await expect(s.disputeManager.resolveDispute(1n, true, 0n)).to.be.revertedWithCustomError(
        s.disputeManager,
        "DisputeDeadlinePassed",
      );
      await s.disputeManager.expireDispute(1n);
      await expect(s.disputeManager.resolveDispute(1n, true, 0n)).to.be.revertedWithCustomError(
        s.disputeManager,
        "DisputeNotOpen",
      );
    });
  });

  describe("expireDispute", function () {
    it("returns the bond and lifts the freeze after the deadline (anyone)", async function () {
      const s = await loadFixture(openFixture);
      await networkHelpers.time.increase(DEADLINE + 1);
      const tx = s.disputeManager.connect(s.bob).expireDispute(1n);
      await expect(tx).to.emit(s.disputeManager, "DisputeExpired").withArgs(1n, s.bob.address);
      await expect(tx).to.emit(s.oracle, "SyncFrozen").withArgs(s.alice.address, false);
      await expect(tx).to.changeEtherBalances(ethers, [s.stranger], [MIN_BOND]);
      expect((await s.disputeManager.dispute(1n)).status).to.equal(STATUS.EXPIRED);
      await expectConservation(s);
    });

    it("reverts before the deadline", async function () {
      const s = await loadFixture(openFixture);
      await expect(s.disputeManager.expireDispute(1n)).to.be.revertedWithCustomError(
        s.disputeManager,
        "DisputeDeadlineNotReached",
      );
    });
  });

  context("when a push payment fails", function () {
    it("credits the amount for withdrawOwed", async function () {
      const s = await loadFixture(syncedFixture);
      const challenger = await ethers.deployContract("PayableChallenger");
      await challenger.open(await s.disputeManager.getAddress(), s.alice.address, 1n, { value: MIN_BOND });
      const address = await challenger.getAddress();
      await expect(s.disputeManager.resolveDispute(1n, true, 1n))
        .to.emit(s.disputeManager, "PaymentDeferred")
        .withArgs(address, MIN_BOND + REWARD);
      expect(await s.disputeManager.owedWei(address)).to.equal(MIN_BOND + REWARD);
      await expectConservation(s);
      await challenger.setAccepting(true);
      await expect(challenger.withdraw(await s.disputeManager.getAddress())).to.changeEtherBalances(
        ethers,
        [address],
        [MIN_BOND + REWARD],
      );
      expect(await s.disputeManager.totalOwedWei()).to.equal(0n);
      await expectConservation(s);
    });

    it("withdrawOwed reverts when nothing is owed", async function () {
      const s = await loadFixture(syncedFixture);
      await expect(s.disputeManager.withdrawOwed())
        .to.be.revertedWithCustomError(s.disputeManager, "DisputeNothingOwed")
        .withArgs(s.admin.address);
    });
  });

  describe("setParameters", function () {
    it("rejects a zero bond", async function () {
      const s = await loadFixture(syncedFixture);
      await expect(s.disputeManager.setParameters(1, 1, 0, 0)).to.be.revertedWithCustomError(
        s.disputeManager,
        "DisputeInvalidParameter",
      );
    });
  });
});

function anyDeadline() {
  return (value: bigint) => value > 0n;
}
