import { expect } from "chai";
import { network } from "hardhat";

import { deployOracleSystem } from "../helpers/oracle.js";

const connection = await network.create();
const { networkHelpers } = connection;
const loadFixture = networkHelpers.loadFixture.bind(networkHelpers);

const ALICE_BTC = "bc1qalice0000000000000000000000000000000000";
const BOB_BTC = "bc1qbob00000000000000000000000000000000000000";
const ONE_ETH = 10n ** 18n;
const BACKING_LOST = 3;

type System = Awaited<ReturnType<typeof deployOracleSystem>>;

/**
 * The BACKING_LOST story up to the deficit: alice synced 500,000 sats, wrapped them all and sent 400,000 wrBTC to bob;
 * then her BTC left and the sync burned her escrow: 100,000 wrBTC slashed, 400,000 uncovered (attributed to alice).
 * A reserve round over her (now empty) address was committed after that sync. bob holds 300,000 free rBTC of his own.
 */
async function deficitFixture() {
  const s = await deployOracleSystem(connection);
  await s.bind(s.alice.address, ALICE_BTC);
  await s.bind(s.bob.address, BOB_BTC);
  await s.feeVault.depositETH(s.alice.address, { value: ONE_ETH });
  await s.feeVault.depositETH(s.bob.address, { value: ONE_ETH });
  await s.sync([await s.nextReport(s.alice.address, 500_000n), await s.nextReport(s.bob.address, 300_000n)]);
  await s.commitReserves();
  await s.wrbtc.connect(s.alice).wrap(500_000n);
  await s.wrbtc.connect(s.alice).transfer(s.bob.address, 400_000n);
  await s.sync([await s.nextReport(s.alice.address, 0n)]);
  await s.commitReserves([
    { user: s.alice.address, btcAddress: ALICE_BTC, sats: 0n },
    { user: s.bob.address, btcAddress: BOB_BTC, sats: 300_000n },
  ]);
  return s;
}

/** wrBTC supply == escrow + deficit, and the deficit == Σ attributions (alice is the only one here). */
async function expectBackingAccounted(s: System, uncoveredSats: bigint) {
  expect(await s.wrbtc.uncoveredSats()).to.equal(uncoveredSats);
  expect(await s.wrbtc.uncoveredOf(s.alice.address)).to.equal(uncoveredSats);
  expect(await s.wrbtc.totalSupply()).to.equal((await s.rbtc.totalEscrow()) + uncoveredSats);
}

describe("WrBTC: restoring backing after BACKING_LOST", function () {
  describe("retireUncovered", function () {
    it("burns the caller's wrBTC and takes it off the user's and the total deficit", async function () {
      const s = await loadFixture(deficitFixture);
      const tx = s.wrbtc.connect(s.bob).retireUncovered(s.alice.address, 150_000n);
      await expect(tx)
        .to.emit(s.wrbtc, "UncoveredRetired")
        .withArgs(s.bob.address, s.alice.address, 150_000n);
      await expect(tx)
        .to.emit(s.wrbtc, "Transfer")
        .withArgs(s.bob.address, "0x" + "00".repeat(20), 150_000n);
      expect(await s.wrbtc.balanceOf(s.bob.address)).to.equal(250_000n);
      expect(await s.wrbtc.totalSupply()).to.equal(250_000n);
      expect(await s.rbtc.totalEscrow()).to.equal(0n);
      await expectBackingAccounted(s, 250_000n);
    });

    it("reverts with WrBTCExceedsUncovered above the user's attributed deficit", async function () {
      const s = await loadFixture(deficitFixture);
      await expect(s.wrbtc.connect(s.bob).retireUncovered(s.alice.address, 400_001n))
        .to.be.revertedWithCustomError(s.wrbtc, "WrBTCExceedsUncovered")
        .withArgs(s.alice.address, 400_000n, 400_001n);
      await expect(s.wrbtc.connect(s.bob).retireUncovered(s.bob.address, 1n))
        .to.be.revertedWithCustomError(s.wrbtc, "WrBTCExceedsUncovered")
        .withArgs(s.bob.address, 0n, 1n);
    });

    it("reverts with ERC20InsufficientBalance when the caller holds too little wrBTC", async function () {
      const s = await loadFixture(deficitFixture);
      await expect(s.wrbtc.connect(s.carol).retireUncovered(s.alice.address, 1n))
        .to.be.revertedWithCustomError(s.wrbtc, "ERC20InsufficientBalance")
        .withArgs(s.carol.address, 0n, 1n);
      await expectBackingAccounted(s, 400_000n);
    });
  });

  describe("coverUncovered", function () {
    it("escrows the caller's free rBTC for the user's deficit without minting wrBTC", async function () {
      const s = await loadFixture(deficitFixture);
      const tx = s.wrbtc.connect(s.bob).coverUncovered(s.alice.address, 100_000n);
      await expect(tx)
        .to.emit(s.wrbtc, "UncoveredCovered")
        .withArgs(s.bob.address, s.alice.address, 100_000n);
      await expect(tx).to.emit(s.rbtc, "Escrowed").withArgs(s.bob.address, 100_000n);
      expect(await s.rbtc.freeBalanceOf(s.bob.address)).to.equal(200_000n);
      expect(await s.rbtc.escrowOf(s.bob.address)).to.equal(100_000n);
      expect(await s.wrbtc.totalSupply()).to.equal(400_000n);
      await expectBackingAccounted(s, 300_000n);
    });

    it("lets the coverer redeem its escrow later by burning as much wrBTC", async function () {
      const s = await loadFixture(deficitFixture);
      await s.wrbtc.connect(s.bob).coverUncovered(s.alice.address, 100_000n);
      await s.wrbtc.connect(s.bob).redeem(100_000n);
      expect(await s.rbtc.freeBalanceOf(s.bob.address)).to.equal(300_000n);
      expect(await s.wrbtc.balanceOf(s.bob.address)).to.equal(300_000n);
      await expectBackingAccounted(s, 300_000n);
    });

    it("reverts with the ledger's RBTCInsufficientFree when the caller's free rBTC is short", async function () {
      const s = await loadFixture(deficitFixture);
      await expect(s.wrbtc.connect(s.alice).coverUncovered(s.alice.address, 1n))
        .to.be.revertedWithCustomError(s.rbtc, "RBTCInsufficientFree")
        .withArgs(s.alice.address, 0n, 1n);
      await expectBackingAccounted(s, 400_000n);
    });

    it("reverts with WrBTCExceedsUncovered above the user's attributed deficit", async function () {
      const s = await loadFixture(deficitFixture);
      await expect(s.wrbtc.connect(s.bob).coverUncovered(s.alice.address, 400_001n))
        .to.be.revertedWithCustomError(s.wrbtc, "WrBTCExceedsUncovered")
        .withArgs(s.alice.address, 400_000n, 400_001n);
    });
  });

  for (const fn of ["retireUncovered", "coverUncovered"] as const) {
    describe(`${fn}: common requirements`, function () {
      it("reverts for a zero amount and while the vault is paused", async function () {
        const s = await loadFixture(deficitFixture);
        const call = (amountSats: bigint) => s.wrbtc.connect(s.bob)[fn](s.alice.address, amountSats);
        await expect(call(0n)).to.be.revertedWithCustomError(s.wrbtc, "WrBTCZeroAmount");
        await s.wrbtc.pause();
        await expect(call(1n)).to.be.revertedWithCustomError(s.wrbtc, "EnforcedPause");
        await expectBackingAccounted(s, 400_000n);
      });
    });
  }

  describe("end to end", function () {
    it("spend while wrapped → BACKING_LOST → retire + cover → fully backed after the next round → wraps again", async function () {
      const s = await deployOracleSystem(connection);
      await s.bind(s.alice.address, ALICE_BTC);
      await s.bind(s.bob.address, BOB_BTC);
      await s.feeVault.depositETH(s.alice.address, { value: ONE_ETH });
      await s.sync([await s.nextReport(s.alice.address, 500_000n)]);
      await s.commitReserves();
      await s.wrbtc.connect(s.alice).wrap(500_000n);
      await s.wrbtc.connect(s.alice).transfer(s.bob.address, 400_000n);

      // alice spends all her BTC: the sync burns her escrow, slashes the 100,000 wrBTC she kept, 400,000 are uncovered.
      await expect(s.sync([await s.nextReport(s.alice.address, 0n)]))
        .to.emit(s.oracle, "EmergencyBurn")
        .withArgs(s.alice.address, 500_000n, BACKING_LOST);
      await s.commitReserves([{ user: s.alice.address, btcAddress: ALICE_BTC, sats: 0n }]);
      await expectBackingAccounted(s, 400_000n);
      expect(await s.proofOfReserves.isFullyBacked()).to.equal(false);

      // bob (or a treasury that bought wrBTC back) retires 150,000.
      await s.wrbtc.connect(s.bob).retireUncovered(s.alice.address, 150_000n);
      await expectBackingAccounted(s, 250_000n);

      // alice brings 300,000 sats back; the committee syncs; she escrows 250,000 of them for the orphaned wrBTC.
      await s.sync([await s.nextReport(s.alice.address, 300_000n)]);
      expect(await s.rbtc.freeBalanceOf(s.alice.address)).to.equal(300_000n);
      await s.wrbtc.connect(s.alice).coverUncovered(s.alice.address, 250_000n);
      await expectBackingAccounted(s, 0n);
      expect(await s.wrbtc.totalSupply()).to.equal(250_000n);
      expect(await s.rbtc.escrowOf(s.alice.address)).to.equal(250_000n);
      // The deficit is gone, but the last round (0 sats attested) is older than the new rBTC: not backed yet.
      expect(await s.proofOfReserves.isFullyBacked()).to.equal(false);
      await expect(s.wrbtc.connect(s.alice).wrap(1n)).to.be.revertedWithCustomError(
        s.wrbtc,
        "WrBTCNotFullyBacked",
      );

      // The next committed round attests her 300,000 sats: fully backed, wraps are allowed again.
      await s.commitReserves([{ user: s.alice.address, btcAddress: ALICE_BTC, sats: 300_000n }]);
      expect(await s.proofOfReserves.isFullyBacked()).to.equal(true);
      expect(await s.proofOfReserves.uncoveredSats()).to.equal(0n);
      await expect(s.wrbtc.connect(s.alice).wrap(50_000n))
        .to.emit(s.wrbtc, "Wrapped")
        .withArgs(s.alice.address, 50_000n);
      expect(await s.wrbtc.totalSupply()).to.equal(300_000n);
      expect(await s.rbtc.totalEscrow()).to.equal(300_000n);
    });
  });
});
