/**
 * Issue 15, finding 5 (medium): FEE_EXHAUSTED burned a user who owed nothing. `buildReports` skipped a user whose
 * observed total equalled the attested one, so a deferral was never cleared when the BTC that caused it left again (a
 * payment in then out, a reorged deposit, dust sent by a stranger); seven days later the runner's own emergency step
 * burned the whole position. Safe end state: the runner reports such a user so the deferral clears, the FEE_EXHAUSTED
 * burn is refused for her, and it is refused too while no report re-confirmed the unpaid rise after the grace period
 * (a runner that was down never lets a stale deferral burn anyone). A user who still holds the unpaid rise is burned.
 */
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { network } from "hardhat";

import type { DevnetChain } from "../../src/bitcoin/devnet/chain.js";
import { DevnetWallet } from "../../src/bitcoin/devnet/wallet.js";
import { deployOracleSystem } from "../helpers/oracle.js";
import type { OracleSystem } from "../helpers/oracle.js";
import type { RunnerWorld } from "../helpers/security.js";
import { BURN_REASON, CAUSE, attempt, startRunnerWorld } from "../helpers/security.js";

const connection = await network.create();
const { time } = connection.networkHelpers;
const loadFixture = connection.networkHelpers.loadFixture.bind(connection.networkHelpers);

const CAROL_BTC = new DevnetWallet("sec05-carol", "regtest").address("p2wpkh").address;
const OUTSIDE = new DevnetWallet("sec05-outside", "regtest").address("p2wpkh").address;
const STRANGER_BTC = new DevnetWallet("sec05-stranger", "regtest").address("p2wpkh").address;
/** The deployment's default fee grace period (7 days). */
const GRACE = 604_800;
const HELD_SATS = 80_000n;
const PAYMENT_SATS = 1_000_000n;

/**
 * carol is bound to a devnet address (1 confirmation) and prepaid exactly the fee of minting 80,000 sats: after her
 * first mint her fee balance is empty, so any rise of hers is deferred (NeedsTopUp).
 */
async function boundFixture() {
  const s = await deployOracleSystem(connection, { minConfirmations: 1 });
  await s.bind(s.carol.address, CAROL_BTC);
  await s.feeVault.depositETH(s.carol.address, { value: await s.feePolicy.quote(HELD_SATS) });
  return s;
}

describe("Finding 5: FEE_EXHAUSTED never burns a user who owes nothing", function () {
  let world: RunnerWorld | undefined;

  afterEach(async function () {
    await world?.close();
    world = undefined;
  });

  /** A fresh devnet; carol's 80,000 sats attested by a first round (her fee balance is then empty). */
  async function heldByRunner(): Promise<OracleSystem & { world: RunnerWorld }> {
    const s = await loadFixture(boundFixture);
    world = await startRunnerWorld(s);
    world.devnet.chain.fund(CAROL_BTC, HELD_SATS);
    world.devnet.chain.mine(1);
    expect((await world.round()).mintedSats).to.equal(HELD_SATS);
    expect(await s.feeVault.balanceOf(s.carol.address)).to.equal(0n);
    return { ...s, world };
  }

  /** heldByRunner, then carol receives BTC (`receive`, then confirmed) whose fee she cannot pay: the round defers it. */
  async function deferredByRunner(
    receive = (chain: DevnetChain) => void chain.fund(CAROL_BTC, PAYMENT_SATS),
  ) {
    const s = await heldByRunner();
    const chain = s.world.devnet.chain;
    receive(chain);
    chain.mine(1);
    expect((await s.world.round()).deferred).to.deep.equal([s.carol.address]);
    return { ...s, chain };
  }

  /** After the BTC that caused carol's deferral left: the deferral is cleared, and seven days on nobody burns her. */
  async function expectOwesNothing(s: OracleSystem & { world: RunnerWorld }) {
    await s.world.round();
    const { deferredSats } = await s.oracle.userState(s.carol.address);
    await time.increase(GRACE + 1);
    const later = await s.world.round();
    expect(later.feeExhaustedBurns, "the runner's FEE_EXHAUSTED step").to.deep.equal([]);
    await attempt(() => s.oracle.connect(s.stranger).emergencyBurnFeeExhausted(s.carol.address));
    expect(await s.rbtc.totalBackedOf(s.carol.address)).to.equal(HELD_SATS);
    expect((await s.oracle.userState(s.carol.address)).attestedSats).to.equal(HELD_SATS);
    expect(deferredSats, "the deferral cleared by the round after the BTC left").to.equal(0n);
    await expect(s.oracle.connect(s.stranger).emergencyBurnFeeExhausted(s.carol.address))
      .to.be.revertedWithCustomError(s.oracle, "OracleFeeNotExhausted")
      .withArgs(s.carol.address, anyValue, anyValue);
  }

  context("when a payment comes in and goes out again", function () {
    it("clears the deferral and burns nothing seven days later", async function () {
      const s = await deferredByRunner();
      const { chain } = s;
      chain.spend(CAROL_BTC, OUTSIDE, PAYMENT_SATS);
      chain.mine(1);
      await expectOwesNothing(s);
    });
  });

  context("when the deposit that caused the deferral is reorganised away", function () {
    it("clears the deferral and burns nothing seven days later", async function () {
      const s = await deferredByRunner();
      const { chain } = s;
      expect(chain.reorg(1).droppedTxids).to.have.length(1);
      expect(chain.balance(CAROL_BTC, 1)).to.equal(HELD_SATS);
      await expectOwesNothing(s);
    });
  });

  context("when a stranger sends dust that is then swept out", function () {
    it("clears the deferral and burns nothing seven days later", async function () {
      const s = await deferredByRunner((chain) => {
        chain.fund(STRANGER_BTC, 10_000n);
        chain.mine(1);
        chain.spend(STRANGER_BTC, CAROL_BTC, 1_000n);
      });
      const { chain } = s;
      chain.spend(CAROL_BTC, OUTSIDE, 1_000n);
      chain.mine(1);
      await expectOwesNothing(s);
    });
  });

  context("when the runner was down after the grace period", function () {
    it("refuses the FEE_EXHAUSTED burn until a report re-confirmed the unpaid rise", async function () {
      const s = await deferredByRunner();
      const unpaidSince = await s.oracle.feeUnpaidSince(s.carol.address);
      const { lastSyncAt } = await s.oracle.userState(s.carol.address);

      // Seven days without a round: nothing re-confirmed that carol still holds the unpaid rise.
      await time.increase(GRACE + 1);
      await attempt(() => s.oracle.connect(s.stranger).emergencyBurnFeeExhausted(s.carol.address));
      expect(await s.rbtc.totalBackedOf(s.carol.address)).to.equal(HELD_SATS);
      await expect(s.oracle.connect(s.stranger).emergencyBurnFeeExhausted(s.carol.address))
        .to.be.revertedWithCustomError(s.oracle, "OracleFeeNotReconfirmed")
        .withArgs(s.carol.address, lastSyncAt, unpaidSince + BigInt(GRACE));
    });

    it("burns a user who still holds the unpaid rise once the runner re-confirmed it", async function () {
      const s = await deferredByRunner();
      const { sequence } = await s.oracle.userState(s.carol.address);
      await time.increase(GRACE + 1);

      // The runner is back: its round re-reports carol (still unpaid), then its emergency step burns her.
      const round = await s.world.round();
      expect(round.deferred).to.deep.equal([s.carol.address]);
      expect(round.feeExhaustedBurns).to.deep.equal([s.carol.address]);
      expect(await s.rbtc.totalBackedOf(s.carol.address)).to.equal(0n);
      const burn = await s.oracle.queryFilter(s.oracle.filters.EmergencyBurn(s.carol.address));
      expect(burn.map((e) => [e.args.amountSats, e.args.reason])).to.deep.equal([
        [HELD_SATS, BigInt(BURN_REASON.FEE_EXHAUSTED)],
      ]);
      const consumed = await s.oracle.queryFilter(s.oracle.filters.SequenceConsumed(s.carol.address));
      expect(consumed.map((e) => [e.args.sequence, e.args.cause])).to.deep.equal([
        [sequence + 2n, BigInt(CAUSE.FEE_EXHAUSTED)],
      ]);
    });
  });

  context("when the attested total is reported unchanged on chain", function () {
    it("clears the deferral, so the FEE_EXHAUSTED burn is refused", async function () {
      const s = await loadFixture(boundFixture);
      await s.sync([await s.nextReport(s.carol.address, HELD_SATS)]);
      await s.sync([await s.nextReport(s.carol.address, HELD_SATS + PAYMENT_SATS)]);
      expect((await s.oracle.userState(s.carol.address)).deferredSats).to.equal(PAYMENT_SATS);
      await s.sync([await s.nextReport(s.carol.address, HELD_SATS)]);
      expect((await s.oracle.userState(s.carol.address)).deferredSats).to.equal(0n);
      await time.increase(GRACE + 1);
      await expect(s.oracle.emergencyBurnFeeExhausted(s.carol.address)).to.be.revertedWithCustomError(
        s.oracle,
        "OracleFeeNotExhausted",
      );
      expect(await s.rbtc.totalBackedOf(s.carol.address)).to.equal(HELD_SATS);
    });
  });
});
