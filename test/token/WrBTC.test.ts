import { expect } from "chai";
import { Signature, ZeroAddress } from "ethers";
import { network } from "hardhat";

import { ADMIN_TRANSFER_DELAY, DEFAULT_ADMIN_ROLE, GUARDIAN_ROLE, deployLedger } from "../helpers/ledger.js";

const { ethers, networkHelpers } = await network.create();

async function ledgerFixture() {
  return deployLedger(ethers);
}

/** alice holds 1,000 free rBTC and has wrapped 400 of it. */
async function wrappedFixture() {
  const ledger = await deployLedger(ethers);
  await ledger.rbtc.connect(ledger.oracle).mint(ledger.alice.address, 1_000n);
  await ledger.wrbtc.connect(ledger.alice).wrap(400n);
  return ledger;
}

async function unwiredFixture() {
  const [admin, other, oracle] = await ethers.getSigners();
  if (!admin || !other || !oracle) throw new Error("signers");
  const rbtc = await ethers.deployContract("RBTCSynth", [admin.address]);
  const wrbtc = await ethers.deployContract("WrBTC", [admin.address, await rbtc.getAddress()]);
  return { wrbtc, admin, other, oracle };
}

describe("WrBTC", function () {
  describe("constructor and metadata", function () {
    it("is 'Wrapped ReserveBTC' (wrBTC) with 8 decimals", async function () {
      const { wrbtc } = await networkHelpers.loadFixture(ledgerFixture);
      expect(await wrbtc.name()).to.equal("Wrapped ReserveBTC");
      expect(await wrbtc.symbol()).to.equal("wrBTC");
      expect(await wrbtc.decimals()).to.equal(8n);
    });

    it("points at the rBTC ledger and the wired oracle", async function () {
      const { wrbtc, rbtc, oracle } = await networkHelpers.loadFixture(ledgerFixture);
      expect(await wrbtc.rbtc()).to.equal(await rbtc.getAddress());
      expect(await wrbtc.oracle()).to.equal(oracle.address);
    });

    it("grants the admin the default admin role (one-day delay) and GUARDIAN_ROLE", async function () {
      const { wrbtc, admin } = await networkHelpers.loadFixture(ledgerFixture);
      expect(await wrbtc.GUARDIAN_ROLE()).to.equal(GUARDIAN_ROLE);
      expect(await wrbtc.defaultAdmin()).to.equal(admin.address);
      expect(await wrbtc.defaultAdminDelay()).to.equal(ADMIN_TRANSFER_DELAY);
      expect(await wrbtc.hasRole(GUARDIAN_ROLE, admin.address)).to.equal(true);
    });

    it("reverts when the rBTC ledger is the zero address", async function () {
      const { admin } = await networkHelpers.loadFixture(ledgerFixture);
      const factory = await ethers.getContractFactory("WrBTC");
      await expect(factory.deploy(admin.address, ZeroAddress)).to.be.revertedWithCustomError(
        factory,
        "WrBTCZeroAddress",
      );
    });
  });

  describe("setOracle", function () {
    it("sets the oracle and emits OracleWired", async function () {
      const { wrbtc, admin, oracle } = await networkHelpers.loadFixture(unwiredFixture);
      await expect(wrbtc.connect(admin).setOracle(oracle.address))
        .to.emit(wrbtc, "OracleWired")
        .withArgs(oracle.address);
      expect(await wrbtc.oracle()).to.equal(oracle.address);
    });

    it("reverts when called a second time", async function () {
      const { wrbtc, admin, oracle, other } = await networkHelpers.loadFixture(unwiredFixture);
      await wrbtc.connect(admin).setOracle(oracle.address);
      await expect(wrbtc.connect(admin).setOracle(other.address)).to.be.revertedWithCustomError(
        wrbtc,
        "WrBTCAlreadyWired",
      );
    });

    it("reverts when the caller is not the default admin", async function () {
      const { wrbtc, other, oracle } = await networkHelpers.loadFixture(unwiredFixture);
      await expect(wrbtc.connect(other).setOracle(oracle.address))
        .to.be.revertedWithCustomError(wrbtc, "AccessControlUnauthorizedAccount")
        .withArgs(other.address, DEFAULT_ADMIN_ROLE);
    });

    it("reverts when the oracle is the zero address", async function () {
      const { wrbtc, admin } = await networkHelpers.loadFixture(unwiredFixture);
      await expect(wrbtc.connect(admin).setOracle(ZeroAddress)).to.be.revertedWithCustomError(
        wrbtc,
        "WrBTCZeroAddress",
      );
    });
  });

  describe("wrap", function () {
    it("moves free rBTC to escrow and mints as much wrBTC", async function () {
      const { wrbtc, rbtc, alice } = await networkHelpers.loadFixture(wrappedFixture);
      await wrbtc.connect(alice).wrap(100n);
      expect(await wrbtc.balanceOf(alice.address)).to.equal(500n);
      expect(await wrbtc.totalSupply()).to.equal(500n);
      expect(await rbtc.freeBalanceOf(alice.address)).to.equal(500n);
      expect(await rbtc.escrowOf(alice.address)).to.equal(500n);
      expect(await rbtc.totalBackedOf(alice.address)).to.equal(1_000n);
    });

    it("emits Wrapped, the wrBTC Transfer and the rBTC Escrowed", async function () {
      const { wrbtc, rbtc, alice } = await networkHelpers.loadFixture(wrappedFixture);
      await expect(wrbtc.connect(alice).wrap(100n))
        .to.emit(wrbtc, "Wrapped")
        .withArgs(alice.address, 100n)
        .and.to.emit(wrbtc, "Transfer")
        .withArgs(ZeroAddress, alice.address, 100n)
        .and.to.emit(rbtc, "Escrowed")
        .withArgs(alice.address, 100n);
    });

    it("reverts with the ledger's RBTCInsufficientFree when the free balance is short", async function () {
      const { wrbtc, rbtc, alice } = await networkHelpers.loadFixture(wrappedFixture);
      await expect(wrbtc.connect(alice).wrap(601n))
        .to.be.revertedWithCustomError(rbtc, "RBTCInsufficientFree")
        .withArgs(alice.address, 600n, 601n);
    });

    it("reverts when the amount is zero", async function () {
      const { wrbtc, alice } = await networkHelpers.loadFixture(wrappedFixture);
      await expect(wrbtc.connect(alice).wrap(0n)).to.be.revertedWithCustomError(wrbtc, "WrBTCZeroAmount");
    });

    it("reverts while paused", async function () {
      const { wrbtc, admin, alice } = await networkHelpers.loadFixture(wrappedFixture);
      await wrbtc.connect(admin).pause();
      await expect(wrbtc.connect(alice).wrap(1n)).to.be.revertedWithCustomError(wrbtc, "EnforcedPause");
    });
  });

  describe("redeem", function () {
    it("burns wrBTC and releases as much escrow to free rBTC", async function () {
      const { wrbtc, rbtc, alice } = await networkHelpers.loadFixture(wrappedFixture);
      await wrbtc.connect(alice).redeem(150n);
      expect(await wrbtc.balanceOf(alice.address)).to.equal(250n);
      expect(await wrbtc.totalSupply()).to.equal(250n);
      expect(await rbtc.freeBalanceOf(alice.address)).to.equal(750n);
      expect(await rbtc.escrowOf(alice.address)).to.equal(250n);
    });

    it("emits Redeemed, the wrBTC Transfer and the rBTC Released", async function () {
      const { wrbtc, rbtc, alice } = await networkHelpers.loadFixture(wrappedFixture);
      await expect(wrbtc.connect(alice).redeem(150n))
        .to.emit(wrbtc, "Redeemed")
        .withArgs(alice.address, 150n)
        .and.to.emit(wrbtc, "Transfer")
        .withArgs(alice.address, ZeroAddress, 150n)
        .and.to.emit(rbtc, "Released")
        .withArgs(alice.address, 150n);
    });

    it("reverts when the amount exceeds the caller's own escrow", async function () {
      const { wrbtc, alice } = await networkHelpers.loadFixture(wrappedFixture);
      await expect(wrbtc.connect(alice).redeem(401n))
        .to.be.revertedWithCustomError(wrbtc, "WrBTCInsufficientEscrow")
        .withArgs(alice.address, 400n, 401n);
    });

    it("reverts for a holder of transferred wrBTC who has no escrow of their own", async function () {
      const { wrbtc, alice, bob } = await networkHelpers.loadFixture(wrappedFixture);
      await wrbtc.connect(alice).transfer(bob.address, 100n);
      await expect(wrbtc.connect(bob).redeem(100n))
        .to.be.revertedWithCustomError(wrbtc, "WrBTCInsufficientEscrow")
        .withArgs(bob.address, 0n, 100n);
    });

    it("reverts with ERC20InsufficientBalance when the caller gave their wrBTC away", async function () {
      const { wrbtc, alice, bob } = await networkHelpers.loadFixture(wrappedFixture);
      await wrbtc.connect(alice).transfer(bob.address, 300n);
      await expect(wrbtc.connect(alice).redeem(200n))
        .to.be.revertedWithCustomError(wrbtc, "ERC20InsufficientBalance")
        .withArgs(alice.address, 100n, 200n);
    });

    it("reverts when the amount is zero", async function () {
      const { wrbtc, alice } = await networkHelpers.loadFixture(wrappedFixture);
      await expect(wrbtc.connect(alice).redeem(0n)).to.be.revertedWithCustomError(wrbtc, "WrBTCZeroAmount");
    });

    it("reverts while paused", async function () {
      const { wrbtc, admin, alice } = await networkHelpers.loadFixture(wrappedFixture);
      await wrbtc.connect(admin).pause();
      await expect(wrbtc.connect(alice).redeem(1n)).to.be.revertedWithCustomError(wrbtc, "EnforcedPause");
    });
  });

  describe("slash", function () {
    context("when the user holds the whole amount", function () {
      it("burns it, records no deficit and emits Slashed(user, n, n, 0)", async function () {
        const { wrbtc, rbtc, oracle, alice } = await networkHelpers.loadFixture(wrappedFixture);
        await rbtc.connect(oracle).burn(alice.address, 900n); // 600 free + 300 escrow
        const [slashed, uncovered] = await wrbtc.connect(oracle).slash.staticCall(alice.address, 300n);
        expect([slashed, uncovered]).to.deep.equal([300n, 0n]);
        await expect(wrbtc.connect(oracle).slash(alice.address, 300n))
          .to.emit(wrbtc, "Slashed")
          .withArgs(alice.address, 300n, 300n, 0n)
          .and.to.emit(wrbtc, "Transfer")
          .withArgs(alice.address, ZeroAddress, 300n);
        expect(await wrbtc.balanceOf(alice.address)).to.equal(100n);
        expect(await wrbtc.uncoveredSats()).to.equal(0n);
        expect(await wrbtc.totalSupply()).to.equal(
          (await rbtc.totalEscrow()) + (await wrbtc.uncoveredSats()),
        );
      });
    });

    context("when the user holds part of the amount", function () {
      it("burns what is held and records the rest as the user's deficit", async function () {
        const { wrbtc, rbtc, oracle, alice, bob } = await networkHelpers.loadFixture(wrappedFixture);
        await wrbtc.connect(alice).transfer(bob.address, 250n); // alice keeps 150
        await rbtc.connect(oracle).burn(alice.address, 1_000n); // 600 free + 400 escrow
        const [slashed, uncovered] = await wrbtc.connect(oracle).slash.staticCall(alice.address, 400n);
        expect([slashed, uncovered]).to.deep.equal([150n, 250n]);
        await expect(wrbtc.connect(oracle).slash(alice.address, 400n))
          .to.emit(wrbtc, "Slashed")
          .withArgs(alice.address, 400n, 150n, 250n);
        expect(await wrbtc.balanceOf(alice.address)).to.equal(0n);
        expect(await wrbtc.balanceOf(bob.address)).to.equal(250n);
        expect(await wrbtc.uncoveredSats()).to.equal(250n);
        expect(await wrbtc.uncoveredOf(alice.address)).to.equal(250n);
        expect(await wrbtc.uncoveredOf(bob.address)).to.equal(0n);
        expect(await wrbtc.totalSupply()).to.equal(
          (await rbtc.totalEscrow()) + (await wrbtc.uncoveredSats()),
        );
      });
    });

    context("when the user holds no wrBTC", function () {
      it("burns nothing and records the whole amount as deficit", async function () {
        const { wrbtc, rbtc, oracle, alice, bob } = await networkHelpers.loadFixture(wrappedFixture);
        await wrbtc.connect(alice).transfer(bob.address, 400n);
        await rbtc.connect(oracle).burn(alice.address, 700n); // 600 free + 100 escrow
        await expect(wrbtc.connect(oracle).slash(alice.address, 100n))
          .to.emit(wrbtc, "Slashed")
          .withArgs(alice.address, 100n, 0n, 100n)
          .and.not.to.emit(wrbtc, "Transfer");
        await rbtc.connect(oracle).burn(alice.address, 50n);
        await wrbtc.connect(oracle).slash(alice.address, 50n);
        expect(await wrbtc.uncoveredSats()).to.equal(150n);
        expect(await wrbtc.uncoveredOf(alice.address)).to.equal(150n);
        expect(await wrbtc.totalSupply()).to.equal(400n);
        expect(await wrbtc.totalSupply()).to.equal(
          (await rbtc.totalEscrow()) + (await wrbtc.uncoveredSats()),
        );
      });
    });

    it("does nothing and emits nothing for a zero amount", async function () {
      const { wrbtc, oracle, alice } = await networkHelpers.loadFixture(wrappedFixture);
      const [slashed, uncovered] = await wrbtc.connect(oracle).slash.staticCall(alice.address, 0n);
      expect([slashed, uncovered]).to.deep.equal([0n, 0n]);
      await expect(wrbtc.connect(oracle).slash(alice.address, 0n)).not.to.emit(wrbtc, "Slashed");
      expect(await wrbtc.balanceOf(alice.address)).to.equal(400n);
    });

    it("still slashes while paused", async function () {
      const { wrbtc, rbtc, admin, oracle, alice } = await networkHelpers.loadFixture(wrappedFixture);
      await wrbtc.connect(admin).pause();
      await rbtc.connect(oracle).burn(alice.address, 700n);
      await expect(wrbtc.connect(oracle).slash(alice.address, 100n))
        .to.emit(wrbtc, "Slashed")
        .withArgs(alice.address, 100n, 100n, 0n);
    });

    it("reverts when the caller is not the oracle", async function () {
      const { wrbtc, admin, alice } = await networkHelpers.loadFixture(wrappedFixture);
      await expect(wrbtc.connect(admin).slash(alice.address, 1n))
        .to.be.revertedWithCustomError(wrbtc, "WrBTCUnauthorizedOracle")
        .withArgs(admin.address);
    });

    it("reverts when the user is the zero address", async function () {
      const { wrbtc, oracle } = await networkHelpers.loadFixture(wrappedFixture);
      await expect(wrbtc.connect(oracle).slash(ZeroAddress, 1n)).to.be.revertedWithCustomError(
        wrbtc,
        "WrBTCZeroAddress",
      );
    });
  });

  describe("pause and unpause", function () {
    it("lets the guardian pause and unpause with events", async function () {
      const { wrbtc, admin, alice } = await networkHelpers.loadFixture(wrappedFixture);
      await expect(wrbtc.connect(admin).pause()).to.emit(wrbtc, "Paused").withArgs(admin.address);
      expect(await wrbtc.paused()).to.equal(true);
      await expect(wrbtc.connect(admin).unpause()).to.emit(wrbtc, "Unpaused").withArgs(admin.address);
      expect(await wrbtc.paused()).to.equal(false);
      await expect(wrbtc.connect(alice).wrap(1n)).to.emit(wrbtc, "Wrapped");
    });

    it("lets a newly granted guardian pause", async function () {
      const { wrbtc, admin, carol } = await networkHelpers.loadFixture(wrappedFixture);
      await expect(wrbtc.connect(admin).grantRole(GUARDIAN_ROLE, carol.address))
        .to.emit(wrbtc, "RoleGranted")
        .withArgs(GUARDIAN_ROLE, carol.address, admin.address);
      await wrbtc.connect(carol).pause();
      expect(await wrbtc.paused()).to.equal(true);
    });

    it("keeps wrBTC transfers open while paused", async function () {
      const { wrbtc, admin, alice, bob } = await networkHelpers.loadFixture(wrappedFixture);
      await wrbtc.connect(admin).pause();
      await wrbtc.connect(alice).transfer(bob.address, 10n);
      expect(await wrbtc.balanceOf(bob.address)).to.equal(10n);
    });

    it("reverts pause when the caller is not a guardian", async function () {
      const { wrbtc, stranger } = await networkHelpers.loadFixture(wrappedFixture);
      await expect(wrbtc.connect(stranger).pause())
        .to.be.revertedWithCustomError(wrbtc, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, GUARDIAN_ROLE);
    });

    it("reverts unpause when the caller is not a guardian", async function () {
      const { wrbtc, admin, stranger } = await networkHelpers.loadFixture(wrappedFixture);
      await wrbtc.connect(admin).pause();
      await expect(wrbtc.connect(stranger).unpause())
        .to.be.revertedWithCustomError(wrbtc, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, GUARDIAN_ROLE);
    });

    it("reverts unpause when not paused", async function () {
      const { wrbtc, admin } = await networkHelpers.loadFixture(wrappedFixture);
      await expect(wrbtc.connect(admin).unpause()).to.be.revertedWithCustomError(wrbtc, "ExpectedPause");
    });
  });

  describe("permit (EIP-2612)", function () {
    async function signPermit(
      ledger: Awaited<ReturnType<typeof wrappedFixture>>,
      spender: string,
      value: bigint,
      deadline: bigint,
    ) {
      const { wrbtc, alice } = ledger;
      const { chainId } = await ethers.provider.getNetwork();
      const domain = {
        name: "Wrapped ReserveBTC",
        version: "1",
        chainId,
        verifyingContract: await wrbtc.getAddress(),
      };
      const types = {
        Permit: [
          { name: "owner", type: "address" },
          { name: "spender", type: "address" },
          { name: "value", type: "uint256" },
          { name: "nonce", type: "uint256" },
          { name: "deadline", type: "uint256" },
        ],
      };
      const message = {
        owner: alice.address,
        spender,
        value,
        nonce: await wrbtc.nonces(alice.address),
        deadline,
      };
      return Signature.from(await alice.signTypedData(domain, types, message));
    }

    it("sets the allowance from an owner's signature, which the spender then uses", async function () {
      const ledger = await networkHelpers.loadFixture(wrappedFixture);
      const { wrbtc, alice, bob, carol } = ledger;
      const deadline = BigInt(await networkHelpers.time.latest()) + 3_600n;
      const sig = await signPermit(ledger, bob.address, 150n, deadline);
      await expect(
        wrbtc.connect(carol).permit(alice.address, bob.address, 150n, deadline, sig.v, sig.r, sig.s),
      )
        .to.emit(wrbtc, "Approval")
        .withArgs(alice.address, bob.address, 150n);
      expect(await wrbtc.allowance(alice.address, bob.address)).to.equal(150n);
      expect(await wrbtc.nonces(alice.address)).to.equal(1n);
      await wrbtc.connect(bob).transferFrom(alice.address, carol.address, 150n);
      expect(await wrbtc.balanceOf(carol.address)).to.equal(150n);
      expect(await wrbtc.allowance(alice.address, bob.address)).to.equal(0n);
    });

    it("reverts when the deadline has passed", async function () {
      const ledger = await networkHelpers.loadFixture(wrappedFixture);
      const { wrbtc, alice, bob } = ledger;
      const deadline = BigInt(await networkHelpers.time.latest()) - 1n;
      const sig = await signPermit(ledger, bob.address, 150n, deadline);
      await expect(wrbtc.permit(alice.address, bob.address, 150n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(wrbtc, "ERC2612ExpiredSignature")
        .withArgs(deadline);
    });

    it("reverts when the signature is replayed", async function () {
      const ledger = await networkHelpers.loadFixture(wrappedFixture);
      const { wrbtc, alice, bob } = ledger;
      const deadline = BigInt(await networkHelpers.time.latest()) + 3_600n;
      const sig = await signPermit(ledger, bob.address, 150n, deadline);
      await wrbtc.permit(alice.address, bob.address, 150n, deadline, sig.v, sig.r, sig.s);
      await expect(
        wrbtc.permit(alice.address, bob.address, 150n, deadline, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(wrbtc, "ERC2612InvalidSigner");
    });

    it("reverts when the signed value differs from the submitted one", async function () {
      const ledger = await networkHelpers.loadFixture(wrappedFixture);
      const { wrbtc, alice, bob } = ledger;
      const deadline = BigInt(await networkHelpers.time.latest()) + 3_600n;
      const sig = await signPermit(ledger, bob.address, 150n, deadline);
      await expect(
        wrbtc.permit(alice.address, bob.address, 151n, deadline, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(wrbtc, "ERC2612InvalidSigner");
    });
  });

  describe("ERC-20 transfers", function () {
    it("moves wrBTC between holders without touching anybody's escrow", async function () {
      const { wrbtc, rbtc, alice, bob } = await networkHelpers.loadFixture(wrappedFixture);
      await expect(wrbtc.connect(alice).transfer(bob.address, 100n))
        .to.emit(wrbtc, "Transfer")
        .withArgs(alice.address, bob.address, 100n);
      expect(await wrbtc.balanceOf(bob.address)).to.equal(100n);
      expect(await rbtc.escrowOf(alice.address)).to.equal(400n);
      expect(await rbtc.escrowOf(bob.address)).to.equal(0n);
    });
  });

  describe("gas", function () {
    const WRAP_GAS_LIMIT = 80_000n;
    /** EIP-2200: a zero → non-zero SSTORE (20,000) instead of a non-zero → non-zero one (2,900). */
    const FIRST_SUPPLY_SSTORE_EXTRA = 17_100n;

    async function wrapGas(tx: Promise<{ wait: () => Promise<{ gasUsed: bigint } | null> }>) {
      const receipt = await (await tx).wait();
      if (receipt === null) throw new Error("no receipt");
      return receipt.gasUsed;
    }

    it("wraps within 80,000 gas for a new holder and a repeat wrap", async function () {
      const { wrbtc, rbtc, oracle, alice, bob } = await networkHelpers.loadFixture(ledgerFixture);
      await rbtc.connect(oracle).mint(alice.address, 1_000_000n);
      await rbtc.connect(oracle).mint(bob.address, 1_000_000n);
      const firstEver = await wrapGas(wrbtc.connect(alice).wrap(100_000n));
      const firstOfHolder = await wrapGas(wrbtc.connect(bob).wrap(100_000n));
      const repeat = await wrapGas(wrbtc.connect(bob).wrap(100_000n));
      console.log(
        `      wrap gas: first ever ${firstEver}, holder's first ${firstOfHolder}, repeat ${repeat}`,
      );
      // The deployment's very first wrap also turns the wrBTC totalSupply slot from zero to non-zero, once.
      expect(firstEver - firstOfHolder).to.be.at.most(FIRST_SUPPLY_SSTORE_EXTRA);
      expect(firstOfHolder).to.be.at.most(WRAP_GAS_LIMIT);
      expect(repeat).to.be.at.most(WRAP_GAS_LIMIT);
      expect(repeat).to.be.below(firstOfHolder);
    });
  });
});
