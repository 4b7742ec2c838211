import { expect } from "chai";
import { network } from "hardhat";

import { signRevocation } from "../../src/oracle/signing.js";
import { CONFIG_ROLE, deployOracleSystem } from "../helpers/oracle.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const loadFixture = networkHelpers.loadFixture.bind(networkHelpers);

const ALICE_BTC = "bc1qalice0000000000000000000000000000000000";
const BOB_BTC = "bc1qbob00000000000000000000000000000000000000";
const CAROL_BTC = "bc1qcarol000000000000000000000000000000000000";
const ONE_ETH = 10n ** 18n;
/** FeePolicy cap of the test parameters: enough for exactly one maximal fee. */
const MAX_FEE_WEI = 10_000_000_000_000_000n;

const REASON = { FEE_EXHAUSTED: 0, BINDING_REVOKED: 1, DISPUTE_UPHELD: 2, BACKING_LOST: 3 } as const;
const CHANGE = { SYNC: 0, EMERGENCY_BURN: 1, DISPUTE_UPHELD: 2 } as const;
const HOOK_MODE = { RECORD: 0, REVERT: 1, BURN_GAS: 2 } as const;

/** alice holds 500,000 free rBTC; bob is bound with fees; carol is bound and funded for one maximal fee. */
async function mintedFixture() {
  const s = await deployOracleSystem(connection);
  await s.bind(s.alice.address, ALICE_BTC);
  await s.bind(s.bob.address, BOB_BTC);
  await s.bind(s.carol.address, CAROL_BTC);
  await s.feeVault.depositETH(s.alice.address, { value: ONE_ETH });
  await s.feeVault.depositETH(s.bob.address, { value: ONE_ETH });
  await s.sync([await s.nextReport(s.alice.address, 500_000n)]);
  return s;
}

/** mintedFixture plus a recording balance hook. */
async function hookFixture() {
  const s = await mintedFixture();
  const hook = await ethers.deployContract("BalanceHookRecorder");
  await s.oracle.setBalanceHook(await hook.getAddress());
  return { ...s, hook };
}

/** carol holds 80,000 rBTC, then a rise to 10,000,000 sats cannot be paid (deferred since `unpaidSince`). */
async function feeExhaustedFixture() {
  const s = await mintedFixture();
  await s.feeVault.depositETH(s.carol.address, { value: MAX_FEE_WEI });
  await s.sync([await s.nextReport(s.carol.address, 80_000n)]);
  await s.oracle.setFeeGracePeriod(3_600);
  await s.sync([await s.nextReport(s.carol.address, 10_000_000n)]);
  return s;
}

describe("Oracle: balance hook", function () {
  describe("setBalanceHook", function () {
    it("sets the hook and emits BalanceHookUpdated", async function () {
      const s = await loadFixture(mintedFixture);
      const hook = await ethers.deployContract("BalanceHookRecorder");
      await expect(s.oracle.setBalanceHook(await hook.getAddress()))
        .to.emit(s.oracle, "BalanceHookUpdated")
        .withArgs(await hook.getAddress());
      expect(await s.oracle.balanceHook()).to.equal(await hook.getAddress());
    });

    it("reverts for an address without code", async function () {
      const s = await loadFixture(mintedFixture);
      await expect(s.oracle.setBalanceHook(s.alice.address))
        .to.be.revertedWithCustomError(s.oracle, "OracleHookNotContract")
        .withArgs(s.alice.address);
    });

    it("reverts without CONFIG_ROLE", async function () {
      const s = await loadFixture(mintedFixture);
      await expect(s.oracle.connect(s.stranger).setBalanceHook(s.alice.address))
        .to.be.revertedWithCustomError(s.oracle, "AccessControlUnauthorizedAccount")
        .withArgs(s.stranger.address, CONFIG_ROLE);
    });
  });

  context("when a sync changes a backed balance", function () {
    it("notifies the mint with the new backed total", async function () {
      const s = await loadFixture(hookFixture);
      await expect(s.sync([await s.nextReport(s.alice.address, 700_000n)]))
        .to.emit(s.hook, "Recorded")
        .withArgs(s.alice.address, 700_000n, CHANGE.SYNC);
    });

    it("notifies a burn", async function () {
      const s = await loadFixture(hookFixture);
      await expect(s.sync([await s.nextReport(s.alice.address, 100_000n)]))
        .to.emit(s.hook, "Recorded")
        .withArgs(s.alice.address, 100_000n, CHANGE.SYNC);
    });

    it("notifies only the minted part of a queued rise, then the executed queue", async function () {
      const s = await loadFixture(hookFixture);
      // The user cap is 1,000,000 per window and 500,000 was minted in this window already.
      await expect(s.sync([await s.nextReport(s.alice.address, 2_000_000n)]))
        .to.emit(s.hook, "Recorded")
        .withArgs(s.alice.address, 1_000_000n, CHANGE.SYNC);
      await networkHelpers.time.increase(3_601);
      await expect(s.oracle.executeQueuedMint(s.alice.address))
        .to.emit(s.hook, "Recorded")
        .withArgs(s.alice.address, 2_000_000n, CHANGE.SYNC);
    });

    it("does not call the hook for an unchanged total or a deferred mint", async function () {
      const s = await loadFixture(hookFixture);
      await s.sync([await s.nextReport(s.alice.address, 500_000n)]);
      await s.sync([await s.nextReport(s.carol.address, 50_000n)]);
      expect(await s.hook.calls()).to.equal(0n);
    });
  });

  context("when the hook fails", function () {
    for (const [name, mode] of [
      ["reverts", HOOK_MODE.REVERT],
      ["exhausts its gas stipend", HOOK_MODE.BURN_GAS],
    ] as const) {
      it(`emits BalanceHookFailed and still applies the report when it ${name}`, async function () {
        const s = await loadFixture(hookFixture);
        await s.hook.setMode(mode);
        await expect(s.sync([await s.nextReport(s.alice.address, 200_000n)]))
          .to.emit(s.oracle, "BalanceHookFailed")
          .withArgs(s.alice.address);
        expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(200_000n);
      });
    }

    it("refuses a gas limit that would starve the hook", async function () {
      const s = await loadFixture(hookFixture);
      const report = await s.nextReport(s.alice.address, 200_000n);
      const deadline = (await s.now()) + 600n;
      const signatures = await s.signReports([report], deadline);
      await expect(
        s.oracle.sync([report], deadline, signatures, { gasLimit: 150_000 }),
      ).to.be.revertedWithCustomError(s.oracle, "OracleHookGasTooLow");
    });
  });
});

describe("Oracle: emergency burns", function () {
  describe("BACKING_LOST", function () {
    it("is emitted when the escrow burn cannot be slashed in full", async function () {
      const s = await loadFixture(mintedFixture);
      await s.commitReserves();
      await s.wrbtc.connect(s.alice).wrap(500_000n);
      await s.wrbtc.connect(s.alice).transfer(s.bob.address, 400_000n);
      const tx = s.sync([await s.nextReport(s.alice.address, 0n)]);
      await expect(tx)
        .to.emit(s.oracle, "EmergencyBurn")
        .withArgs(s.alice.address, 500_000n, REASON.BACKING_LOST);
      await expect(tx).to.emit(s.wrbtc, "Slashed").withArgs(s.alice.address, 500_000n, 100_000n, 400_000n);
      expect(await s.oracle.emergencyBurnCount()).to.equal(1n);
      expect(await s.wrbtc.uncoveredSats()).to.equal(400_000n);
    });

    it("is not emitted when the holder's wrBTC covers the escrow", async function () {
      const s = await loadFixture(mintedFixture);
      await s.commitReserves();
      await s.wrbtc.connect(s.alice).wrap(500_000n);
      await expect(s.sync([await s.nextReport(s.alice.address, 0n)])).not.to.emit(s.oracle, "EmergencyBurn");
      expect(await s.oracle.emergencyBurnCount()).to.equal(0n);
    });
  });

  describe("emergencyBurnFeeExhausted", function () {
    it("starts the unpaid-fee clock at the first deferred report", async function () {
      const s = await loadFixture(feeExhaustedFixture);
      const since = await s.oracle.feeUnpaidSince(s.carol.address);
      expect(since).to.be.greaterThan(0n);
      await s.sync([await s.nextReport(s.carol.address, 10_000_000n)]);
      expect(await s.oracle.feeUnpaidSince(s.carol.address)).to.equal(since);
    });

    it("reverts before the grace period has passed", async function () {
      const s = await loadFixture(feeExhaustedFixture);
      await expect(
        s.oracle.connect(s.stranger).emergencyBurnFeeExhausted(s.carol.address),
      ).to.be.revertedWithCustomError(s.oracle, "OracleFeeNotExhausted");
    });

    it("reverts after the grace period until a report re-confirms the unpaid rise", async function () {
      const s = await loadFixture(feeExhaustedFixture);
      await networkHelpers.time.increase(3_601);
      const since = await s.oracle.feeUnpaidSince(s.carol.address);
      const { lastSyncAt } = await s.oracle.userState(s.carol.address);
      await expect(s.oracle.emergencyBurnFeeExhausted(s.carol.address))
        .to.be.revertedWithCustomError(s.oracle, "OracleFeeNotReconfirmed")
        .withArgs(s.carol.address, lastSyncAt, since + 3_600n);
    });

    it("burns the whole position after the grace period (anyone may call)", async function () {
      const s = await loadFixture(feeExhaustedFixture);
      const hook = await ethers.deployContract("BalanceHookRecorder");
      await s.oracle.setBalanceHook(await hook.getAddress());
      await networkHelpers.time.increase(3_601);
      await s.sync([await s.nextReport(s.carol.address, 10_000_000n)]);
      const tx = s.oracle.connect(s.stranger).emergencyBurnFeeExhausted(s.carol.address);
      await expect(tx)
        .to.emit(s.oracle, "EmergencyBurn")
        .withArgs(s.carol.address, 80_000n, REASON.FEE_EXHAUSTED);
      await expect(tx).to.emit(hook, "Recorded").withArgs(s.carol.address, 0n, CHANGE.EMERGENCY_BURN);
      expect(await s.rbtc.totalBackedOf(s.carol.address)).to.equal(0n);
      const state = await s.oracle.userState(s.carol.address);
      expect(state.attestedSats).to.equal(0n);
      expect(state.deferredSats).to.equal(0n);
      expect(await s.oracle.emergencyBurnCount()).to.equal(1n);
    });

    it("re-mints through the next report once the fee can be paid", async function () {
      const s = await loadFixture(feeExhaustedFixture);
      await networkHelpers.time.increase(3_601);
      await s.sync([await s.nextReport(s.carol.address, 10_000_000n)]);
      await s.oracle.emergencyBurnFeeExhausted(s.carol.address);
      await s.feeVault.depositETH(s.carol.address, { value: ONE_ETH });
      await s.sync([await s.nextReport(s.carol.address, 80_000n)]);
      expect(await s.rbtc.totalBackedOf(s.carol.address)).to.equal(80_000n);
    });

    it("reverts once a top-up paid the fee", async function () {
      const s = await loadFixture(feeExhaustedFixture);
      await s.feeVault.depositETH(s.carol.address, { value: ONE_ETH });
      await s.sync([await s.nextReport(s.carol.address, 200_000n)]);
      await networkHelpers.time.increase(3_601);
      await expect(s.oracle.emergencyBurnFeeExhausted(s.carol.address)).to.be.revertedWithCustomError(
        s.oracle,
        "OracleFeeNotExhausted",
      );
    });

    it("reverts when the user holds no rBTC", async function () {
      const s = await loadFixture(mintedFixture);
      await s.oracle.setFeeGracePeriod(1);
      await s.sync([await s.nextReport(s.carol.address, 50_000n)]);
      await networkHelpers.time.increase(10);
      await s.sync([await s.nextReport(s.carol.address, 50_000n)]);
      await expect(s.oracle.emergencyBurnFeeExhausted(s.carol.address))
        .to.be.revertedWithCustomError(s.oracle, "OracleNothingToBurn")
        .withArgs(s.carol.address);
    });
  });

  describe("revokeBinding", function () {
    async function revocation(s: Awaited<ReturnType<typeof mintedFixture>>, btcAddress = ALICE_BTC) {
      return {
        user: s.alice.address,
        btcAddress,
        nonce: await s.oracle.bindingNonce(s.alice.address),
        deadline: (await s.now()) + 600n,
      };
    }

    it("unbinds the address and burns the whole position", async function () {
      const s = await loadFixture(mintedFixture);
      const r = await revocation(s);
      const signatures = await signRevocation(s.oracle, r, s.operators.slice(0, 2));
      const tx = s.oracle.connect(s.stranger).revokeBinding(r, signatures);
      await expect(tx).to.emit(s.oracle, "AddressUnbound");
      await expect(tx)
        .to.emit(s.oracle, "EmergencyBurn")
        .withArgs(s.alice.address, 500_000n, REASON.BINDING_REVOKED);
      expect(await s.oracle.ownerOfBtcAddress(ALICE_BTC)).to.equal(ethers.ZeroAddress);
      expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(0n);
      expect(await s.oracle.bindingNonce(s.alice.address)).to.equal(r.nonce + 1n);
    });

    it("cannot be replayed", async function () {
      const s = await loadFixture(mintedFixture);
      const r = await revocation(s);
      const signatures = await signRevocation(s.oracle, r, s.operators.slice(0, 2));
      await s.oracle.revokeBinding(r, signatures);
      await expect(s.oracle.revokeBinding(r, signatures)).to.be.revertedWithCustomError(
        s.oracle,
        "OracleBadBindingNonce",
      );
    });

    it("needs the committee threshold", async function () {
      const s = await loadFixture(mintedFixture);
      const r = await revocation(s);
      const signatures = await signRevocation(s.oracle, r, s.operators.slice(0, 1));
      await expect(s.oracle.revokeBinding(r, signatures)).to.be.revertedWithCustomError(
        s.oracle,
        "OracleInsufficientSignatures",
      );
    });
  });

  describe("dispute entry points", function () {
    it("accept only the DisputeManager", async function () {
      const s = await loadFixture(mintedFixture);
      await expect(s.oracle.setSyncFrozen(s.alice.address, true))
        .to.be.revertedWithCustomError(s.oracle, "OracleNotDisputeManager")
        .withArgs(s.admin.address);
      await expect(s.oracle.applyDisputeResolution(s.alice.address, 0n))
        .to.be.revertedWithCustomError(s.oracle, "OracleNotDisputeManager")
        .withArgs(s.admin.address);
    });

    it("wires the DisputeManager once", async function () {
      const s = await loadFixture(mintedFixture);
      expect(await s.oracle.disputeManager()).to.equal(await s.disputeManager.getAddress());
      await expect(s.oracle.setDisputeManager(s.alice.address)).to.be.revertedWithCustomError(
        s.oracle,
        "OracleAlreadyWired",
      );
    });

    it("rejects a zero fee grace period", async function () {
      const s = await loadFixture(mintedFixture);
      await expect(s.oracle.setFeeGracePeriod(0)).to.be.revertedWithCustomError(
        s.oracle,
        "OracleInvalidParameter",
      );
    });
  });
});
