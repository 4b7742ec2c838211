import { expect } from "chai";
import { MaxUint256, ZeroAddress } from "ethers";
import { network } from "hardhat";

import { ADMIN_TRANSFER_DELAY, FEE, FEE_ADMIN_ROLE, deployLedger } from "../helpers/ledger.js";

const { ethers, networkHelpers } = await network.create();

const MAX_FEE_BPS = 1_000n;
const MAX_UINT64 = 2n ** 64n - 1n;

async function ledgerFixture() {
  return deployLedger(ethers);
}

/** The documented formula, computed independently in TypeScript. */
function expectedQuote(
  sats: bigint,
  bps: bigint,
  weiPerSat: bigint,
  fixedWei: bigint,
  maxWei: bigint,
): bigint {
  if (sats === 0n) return 0n;
  const fee = fixedWei + (sats * weiPerSat * bps) / 10_000n;
  return fee < maxWei ? fee : maxWei;
}

describe("FeePolicy", function () {
  describe("constructor", function () {
    it("stores the parameters", async function () {
      const { feePolicy } = await networkHelpers.loadFixture(ledgerFixture);
      expect(await feePolicy.parameters()).to.deep.equal([FEE.bps, FEE.weiPerSat, FEE.fixedWei, FEE.maxWei]);
      expect(await feePolicy.MAX_FEE_BPS()).to.equal(MAX_FEE_BPS);
    });

    it("emits FeePolicyUpdated with the initial parameters", async function () {
      const { feePolicy } = await networkHelpers.loadFixture(ledgerFixture);
      await expect(feePolicy.deploymentTransaction())
        .to.emit(feePolicy, "FeePolicyUpdated")
        .withArgs(FEE.bps, FEE.weiPerSat, FEE.fixedWei, FEE.maxWei);
    });

    it("grants the admin FEE_ADMIN_ROLE and the default admin role with a one-day delay", async function () {
      const { feePolicy, admin } = await networkHelpers.loadFixture(ledgerFixture);
      expect(await feePolicy.FEE_ADMIN_ROLE()).to.equal(FEE_ADMIN_ROLE);
      expect(await feePolicy.hasRole(FEE_ADMIN_ROLE, admin.address)).to.equal(true);
      expect(await feePolicy.defaultAdmin()).to.equal(admin.address);
      expect(await feePolicy.defaultAdminDelay()).to.equal(ADMIN_TRANSFER_DELAY);
    });

    it("reverts when feeBps is above MAX_FEE_BPS", async function () {
      const { admin } = await networkHelpers.loadFixture(ledgerFixture);
      const factory = await ethers.getContractFactory("FeePolicy");
      await expect(factory.deploy(admin.address, MAX_FEE_BPS + 1n, 1n, 0n, 1n))
        .to.be.revertedWithCustomError(factory, "FeePolicyBpsTooHigh")
        .withArgs(MAX_FEE_BPS + 1n, MAX_FEE_BPS);
    });

    it("reverts when the cap is below the fixed fee", async function () {
      const { admin } = await networkHelpers.loadFixture(ledgerFixture);
      const factory = await ethers.getContractFactory("FeePolicy");
      await expect(factory.deploy(admin.address, 10n, 1n, 5n, 4n))
        .to.be.revertedWithCustomError(factory, "FeePolicyInvalidCap")
        .withArgs(5n, 4n);
    });

    it("reverts when the admin is the zero address", async function () {
      const factory = await ethers.getContractFactory("FeePolicy");
      await expect(factory.deploy(ZeroAddress, 10n, 1n, 0n, 1n))
        .to.be.revertedWithCustomError(factory, "AccessControlInvalidDefaultAdmin")
        .withArgs(ZeroAddress);
    });
  });

  describe("quote", function () {
    it("is zero for zero sats", async function () {
      const { feePolicy } = await networkHelpers.loadFixture(ledgerFixture);
      expect(await feePolicy.quote(0n)).to.equal(0n);
    });

    it("is the fixed fee plus feeBps of the minted value below the cap", async function () {
      const { feePolicy } = await networkHelpers.loadFixture(ledgerFixture);
      // 100,000 sats × 3e11 wei × 50 / 10,000 = 1.5e14; + 1e14 fixed.
      expect(await feePolicy.quote(100_000n)).to.equal(250_000_000_000_000n);
      for (const sats of [1n, 999n, 123_456n, 6_000_000n]) {
        expect(await feePolicy.quote(sats)).to.equal(
          expectedQuote(sats, FEE.bps, FEE.weiPerSat, FEE.fixedWei, FEE.maxWei),
        );
      }
    });

    it("is capped at maxFeeWei", async function () {
      const { feePolicy } = await networkHelpers.loadFixture(ledgerFixture);
      // 1 BTC → 1.5e17 variable fee, far above the 1e16 cap.
      expect(await feePolicy.quote(100_000_000n)).to.equal(FEE.maxWei);
    });

    it("is exactly the fixed fee when feeBps is zero", async function () {
      const { feePolicy, admin } = await networkHelpers.loadFixture(ledgerFixture);
      await feePolicy.connect(admin).setParameters(0n, FEE.weiPerSat, FEE.fixedWei, FEE.maxWei);
      expect(await feePolicy.quote(100_000_000n)).to.equal(FEE.fixedWei);
    });

    it("saturates to the cap instead of reverting when the value overflows uint256", async function () {
      const { feePolicy, admin } = await networkHelpers.loadFixture(ledgerFixture);
      await feePolicy.connect(admin).setParameters(MAX_FEE_BPS, MaxUint256, 0n, FEE.maxWei);
      expect(await feePolicy.quote(MAX_UINT64)).to.equal(FEE.maxWei);
      expect(await feePolicy.quote(1n)).to.equal(FEE.maxWei);
    });

    it("saturates to the cap when the fixed fee plus the variable fee overflows", async function () {
      const { feePolicy, admin } = await networkHelpers.loadFixture(ledgerFixture);
      await feePolicy.connect(admin).setParameters(MAX_FEE_BPS, 10n ** 70n, MaxUint256, MaxUint256);
      expect(await feePolicy.quote(1_000n)).to.equal(MaxUint256);
    });
  });

  describe("setParameters", function () {
    it("replaces every parameter and emits FeePolicyUpdated", async function () {
      const { feePolicy, admin } = await networkHelpers.loadFixture(ledgerFixture);
      await expect(feePolicy.connect(admin).setParameters(100n, 1_000n, 7n, 1_000_000n))
        .to.emit(feePolicy, "FeePolicyUpdated")
        .withArgs(100n, 1_000n, 7n, 1_000_000n);
      expect(await feePolicy.parameters()).to.deep.equal([100n, 1_000n, 7n, 1_000_000n]);
      expect(await feePolicy.quote(500n)).to.equal(7n + (500n * 1_000n * 100n) / 10_000n);
    });

    it("accepts feeBps equal to MAX_FEE_BPS and a cap equal to the fixed fee", async function () {
      const { feePolicy, admin } = await networkHelpers.loadFixture(ledgerFixture);
      await feePolicy.connect(admin).setParameters(MAX_FEE_BPS, 1n, 9n, 9n);
      expect(await feePolicy.parameters()).to.deep.equal([MAX_FEE_BPS, 1n, 9n, 9n]);
    });

    it("lets a newly granted fee admin change the parameters", async function () {
      const { feePolicy, admin, carol } = await networkHelpers.loadFixture(ledgerFixture);
      await feePolicy.connect(admin).grantRole(FEE_ADMIN_ROLE, carol.address);
      await expect(feePolicy.connect(carol).setParameters(1n, 1n, 1n, 1n)).to.emit(
        feePolicy,
        "FeePolicyUpdated",
      );
    });

    it("reverts when the caller lacks FEE_ADMIN_ROLE", async function () {
      const { feePolicy, stranger } = await networkHelpers.loadFixture(ledgerFixture);
      await expect(feePolicy.connect(stranger).setParameters(1n, 1n, 1n, 1n))
        .to.be.revertedWithCustomError(feePolicy, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, FEE_ADMIN_ROLE);
    });

    it("reverts when feeBps is above MAX_FEE_BPS", async function () {
      const { feePolicy, admin } = await networkHelpers.loadFixture(ledgerFixture);
      await expect(feePolicy.connect(admin).setParameters(MAX_FEE_BPS + 1n, 1n, 1n, 1n))
        .to.be.revertedWithCustomError(feePolicy, "FeePolicyBpsTooHigh")
        .withArgs(MAX_FEE_BPS + 1n, MAX_FEE_BPS);
    });

    it("reverts when the cap is zero", async function () {
      const { feePolicy, admin } = await networkHelpers.loadFixture(ledgerFixture);
      await expect(feePolicy.connect(admin).setParameters(1n, 1n, 0n, 0n))
        .to.be.revertedWithCustomError(feePolicy, "FeePolicyInvalidCap")
        .withArgs(0n, 0n);
    });

    it("reverts when the cap is below the fixed fee", async function () {
      const { feePolicy, admin } = await networkHelpers.loadFixture(ledgerFixture);
      await expect(feePolicy.connect(admin).setParameters(1n, 1n, 10n, 9n))
        .to.be.revertedWithCustomError(feePolicy, "FeePolicyInvalidCap")
        .withArgs(10n, 9n);
    });
  });
});
