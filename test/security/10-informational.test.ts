/**
 * Issue 15, finding 10 (informational):
 * - `sync` cached the global slot in memory across external calls (FeeVault, RBTCSynth, WrBTC, the balance hook) and
 *   wrote it back at the end, so a re-entrant hook's changes were overwritten (the global mint window, the highest
 *   attested height). Safe: the Oracle refuses re-entry; the hook's call fails (BalanceHookFailed) and changes nothing.
 * - BTC addresses were compared as raw bytes: one bech32 address bound twice under two spellings counts its BTC twice.
 *   Safe: the Oracle refuses bech32 addresses with upper-case characters (base58 addresses are case-sensitive and stay).
 * - The pool's loyalty clock started at `join()` even with a zero balance. Safe: it starts when the weight turns positive.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { deploySystemWithYield } from "../../src/deployments.js";
import { deployOracleSystem } from "../helpers/oracle.js";
import { ALICE_BTC, ONE_ETH, TIER, attempt, deployAliceAndBob, signBatch } from "../helpers/security.js";

const connection = await network.create();
const { time } = connection.networkHelpers;
const loadFixture = connection.networkHelpers.loadFixture.bind(connection.networkHelpers);

const ONE_YEAR = 366 * 86_400;

/** alice holds 500,000 sats, bob 300,000. */
function syncedFixture() {
  return deployAliceAndBob(connection);
}

/** syncedFixture with a re-entrant balance hook (set by the admin, as a compromised or buggy pool would be). */
async function reentrantHookFixture() {
  const s = await syncedFixture();
  const hook = await connection.ethers.deployContract("ReentrantBalanceHook", [], s.admin);
  await s.oracle.setBalanceHook(await hook.getAddress());
  return { ...s, hook };
}

/** The system with the YieldScalesPool; alice is bound and funded but holds no rBTC yet. */
async function poolFixture() {
  const s = await deployOracleSystem(connection, {}, deploySystemWithYield);
  await s.bind(s.alice.address, ALICE_BTC);
  await s.feeVault.depositETH(s.alice.address, { value: ONE_ETH });
  return { ...s, pool: s.yieldPool };
}

describe("Finding 10: informational hardening", function () {
  context("when the balance hook re-enters sync", function () {
    it("refuses the re-entrant call: it fails in the hook and changes nothing", async function () {
      const s = await loadFixture(reentrantHookFixture);
      // The hook holds a valid committee batch for bob (his total unchanged, at a newer Bitcoin height)…
      const inner = await signBatch(s, [await s.nextReport(s.bob.address, 300_000n, 2n)]);
      await s.hook.arm(
        await s.oracle.getAddress(),
        s.oracle.interface.encodeFunctionData("sync", [inner.reports, inner.deadline, inner.signatures]),
      );
      const bobBefore = await s.oracle.userState(s.bob.address);
      // …and submits it from inside the Oracle's call for alice's mint.
      const outer = await s.nextReport(s.alice.address, 600_000n);
      const tx = await s.sync([outer]);

      const bob = await s.oracle.userState(s.bob.address);
      expect(bob.sequence, "bob's sequence").to.equal(bobBefore.sequence);
      expect(bob.btcHeight).to.equal(bobBefore.btcHeight);
      // The global slot stays consistent: no user's attested height is above the highest attested height.
      expect(await s.oracle.highestBtcHeight()).to.equal(outer.btcHeight);
      await expect(tx).to.emit(s.oracle, "BalanceHookFailed").withArgs(s.alice.address);
      expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(600_000n);
    });
  });

  context("when a bech32 address is bound with upper-case characters", function () {
    for (const address of [
      "BC1QALICE0000000000000000000000000000000000",
      "bc1qAlice0000000000000000000000000000000000",
      "Bc1qalice0000000000000000000000000000000000",
      "TB1QALICE0000000000000000000000000000000000",
      "bcrt1qaliCe000000000000000000000000000000000",
    ]) {
      it(`refuses ${address} (OracleInvalidBtcAddress)`, async function () {
        const s = await loadFixture(syncedFixture);
        await expect(s.bind(s.carol.address, address))
          .to.be.revertedWithCustomError(s.oracle, "OracleInvalidBtcAddress")
          .withArgs(address);
      });
    }

    it("cannot bind alice's address a second time under another spelling", async function () {
      const s = await loadFixture(syncedFixture);
      await attempt(() => s.bind(s.carol.address, ALICE_BTC.toUpperCase()));
      expect(await s.oracle.ownerOfBtcAddress(ALICE_BTC.toUpperCase())).to.equal(
        connection.ethers.ZeroAddress,
      );
      expect(await s.oracle.bindingsLength()).to.equal(2n);
      expect(await s.oracle.addressesOf(s.carol.address)).to.deep.equal([]);
    });

    it("still binds base58 addresses, whose case is part of the address", async function () {
      const s = await loadFixture(syncedFixture);
      for (const address of ["1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"]) {
        await expect(s.bind(s.carol.address, address)).to.emit(s.oracle, "AddressBound");
      }
      expect(await s.oracle.addressesOf(s.carol.address)).to.have.length(2);
    });
  });

  context("when a holder joins the yield pool with a zero balance", function () {
    it("starts her loyalty clock when her balance turns positive, not at join", async function () {
      const s = await loadFixture(poolFixture);
      await s.pool.connect(s.alice).join();
      await time.increase(ONE_YEAR);
      const tx = await s.sync([await s.nextReport(s.alice.address, 500_000n)]);
      const minedAt = (await tx.getBlock())?.timestamp;

      const status = await s.pool.userStatus(s.alice.address);
      expect(status.earnedTier, "tier earned by a year at zero").to.equal(TIER.BRONZE);
      expect(status.sinceTimestamp).to.equal(BigInt(minedAt ?? 0));
    });

    it("keeps the clock of a holder who joined with a positive balance", async function () {
      const s = await loadFixture(poolFixture);
      await s.sync([await s.nextReport(s.alice.address, 500_000n)]);
      await s.pool.connect(s.alice).join();
      await time.increase(ONE_YEAR);
      await s.sync([await s.nextReport(s.alice.address, 600_000n)]);
      expect((await s.pool.userStatus(s.alice.address)).earnedTier).to.equal(TIER.GOLD);
    });
  });
});
