import { expect } from "chai";
import { ZeroAddress } from "ethers";
import { network } from "hardhat";

import { ADMIN_TRANSFER_DELAY, DEFAULT_ADMIN_ROLE, MAX_BTC_SATS, deployLedger } from "../helpers/ledger.js";

const { ethers, networkHelpers } = await network.create();

const MAX_UINT64 = 2n ** 64n - 1n;

async function ledgerFixture() {
  return deployLedger(ethers);
}

/** A ledger whose wrBTC vault can be driven directly (impersonated) to test the vault-only functions. */
async function vaultSignerFixture() {
  const ledger = await ledgerFixture();
  const vaultAddress = await ledger.wrbtc.getAddress();
  await networkHelpers.setBalance(vaultAddress, 10n ** 18n);
  const vaultSigner = await ethers.getImpersonatedSigner(vaultAddress);
  await ledger.rbtc.connect(ledger.oracle).mint(ledger.alice.address, 1_000n);
  return { ...ledger, vaultSigner };
}

async function unwiredFixture() {
  const [admin, other, oracle, vault] = await ethers.getSigners();
  if (!admin || !other || !oracle || !vault) throw new Error("signers");
  const rbtc = await ethers.deployContract("RBTCSynth", [admin.address]);
  return { rbtc, admin, other, oracle, vault };
}

describe("RBTCSynth", function () {
  describe("constructor and metadata", function () {
    it("exposes the ERC-20 metadata of rBTC-SYNTH", async function () {
      const { rbtc } = await networkHelpers.loadFixture(ledgerFixture);
      expect(await rbtc.name()).to.equal("ReserveBTC Synthetic BTC");
      expect(await rbtc.symbol()).to.equal("rBTC-SYNTH");
      expect(await rbtc.decimals()).to.equal(8n);
    });

    it("makes the admin the default admin with a one-day handover delay", async function () {
      const { rbtc, admin } = await networkHelpers.loadFixture(ledgerFixture);
      expect(await rbtc.defaultAdmin()).to.equal(admin.address);
      expect(await rbtc.hasRole(DEFAULT_ADMIN_ROLE, admin.address)).to.equal(true);
      expect(await rbtc.defaultAdminDelay()).to.equal(ADMIN_TRANSFER_DELAY);
    });

    it("reverts when the admin is the zero address", async function () {
      const factory = await ethers.getContractFactory("RBTCSynth");
      await expect(factory.deploy(ZeroAddress))
        .to.be.revertedWithCustomError(factory, "AccessControlInvalidDefaultAdmin")
        .withArgs(ZeroAddress);
    });
  });

  describe("wire", function () {
    it("sets the oracle and the vault and emits Wired", async function () {
      const { rbtc, admin, oracle, vault } = await networkHelpers.loadFixture(unwiredFixture);
      await expect(rbtc.connect(admin).wire(oracle.address, vault.address))
        .to.emit(rbtc, "Wired")
        .withArgs(oracle.address, vault.address);
      expect(await rbtc.oracle()).to.equal(oracle.address);
      expect(await rbtc.vault()).to.equal(vault.address);
    });

    it("reverts when called a second time", async function () {
      const { rbtc, admin, oracle, vault } = await networkHelpers.loadFixture(unwiredFixture);
      await rbtc.connect(admin).wire(oracle.address, vault.address);
      await expect(rbtc.connect(admin).wire(vault.address, oracle.address)).to.be.revertedWithCustomError(
        rbtc,
        "RBTCAlreadyWired",
      );
    });

    it("reverts when the caller is not the default admin", async function () {
      const { rbtc, other, oracle, vault } = await networkHelpers.loadFixture(unwiredFixture);
      await expect(rbtc.connect(other).wire(oracle.address, vault.address))
        .to.be.revertedWithCustomError(rbtc, "AccessControlUnauthorizedAccount")
        .withArgs(other.address, DEFAULT_ADMIN_ROLE);
    });

    it("reverts when the oracle is the zero address", async function () {
      const { rbtc, admin, vault } = await networkHelpers.loadFixture(unwiredFixture);
      await expect(rbtc.connect(admin).wire(ZeroAddress, vault.address)).to.be.revertedWithCustomError(
        rbtc,
        "RBTCZeroAddress",
      );
    });

    it("reverts when the vault is the zero address", async function () {
      const { rbtc, admin, oracle } = await networkHelpers.loadFixture(unwiredFixture);
      await expect(rbtc.connect(admin).wire(oracle.address, ZeroAddress)).to.be.revertedWithCustomError(
        rbtc,
        "RBTCZeroAddress",
      );
    });

    it("leaves mint closed to everybody before wiring", async function () {
      const { rbtc, admin, other } = await networkHelpers.loadFixture(unwiredFixture);
      await expect(rbtc.connect(admin).mint(other.address, 1n))
        .to.be.revertedWithCustomError(rbtc, "RBTCUnauthorizedOracle")
        .withArgs(admin.address);
    });
  });

  describe("mint", function () {
    it("credits the free balance and the totals", async function () {
      const { rbtc, oracle, alice } = await networkHelpers.loadFixture(ledgerFixture);
      await rbtc.connect(oracle).mint(alice.address, 150_000n);
      await rbtc.connect(oracle).mint(alice.address, 50_000n);
      expect(await rbtc.freeBalanceOf(alice.address)).to.equal(200_000n);
      expect(await rbtc.escrowOf(alice.address)).to.equal(0n);
      expect(await rbtc.totalBackedOf(alice.address)).to.equal(200_000n);
      expect(await rbtc.balanceOf(alice.address)).to.equal(200_000n);
      expect(await rbtc.totalFree()).to.equal(200_000n);
      expect(await rbtc.totalEscrow()).to.equal(0n);
      expect(await rbtc.totalSupply()).to.equal(200_000n);
    });

    it("emits Minted and an ERC-20 Transfer from the zero address", async function () {
      const { rbtc, oracle, alice } = await networkHelpers.loadFixture(ledgerFixture);
      await expect(rbtc.connect(oracle).mint(alice.address, 150_000n))
        .to.emit(rbtc, "Minted")
        .withArgs(alice.address, 150_000n)
        .and.to.emit(rbtc, "Transfer")
        .withArgs(ZeroAddress, alice.address, 150_000n);
    });

    it("accepts a mint that brings the supply exactly to the Bitcoin bound", async function () {
      const { rbtc, oracle, alice, bob } = await networkHelpers.loadFixture(ledgerFixture);
      await rbtc.connect(oracle).mint(alice.address, MAX_BTC_SATS - 1n);
      await rbtc.connect(oracle).mint(bob.address, 1n);
      expect(await rbtc.totalSupply()).to.equal(MAX_BTC_SATS);
    });

    it("reverts when the supply would exceed the Bitcoin bound", async function () {
      const { rbtc, oracle, alice, bob } = await networkHelpers.loadFixture(ledgerFixture);
      await rbtc.connect(oracle).mint(alice.address, MAX_BTC_SATS);
      await expect(rbtc.connect(oracle).mint(bob.address, 1n))
        .to.be.revertedWithCustomError(rbtc, "RBTCSupplyOverflow")
        .withArgs(MAX_BTC_SATS + 1n);
    });

    it("reverts with the exact total when the amount alone is the uint64 maximum", async function () {
      const { rbtc, oracle, alice } = await networkHelpers.loadFixture(ledgerFixture);
      await rbtc.connect(oracle).mint(alice.address, 5n);
      await expect(rbtc.connect(oracle).mint(alice.address, MAX_UINT64))
        .to.be.revertedWithCustomError(rbtc, "RBTCSupplyOverflow")
        .withArgs(MAX_UINT64 + 5n);
    });

    it("counts escrow towards the supply bound", async function () {
      const { rbtc, wrbtc, oracle, alice, bob } = await networkHelpers.loadFixture(ledgerFixture);
      await rbtc.connect(oracle).mint(alice.address, MAX_BTC_SATS);
      await wrbtc.connect(alice).wrap(MAX_BTC_SATS);
      await expect(rbtc.connect(oracle).mint(bob.address, 1n))
        .to.be.revertedWithCustomError(rbtc, "RBTCSupplyOverflow")
        .withArgs(MAX_BTC_SATS + 1n);
    });

    it("reverts when the caller is not the oracle", async function () {
      const { rbtc, admin, alice } = await networkHelpers.loadFixture(ledgerFixture);
      await expect(rbtc.connect(admin).mint(alice.address, 1n))
        .to.be.revertedWithCustomError(rbtc, "RBTCUnauthorizedOracle")
        .withArgs(admin.address);
    });

    it("reverts when the user is the zero address", async function () {
      const { rbtc, oracle } = await networkHelpers.loadFixture(ledgerFixture);
      await expect(rbtc.connect(oracle).mint(ZeroAddress, 1n)).to.be.revertedWithCustomError(
        rbtc,
        "RBTCZeroAddress",
      );
    });

    it("reverts when the amount is zero", async function () {
      const { rbtc, oracle, alice } = await networkHelpers.loadFixture(ledgerFixture);
      await expect(rbtc.connect(oracle).mint(alice.address, 0n)).to.be.revertedWithCustomError(
        rbtc,
        "RBTCZeroAmount",
      );
    });
  });

  describe("burn", function () {
    /** alice: 600 free + 400 escrow (wrapped through the real vault). */
    async function wrappedFixture() {
      const ledger = await ledgerFixture();
      await ledger.rbtc.connect(ledger.oracle).mint(ledger.alice.address, 1_000n);
      await ledger.wrbtc.connect(ledger.alice).wrap(400n);
      return ledger;
    }

    context("when the free balance covers the amount", function () {
      it("burns from free only and returns (amount, 0)", async function () {
        const { rbtc, oracle, alice } = await networkHelpers.loadFixture(wrappedFixture);
        const [fromFree, fromEscrow] = await rbtc.connect(oracle).burn.staticCall(alice.address, 600n);
        expect([fromFree, fromEscrow]).to.deep.equal([600n, 0n]);
        await rbtc.connect(oracle).burn(alice.address, 600n);
        expect(await rbtc.freeBalanceOf(alice.address)).to.equal(0n);
        expect(await rbtc.escrowOf(alice.address)).to.equal(400n);
        expect(await rbtc.totalFree()).to.equal(0n);
        expect(await rbtc.totalEscrow()).to.equal(400n);
      });

      it("emits Burned(user, amount, 0) and an ERC-20 Transfer to the zero address", async function () {
        const { rbtc, oracle, alice } = await networkHelpers.loadFixture(wrappedFixture);
        await expect(rbtc.connect(oracle).burn(alice.address, 250n))
          .to.emit(rbtc, "Burned")
          .withArgs(alice.address, 250n, 0n)
          .and.to.emit(rbtc, "Transfer")
          .withArgs(alice.address, ZeroAddress, 250n);
      });
    });

    context("when the amount exceeds the free balance", function () {
      it("burns all free, then escrow, and returns the split", async function () {
        const { rbtc, oracle, alice } = await networkHelpers.loadFixture(wrappedFixture);
        const [fromFree, fromEscrow] = await rbtc.connect(oracle).burn.staticCall(alice.address, 900n);
        expect([fromFree, fromEscrow]).to.deep.equal([600n, 300n]);
        await expect(rbtc.connect(oracle).burn(alice.address, 900n))
          .to.emit(rbtc, "Burned")
          .withArgs(alice.address, 600n, 300n)
          .and.to.emit(rbtc, "Transfer")
          .withArgs(alice.address, ZeroAddress, 900n);
        expect(await rbtc.freeBalanceOf(alice.address)).to.equal(0n);
        expect(await rbtc.escrowOf(alice.address)).to.equal(100n);
        expect(await rbtc.totalSupply()).to.equal(100n);
        expect(await rbtc.totalEscrow()).to.equal(100n);
      });

      it("burns the whole position when the amount equals free + escrow", async function () {
        const { rbtc, oracle, alice } = await networkHelpers.loadFixture(wrappedFixture);
        await rbtc.connect(oracle).burn(alice.address, 1_000n);
        expect(await rbtc.totalBackedOf(alice.address)).to.equal(0n);
        expect(await rbtc.totalSupply()).to.equal(0n);
      });

      it("burns from escrow only when nothing is free", async function () {
        const { rbtc, wrbtc, oracle, alice } = await networkHelpers.loadFixture(wrappedFixture);
        await wrbtc.connect(alice).wrap(600n);
        const [fromFree, fromEscrow] = await rbtc.connect(oracle).burn.staticCall(alice.address, 700n);
        expect([fromFree, fromEscrow]).to.deep.equal([0n, 700n]);
      });
    });

    it("reverts when the amount exceeds free + escrow", async function () {
      const { rbtc, oracle, alice } = await networkHelpers.loadFixture(wrappedFixture);
      await expect(rbtc.connect(oracle).burn(alice.address, 1_001n))
        .to.be.revertedWithCustomError(rbtc, "RBTCInsufficientEscrow")
        .withArgs(alice.address, 400n, 401n);
    });

    it("reverts when the caller is not the oracle", async function () {
      const { rbtc, alice } = await networkHelpers.loadFixture(wrappedFixture);
      await expect(rbtc.connect(alice).burn(alice.address, 1n))
        .to.be.revertedWithCustomError(rbtc, "RBTCUnauthorizedOracle")
        .withArgs(alice.address);
    });

    it("reverts when the user is the zero address", async function () {
      const { rbtc, oracle } = await networkHelpers.loadFixture(wrappedFixture);
      await expect(rbtc.connect(oracle).burn(ZeroAddress, 1n)).to.be.revertedWithCustomError(
        rbtc,
        "RBTCZeroAddress",
      );
    });

    it("reverts when the amount is zero", async function () {
      const { rbtc, oracle, alice } = await networkHelpers.loadFixture(wrappedFixture);
      await expect(rbtc.connect(oracle).burn(alice.address, 0n)).to.be.revertedWithCustomError(
        rbtc,
        "RBTCZeroAmount",
      );
    });
  });

  describe("moveToEscrow", function () {
    it("moves free to escrow and emits Escrowed", async function () {
      const { rbtc, vaultSigner, alice } = await networkHelpers.loadFixture(vaultSignerFixture);
      await expect(rbtc.connect(vaultSigner).moveToEscrow(alice.address, 300n))
        .to.emit(rbtc, "Escrowed")
        .withArgs(alice.address, 300n);
      expect(await rbtc.freeBalanceOf(alice.address)).to.equal(700n);
      expect(await rbtc.escrowOf(alice.address)).to.equal(300n);
      expect(await rbtc.totalFree()).to.equal(700n);
      expect(await rbtc.totalEscrow()).to.equal(300n);
      expect(await rbtc.totalSupply()).to.equal(1_000n);
    });

    it("reverts when the caller is not the vault", async function () {
      const { rbtc, oracle, alice } = await networkHelpers.loadFixture(vaultSignerFixture);
      await expect(rbtc.connect(oracle).moveToEscrow(alice.address, 1n))
        .to.be.revertedWithCustomError(rbtc, "RBTCUnauthorizedVault")
        .withArgs(oracle.address);
    });

    it("reverts when the free balance is short", async function () {
      const { rbtc, vaultSigner, alice } = await networkHelpers.loadFixture(vaultSignerFixture);
      await expect(rbtc.connect(vaultSigner).moveToEscrow(alice.address, 1_001n))
        .to.be.revertedWithCustomError(rbtc, "RBTCInsufficientFree")
        .withArgs(alice.address, 1_000n, 1_001n);
    });

    it("reverts when the user is the zero address", async function () {
      const { rbtc, vaultSigner } = await networkHelpers.loadFixture(vaultSignerFixture);
      await expect(rbtc.connect(vaultSigner).moveToEscrow(ZeroAddress, 1n)).to.be.revertedWithCustomError(
        rbtc,
        "RBTCZeroAddress",
      );
    });

    it("reverts when the amount is zero", async function () {
      const { rbtc, vaultSigner, alice } = await networkHelpers.loadFixture(vaultSignerFixture);
      await expect(rbtc.connect(vaultSigner).moveToEscrow(alice.address, 0n)).to.be.revertedWithCustomError(
        rbtc,
        "RBTCZeroAmount",
      );
    });
  });

  describe("releaseEscrow", function () {
    async function escrowedFixture() {
      const ledger = await vaultSignerFixture();
      await ledger.rbtc.connect(ledger.vaultSigner).moveToEscrow(ledger.alice.address, 400n);
      return ledger;
    }

    it("moves escrow back to free and emits Released", async function () {
      const { rbtc, vaultSigner, alice } = await networkHelpers.loadFixture(escrowedFixture);
      await expect(rbtc.connect(vaultSigner).releaseEscrow(alice.address, 150n))
        .to.emit(rbtc, "Released")
        .withArgs(alice.address, 150n);
      expect(await rbtc.freeBalanceOf(alice.address)).to.equal(750n);
      expect(await rbtc.escrowOf(alice.address)).to.equal(250n);
      expect(await rbtc.totalFree()).to.equal(750n);
      expect(await rbtc.totalEscrow()).to.equal(250n);
    });

    it("reverts when the caller is not the vault", async function () {
      const { rbtc, alice } = await networkHelpers.loadFixture(escrowedFixture);
      await expect(rbtc.connect(alice).releaseEscrow(alice.address, 1n))
        .to.be.revertedWithCustomError(rbtc, "RBTCUnauthorizedVault")
        .withArgs(alice.address);
    });

    it("reverts when the escrow is short", async function () {
      const { rbtc, vaultSigner, alice } = await networkHelpers.loadFixture(escrowedFixture);
      await expect(rbtc.connect(vaultSigner).releaseEscrow(alice.address, 401n))
        .to.be.revertedWithCustomError(rbtc, "RBTCInsufficientEscrow")
        .withArgs(alice.address, 400n, 401n);
    });

    it("reverts when the user is the zero address", async function () {
      const { rbtc, vaultSigner } = await networkHelpers.loadFixture(escrowedFixture);
      await expect(rbtc.connect(vaultSigner).releaseEscrow(ZeroAddress, 1n)).to.be.revertedWithCustomError(
        rbtc,
        "RBTCZeroAddress",
      );
    });

    it("reverts when the amount is zero", async function () {
      const { rbtc, vaultSigner, alice } = await networkHelpers.loadFixture(escrowedFixture);
      await expect(rbtc.connect(vaultSigner).releaseEscrow(alice.address, 0n)).to.be.revertedWithCustomError(
        rbtc,
        "RBTCZeroAmount",
      );
    });
  });

  describe("soulbound ERC-20 surface", function () {
    it("reverts transfer with RBTCSoulbound", async function () {
      const { rbtc, alice, bob } = await networkHelpers.loadFixture(vaultSignerFixture);
      await expect(rbtc.connect(alice).transfer(bob.address, 1n)).to.be.revertedWithCustomError(
        rbtc,
        "RBTCSoulbound",
      );
      expect(await rbtc.balanceOf(alice.address)).to.equal(1_000n);
    });

    it("reverts transferFrom with RBTCSoulbound", async function () {
      const { rbtc, alice, bob } = await networkHelpers.loadFixture(vaultSignerFixture);
      await expect(
        rbtc.connect(bob).transferFrom(alice.address, bob.address, 1n),
      ).to.be.revertedWithCustomError(rbtc, "RBTCSoulbound");
    });

    it("reverts approve with RBTCSoulbound", async function () {
      const { rbtc, alice, bob } = await networkHelpers.loadFixture(vaultSignerFixture);
      await expect(rbtc.connect(alice).approve(bob.address, 1n)).to.be.revertedWithCustomError(
        rbtc,
        "RBTCSoulbound",
      );
    });

    it("reports a zero allowance", async function () {
      const { rbtc, alice, bob } = await networkHelpers.loadFixture(vaultSignerFixture);
      expect(await rbtc.allowance(alice.address, bob.address)).to.equal(0n);
    });
  });
});
