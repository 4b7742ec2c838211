import { expect } from "chai";
import { ZeroAddress, parseEther } from "ethers";
import { network } from "hardhat";

import { ADMIN_TRANSFER_DELAY, DEFAULT_ADMIN_ROLE, deployLedger } from "../helpers/ledger.js";

const { ethers, networkHelpers } = await network.create();

const ONE = parseEther("1");
const FEE_WEI = parseEther("0.01");

/** Caller mode of contracts/mocks/FeeVaultCaller.sol. */
const Mode = { Accept: 0n, Reject: 1n, ReenterWithdraw: 2n, ReenterSweep: 3n } as const;

async function ledgerFixture() {
  return deployLedger(ethers);
}

/** alice holds 1 ETH in the vault. */
async function fundedFixture() {
  const ledger = await deployLedger(ethers);
  await ledger.feeVault.connect(ledger.alice).depositETH(ledger.alice.address, { value: ONE });
  return ledger;
}

async function callerFixture() {
  const ledger = await fundedFixture();
  const caller = await ethers.deployContract("FeeVaultCaller", [await ledger.feeVault.getAddress()]);
  await caller.deposit({ value: ONE });
  return { ...ledger, caller };
}

async function unwiredFixture() {
  const [admin, other, oracle, treasury] = await ethers.getSigners();
  if (!admin || !other || !oracle || !treasury) throw new Error("signers");
  const feeVault = await ethers.deployContract("FeeVault", [admin.address, treasury.address]);
  return { feeVault, admin, other, oracle, treasury };
}

async function expectConservation(ledger: Awaited<ReturnType<typeof ledgerFixture>>) {
  const { feeVault } = ledger;
  const held = await ethers.provider.getBalance(await feeVault.getAddress());
  expect(held).to.equal((await feeVault.totalDepositsWei()) + (await feeVault.accruedFeesWei()));
}

describe("FeeVault", function () {
  describe("constructor", function () {
    it("sets the treasury, emits TreasuryUpdated and makes the admin the default admin", async function () {
      const { feeVault, admin, treasury } = await networkHelpers.loadFixture(ledgerFixture);
      expect(await feeVault.treasury()).to.equal(treasury.address);
      await expect(feeVault.deploymentTransaction())
        .to.emit(feeVault, "TreasuryUpdated")
        .withArgs(ZeroAddress, treasury.address);
      expect(await feeVault.defaultAdmin()).to.equal(admin.address);
      expect(await feeVault.defaultAdminDelay()).to.equal(ADMIN_TRANSFER_DELAY);
    });

    it("reverts when the treasury is the zero address", async function () {
      const { admin } = await networkHelpers.loadFixture(ledgerFixture);
      const factory = await ethers.getContractFactory("FeeVault");
      await expect(factory.deploy(admin.address, ZeroAddress)).to.be.revertedWithCustomError(
        factory,
        "FeeVaultZeroAddress",
      );
    });
  });

  describe("setOracle", function () {
    it("sets the oracle and emits OracleWired", async function () {
      const { feeVault, admin, oracle } = await networkHelpers.loadFixture(unwiredFixture);
      await expect(feeVault.connect(admin).setOracle(oracle.address))
        .to.emit(feeVault, "OracleWired")
        .withArgs(oracle.address);
      expect(await feeVault.oracle()).to.equal(oracle.address);
    });

    it("reverts when called a second time", async function () {
      const { feeVault, admin, oracle, other } = await networkHelpers.loadFixture(unwiredFixture);
      await feeVault.connect(admin).setOracle(oracle.address);
      await expect(feeVault.connect(admin).setOracle(other.address)).to.be.revertedWithCustomError(
        feeVault,
        "FeeVaultAlreadyWired",
      );
    });

    it("reverts when the caller is not the default admin", async function () {
      const { feeVault, other, oracle } = await networkHelpers.loadFixture(unwiredFixture);
      await expect(feeVault.connect(other).setOracle(oracle.address))
        .to.be.revertedWithCustomError(feeVault, "AccessControlUnauthorizedAccount")
        .withArgs(other.address, DEFAULT_ADMIN_ROLE);
    });

    it("reverts when the oracle is the zero address", async function () {
      const { feeVault, admin } = await networkHelpers.loadFixture(unwiredFixture);
      await expect(feeVault.connect(admin).setOracle(ZeroAddress)).to.be.revertedWithCustomError(
        feeVault,
        "FeeVaultZeroAddress",
      );
    });
  });

  describe("setTreasury", function () {
    it("replaces the treasury and emits TreasuryUpdated(previous, new)", async function () {
      const { feeVault, admin, treasury, carol } = await networkHelpers.loadFixture(ledgerFixture);
      await expect(feeVault.connect(admin).setTreasury(carol.address))
        .to.emit(feeVault, "TreasuryUpdated")
        .withArgs(treasury.address, carol.address);
      expect(await feeVault.treasury()).to.equal(carol.address);
    });

    it("reverts when the caller is not the default admin", async function () {
      const { feeVault, stranger } = await networkHelpers.loadFixture(ledgerFixture);
      await expect(feeVault.connect(stranger).setTreasury(stranger.address))
        .to.be.revertedWithCustomError(feeVault, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, DEFAULT_ADMIN_ROLE);
    });

    it("reverts when the treasury is the zero address", async function () {
      const { feeVault, admin } = await networkHelpers.loadFixture(ledgerFixture);
      await expect(feeVault.connect(admin).setTreasury(ZeroAddress)).to.be.revertedWithCustomError(
        feeVault,
        "FeeVaultZeroAddress",
      );
    });
  });

  describe("depositETH", function () {
    it("credits the user, counts the deposit and emits FeeDeposited(user, from, amount)", async function () {
      const ledger = await networkHelpers.loadFixture(ledgerFixture);
      const { feeVault, alice } = ledger;
      await expect(feeVault.connect(alice).depositETH(alice.address, { value: ONE }))
        .to.emit(feeVault, "FeeDeposited")
        .withArgs(alice.address, alice.address, ONE);
      expect(await feeVault.balanceOf(alice.address)).to.equal(ONE);
      expect(await feeVault.totalDepositsWei()).to.equal(ONE);
      await expectConservation(ledger);
    });

    it("lets anyone fund anyone", async function () {
      const ledger = await networkHelpers.loadFixture(fundedFixture);
      const { feeVault, alice, bob } = ledger;
      await expect(feeVault.connect(bob).depositETH(alice.address, { value: 5n }))
        .to.emit(feeVault, "FeeDeposited")
        .withArgs(alice.address, bob.address, 5n);
      expect(await feeVault.balanceOf(alice.address)).to.equal(ONE + 5n);
      expect(await feeVault.balanceOf(bob.address)).to.equal(0n);
      expect(await feeVault.totalDepositsWei()).to.equal(ONE + 5n);
    });

    it("moves the ETH from the sender to the vault", async function () {
      const { feeVault, bob, alice } = await networkHelpers.loadFixture(ledgerFixture);
      await expect(feeVault.connect(bob).depositETH(alice.address, { value: ONE })).to.changeEtherBalances(
        ethers,
        [bob, feeVault],
        [-ONE, ONE],
      );
    });

    it("reverts when the user is the zero address", async function () {
      const { feeVault, alice } = await networkHelpers.loadFixture(ledgerFixture);
      await expect(
        feeVault.connect(alice).depositETH(ZeroAddress, { value: ONE }),
      ).to.be.revertedWithCustomError(feeVault, "FeeVaultZeroAddress");
    });

    it("reverts when no ETH is sent", async function () {
      const { feeVault, alice } = await networkHelpers.loadFixture(ledgerFixture);
      await expect(feeVault.connect(alice).depositETH(alice.address)).to.be.revertedWithCustomError(
        feeVault,
        "FeeVaultZeroAmount",
      );
    });

    it("rejects plain ETH sends, which would break conservation", async function () {
      const ledger = await networkHelpers.loadFixture(fundedFixture);
      const { feeVault, bob } = ledger;
      await expect(bob.sendTransaction({ to: await feeVault.getAddress(), value: ONE })).to.revert(ethers);
      await expectConservation(ledger);
    });
  });

  describe("withdraw", function () {
    it("sends the amount to the caller, debits them and emits FeeWithdrawn", async function () {
      const ledger = await networkHelpers.loadFixture(fundedFixture);
      const { feeVault, alice } = ledger;
      const amount = parseEther("0.4");
      const tx = feeVault.connect(alice).withdraw(amount);
      await expect(tx).to.emit(feeVault, "FeeWithdrawn").withArgs(alice.address, amount);
      await expect(tx).to.changeEtherBalances(ethers, [alice, feeVault], [amount, -amount]);
      expect(await feeVault.balanceOf(alice.address)).to.equal(ONE - amount);
      expect(await feeVault.totalDepositsWei()).to.equal(ONE - amount);
      await expectConservation(ledger);
    });

    it("allows withdrawing the whole balance", async function () {
      const { feeVault, alice } = await networkHelpers.loadFixture(fundedFixture);
      await feeVault.connect(alice).withdraw(ONE);
      expect(await feeVault.balanceOf(alice.address)).to.equal(0n);
      expect(await feeVault.totalDepositsWei()).to.equal(0n);
    });

    it("reverts when the amount exceeds the caller's balance", async function () {
      const { feeVault, alice } = await networkHelpers.loadFixture(fundedFixture);
      await expect(feeVault.connect(alice).withdraw(ONE + 1n))
        .to.be.revertedWithCustomError(feeVault, "FeeVaultInsufficientBalance")
        .withArgs(alice.address, ONE, ONE + 1n);
    });

    it("reverts for a caller funded by nobody, even though the vault holds ETH", async function () {
      const { feeVault, bob } = await networkHelpers.loadFixture(fundedFixture);
      await expect(feeVault.connect(bob).withdraw(1n))
        .to.be.revertedWithCustomError(feeVault, "FeeVaultInsufficientBalance")
        .withArgs(bob.address, 0n, 1n);
    });

    it("reverts when the amount is zero", async function () {
      const { feeVault, alice } = await networkHelpers.loadFixture(fundedFixture);
      await expect(feeVault.connect(alice).withdraw(0n)).to.be.revertedWithCustomError(
        feeVault,
        "FeeVaultZeroAmount",
      );
    });

    it("reverts with FeeVaultTransferFailed when the caller rejects ETH", async function () {
      const { feeVault, caller } = await networkHelpers.loadFixture(callerFixture);
      await caller.setMode(Mode.Reject);
      await expect(caller.withdraw(1n))
        .to.be.revertedWithCustomError(feeVault, "FeeVaultTransferFailed")
        .withArgs(await caller.getAddress(), 1n);
    });

    it("blocks re-entry into withdraw from the receiving contract", async function () {
      const { feeVault, caller } = await networkHelpers.loadFixture(callerFixture);
      await caller.setMode(Mode.ReenterWithdraw);
      // The inner withdraw reverts with ReentrancyGuardReentrantCall, so the outer transfer fails.
      await expect(caller.withdraw(2n))
        .to.be.revertedWithCustomError(feeVault, "FeeVaultTransferFailed")
        .withArgs(await caller.getAddress(), 2n);
      expect(await feeVault.balanceOf(await caller.getAddress())).to.equal(ONE);
    });

    it("pays a contract caller that accepts ETH", async function () {
      const { feeVault, caller } = await networkHelpers.loadFixture(callerFixture);
      await expect(caller.withdraw(3n)).to.changeEtherBalances(ethers, [caller, feeVault], [3n, -3n]);
    });
  });

  describe("spendFrom", function () {
    context("when the balance covers the fee", function () {
      it("returns true, moves the fee to the accrued fees and emits FeeSpent", async function () {
        const ledger = await networkHelpers.loadFixture(fundedFixture);
        const { feeVault, oracle, alice } = ledger;
        expect(await feeVault.connect(oracle).spendFrom.staticCall(alice.address, FEE_WEI)).to.equal(true);
        const tx = feeVault.connect(oracle).spendFrom(alice.address, FEE_WEI);
        await expect(tx).to.emit(feeVault, "FeeSpent").withArgs(alice.address, FEE_WEI);
        await expect(tx).to.changeEtherBalances(ethers, [feeVault], [0n]);
        expect(await feeVault.balanceOf(alice.address)).to.equal(ONE - FEE_WEI);
        expect(await feeVault.accruedFeesWei()).to.equal(FEE_WEI);
        expect(await feeVault.totalDepositsWei()).to.equal(ONE - FEE_WEI);
        await expectConservation(ledger);
      });

      it("can spend the whole balance", async function () {
        const { feeVault, oracle, alice } = await networkHelpers.loadFixture(fundedFixture);
        await feeVault.connect(oracle).spendFrom(alice.address, ONE);
        expect(await feeVault.balanceOf(alice.address)).to.equal(0n);
        expect(await feeVault.accruedFeesWei()).to.equal(ONE);
      });
    });

    context("when the balance is short", function () {
      it("returns false, emits nothing and changes nothing", async function () {
        const ledger = await networkHelpers.loadFixture(fundedFixture);
        const { feeVault, oracle, alice } = ledger;
        expect(await feeVault.connect(oracle).spendFrom.staticCall(alice.address, ONE + 1n)).to.equal(false);
        await expect(feeVault.connect(oracle).spendFrom(alice.address, ONE + 1n)).not.to.emit(
          feeVault,
          "FeeSpent",
        );
        expect(await feeVault.balanceOf(alice.address)).to.equal(ONE);
        expect(await feeVault.accruedFeesWei()).to.equal(0n);
        expect(await feeVault.totalDepositsWei()).to.equal(ONE);
      });

      it("returns false for a user who never deposited", async function () {
        const { feeVault, oracle, bob } = await networkHelpers.loadFixture(fundedFixture);
        expect(await feeVault.connect(oracle).spendFrom.staticCall(bob.address, 1n)).to.equal(false);
      });
    });

    it("returns false, emits nothing and changes nothing for a zero fee", async function () {
      const { feeVault, oracle, alice } = await networkHelpers.loadFixture(fundedFixture);
      expect(await feeVault.connect(oracle).spendFrom.staticCall(alice.address, 0n)).to.equal(false);
      await expect(feeVault.connect(oracle).spendFrom(alice.address, 0n)).not.to.emit(feeVault, "FeeSpent");
      expect(await feeVault.balanceOf(alice.address)).to.equal(ONE);
    });

    it("reverts when the caller is not the oracle", async function () {
      const { feeVault, alice } = await networkHelpers.loadFixture(fundedFixture);
      await expect(feeVault.connect(alice).spendFrom(alice.address, 1n))
        .to.be.revertedWithCustomError(feeVault, "FeeVaultUnauthorizedOracle")
        .withArgs(alice.address);
    });

    it("never blocks a burn: an empty vault returns false and the burn still goes through", async function () {
      const { feeVault, rbtc, oracle, bob } = await networkHelpers.loadFixture(fundedFixture);
      await rbtc.connect(oracle).mint(bob.address, 1_000n);
      expect(await feeVault.connect(oracle).spendFrom.staticCall(bob.address, FEE_WEI)).to.equal(false);
      await feeVault.connect(oracle).spendFrom(bob.address, FEE_WEI);
      await rbtc.connect(oracle).burn(bob.address, 1_000n);
      expect(await rbtc.balanceOf(bob.address)).to.equal(0n);
    });
  });

  describe("sweep", function () {
    async function accruedFixture() {
      const ledger = await fundedFixture();
      await ledger.feeVault.connect(ledger.oracle).spendFrom(ledger.alice.address, FEE_WEI);
      return ledger;
    }

    it("sends every accrued fee to the treasury and emits FeesSwept", async function () {
      const ledger = await networkHelpers.loadFixture(accruedFixture);
      const { feeVault, treasury, stranger } = ledger;
      const tx = feeVault.connect(stranger).sweep();
      await expect(tx).to.emit(feeVault, "FeesSwept").withArgs(treasury.address, FEE_WEI);
      await expect(tx).to.changeEtherBalances(ethers, [treasury, feeVault], [FEE_WEI, -FEE_WEI]);
      expect(await feeVault.accruedFeesWei()).to.equal(0n);
      expect(await feeVault.totalDepositsWei()).to.equal(ONE - FEE_WEI);
      await expectConservation(ledger);
    });

    it("pays the current treasury after setTreasury", async function () {
      const { feeVault, admin, carol } = await networkHelpers.loadFixture(accruedFixture);
      await feeVault.connect(admin).setTreasury(carol.address);
      await expect(feeVault.sweep()).to.changeEtherBalances(ethers, [carol], [FEE_WEI]);
    });

    it("reverts when nothing has accrued", async function () {
      const { feeVault } = await networkHelpers.loadFixture(fundedFixture);
      await expect(feeVault.sweep()).to.be.revertedWithCustomError(feeVault, "FeeVaultZeroAmount");
    });

    it("reverts with FeeVaultTransferFailed when the treasury rejects ETH", async function () {
      const { feeVault, admin } = await networkHelpers.loadFixture(accruedFixture);
      const rejecter = await ethers.deployContract("FeeVaultCaller", [await feeVault.getAddress()]);
      await rejecter.setMode(Mode.Reject);
      await feeVault.connect(admin).setTreasury(await rejecter.getAddress());
      await expect(feeVault.sweep())
        .to.be.revertedWithCustomError(feeVault, "FeeVaultTransferFailed")
        .withArgs(await rejecter.getAddress(), FEE_WEI);
      expect(await feeVault.accruedFeesWei()).to.equal(FEE_WEI);
    });

    it("blocks a treasury that re-enters sweep", async function () {
      const { feeVault, admin } = await networkHelpers.loadFixture(accruedFixture);
      const reenterer = await ethers.deployContract("FeeVaultCaller", [await feeVault.getAddress()]);
      await reenterer.setMode(Mode.ReenterSweep);
      await feeVault.connect(admin).setTreasury(await reenterer.getAddress());
      await expect(feeVault.sweep())
        .to.be.revertedWithCustomError(feeVault, "FeeVaultTransferFailed")
        .withArgs(await reenterer.getAddress(), FEE_WEI);
    });
  });

  describe("conservation", function () {
    it("holds exactly deposits + accrued fees through deposit, spend, withdraw and sweep", async function () {
      const ledger = await networkHelpers.loadFixture(ledgerFixture);
      const { feeVault, oracle, alice, bob, carol } = ledger;
      await feeVault.connect(alice).depositETH(alice.address, { value: ONE });
      await feeVault.connect(carol).depositETH(bob.address, { value: 2n * ONE });
      await expectConservation(ledger);
      await feeVault.connect(oracle).spendFrom(alice.address, FEE_WEI);
      await feeVault.connect(oracle).spendFrom(bob.address, 3n * FEE_WEI);
      await feeVault.connect(oracle).spendFrom(alice.address, 5n * ONE); // short: no change
      await expectConservation(ledger);
      await feeVault.connect(bob).withdraw(ONE);
      await expectConservation(ledger);
      await feeVault.sweep();
      await expectConservation(ledger);
      const users = (await feeVault.balanceOf(alice.address)) + (await feeVault.balanceOf(bob.address));
      expect(await feeVault.totalDepositsWei()).to.equal(users);
      expect(await ethers.provider.getBalance(await feeVault.getAddress())).to.equal(
        ONE + 2n * ONE - ONE - 4n * FEE_WEI,
      );
    });
  });
});
