/**
 * Issue 15, finding 1 (high): anyone could revert everyone's sync. A reported user who unbinds between the runner's
 * snapshot and the batch's inclusion (unbindAddress needs no signature) made `_checkReport` revert the whole batch
 * with OracleUnboundUser — up to 500 users' mints and burns — and rebinding let him repeat it every round.
 * Safe end state: the other reports of the batch apply; the unbound user's report changes nothing he could gain from.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { DevnetWallet } from "../../src/bitcoin/devnet/wallet.js";
import type { SyncReport } from "../../src/oracle/reports.js";
import { deployOracleSystem } from "../helpers/oracle.js";
import type { OracleSystem } from "../helpers/oracle.js";
import type { RunnerWorld } from "../helpers/security.js";
import {
  ALICE_BTC,
  BOB_BTC,
  CAROL_BTC,
  CAUSE,
  ONE_ETH,
  SKIP,
  bindAndSync,
  expectHolding,
  signBatch,
  startRunnerWorld,
  submit,
} from "../helpers/security.js";

const connection = await network.create();
const loadFixture = connection.networkHelpers.loadFixture.bind(connection.networkHelpers);

/** alice 500,000, bob 300,000 and carol (the attacker) 200,000 sats attested and held; all bound, fees prepaid. */
async function syncedFixture() {
  const s = await deployOracleSystem(connection);
  await bindAndSync(s, [
    [s.alice, ALICE_BTC, 500_000n],
    [s.bob, BOB_BTC, 300_000n],
    [s.carol, CAROL_BTC, 200_000n],
  ]);
  return s;
}

/** The runner's batch of a round: alice rises to `aliceSats` (a mint), bob drops to `bobSats` (a burn), carol moves. */
async function roundBatch(s: OracleSystem, aliceSats: bigint, bobSats: bigint, carolSats: bigint) {
  return signBatch(s, [
    await s.nextReport(s.alice.address, aliceSats),
    await s.nextReport(s.bob.address, bobSats),
    await s.nextReport(s.carol.address, carolSats),
  ]);
}

describe("Finding 1: a user who unbinds cannot revert everyone's sync", function () {
  context("when the attacker unbinds between the runner's snapshot and the batch's inclusion", function () {
    it("applies the other users' mint and burn and skips the attacker's report", async function () {
      const s = await loadFixture(syncedFixture);
      const before = await s.oracle.userStates([s.alice.address, s.bob.address, s.carol.address]);
      const batch = await roundBatch(s, 700_000n, 100_000n, 250_000n);
      const [aliceReport, bobReport] = batch.reports;
      if (!aliceReport || !bobReport) throw new Error("reports");

      // carol front-runs the runner's transaction.
      await s.oracle.connect(s.carol).unbindAddress(CAROL_BTC);
      const tx = submit(s, batch);

      await expect(tx)
        .to.emit(s.oracle, "Synced")
        .withArgs(
          s.alice.address,
          500_000n,
          700_000n,
          aliceReport.btcHeight,
          aliceReport.btcBlockHash,
          aliceReport.sequence,
        );
      await expect(tx)
        .to.emit(s.oracle, "Synced")
        .withArgs(
          s.bob.address,
          300_000n,
          100_000n,
          bobReport.btcHeight,
          bobReport.btcBlockHash,
          bobReport.sequence,
        );
      await expect(tx).to.emit(s.rbtc, "Minted").withArgs(s.alice.address, 200_000n);
      await expect(tx).to.emit(s.rbtc, "Burned").withArgs(s.bob.address, 200_000n, 0n);
      await expect(tx)
        .to.emit(s.oracle, "ReportSkipped")
        .withArgs(s.carol.address, (before[2]?.sequence ?? 0n) + 1n, SKIP.STALE_SEQUENCE);

      await expectHolding(s, s.alice.address, 700_000n);
      await expectHolding(s, s.bob.address, 100_000n);
      // The attacker gains nothing: her rise did not apply…
      await expectHolding(s, s.carol.address, 200_000n);
      expect(await s.rbtc.totalSupply()).to.equal(1_000_000n);
      // …and the next round, which sees no address bound to her, burns what she held.
      await s.sync([await s.nextReport(s.carol.address, 0n)]);
      await expectHolding(s, s.carol.address, 0n);
    });

    it("consumes the attacker's sequence when she unbinds (SequenceConsumed)", async function () {
      const s = await loadFixture(syncedFixture);
      const { sequence } = await s.oracle.userState(s.carol.address);
      await expect(s.oracle.connect(s.carol).unbindAddress(CAROL_BTC))
        .to.emit(s.oracle, "SequenceConsumed")
        .withArgs(s.carol.address, sequence + 1n, CAUSE.UNBIND);
      expect((await s.oracle.userState(s.carol.address)).sequence).to.equal(sequence + 1n);
    });

    it("still applies the attacker's own drop in that batch (unbinding does not dodge her burn)", async function () {
      const s = await loadFixture(syncedFixture);
      const batch = await roundBatch(s, 700_000n, 100_000n, 50_000n);
      await s.oracle.connect(s.carol).unbindAddress(CAROL_BTC);
      const tx = submit(s, batch);
      await expect(tx).to.emit(s.rbtc, "Burned").withArgs(s.carol.address, 150_000n, 0n);
      await expectHolding(s, s.alice.address, 700_000n);
      await expectHolding(s, s.bob.address, 100_000n);
      await expectHolding(s, s.carol.address, 50_000n);
    });
  });

  context("when the attacker rebinds and repeats the attack the next round", function () {
    it("applies every round's other reports and never lets her total rise", async function () {
      const s = await loadFixture(syncedFixture);
      const aliceBefore = await s.oracle.userState(s.alice.address);
      const bobBefore = await s.oracle.userState(s.bob.address);

      // Round 1: snapshot, carol unbinds, the batch lands.
      const round1 = await roundBatch(s, 700_000n, 100_000n, 250_000n);
      await s.oracle.connect(s.carol).unbindAddress(CAROL_BTC);
      await (await submit(s, round1)).wait();

      // carol rebinds (committee-approved) before the next snapshot, and repeats.
      await s.bind(s.carol.address, CAROL_BTC);
      const round2 = await roundBatch(s, 800_000n, 50_000n, 250_000n);
      await s.oracle.connect(s.carol).unbindAddress(CAROL_BTC);
      const tx = submit(s, round2);
      await expect(tx).to.emit(s.rbtc, "Minted").withArgs(s.alice.address, 100_000n);
      await expect(tx).to.emit(s.rbtc, "Burned").withArgs(s.bob.address, 50_000n, 0n);
      await expect(tx)
        .to.emit(s.oracle, "ReportSkipped")
        .withArgs(s.carol.address, round2.reports[2]?.sequence, SKIP.STALE_SEQUENCE);

      await expectHolding(s, s.alice.address, 800_000n);
      await expectHolding(s, s.bob.address, 50_000n);
      await expectHolding(s, s.carol.address, 200_000n);
      expect((await s.oracle.userState(s.alice.address)).sequence).to.equal(aliceBefore.sequence + 2n);
      expect((await s.oracle.userState(s.bob.address)).sequence).to.equal(bobBefore.sequence + 2n);
      // Round 3: she stays unbound; the runner reports zero and burns her.
      await s.sync([await s.nextReport(s.carol.address, 0n)]);
      await expectHolding(s, s.carol.address, 0n);
    });
  });

  context("when the oracle runner's round is front-run by an unbind", function () {
    const bob = new DevnetWallet("sec01-bob", "regtest").address("p2wpkh").address;
    const alice = new DevnetWallet("sec01-alice", "regtest").address("p2wpkh").address;
    const carol = new DevnetWallet("sec01-carol", "regtest").address("p2wpkh").address;
    const outside = new DevnetWallet("sec01-outside", "regtest").address("p2wpkh").address;
    let world: RunnerWorld | undefined;

    /** The three users bound to devnet addresses (1 confirmation), their BTC attested by one runner round. */
    async function runnerFixture() {
      const s = await deployOracleSystem(connection, { minConfirmations: 1 });
      for (const [user, btc] of [
        [s.alice, alice],
        [s.bob, bob],
        [s.carol, carol],
      ] as const) {
        await s.bind(user.address, btc);
        await s.feeVault.depositETH(user.address, { value: ONE_ETH });
      }
      return s;
    }

    afterEach(async function () {
      await world?.close();
      world = undefined;
    });

    it("completes the round: the other users are minted and burned, the attacker gains nothing", async function () {
      const s = await loadFixture(runnerFixture);
      world = await startRunnerWorld(s);
      const chain = world.devnet.chain;
      chain.fund(alice, 500_000n);
      chain.fund(bob, 300_000n);
      chain.fund(carol, 200_000n);
      chain.mine(1);
      expect((await world.round()).mintedSats).to.equal(1_000_000n);

      // alice receives, bob spends, carol receives; carol unbinds while the committee signs the round's batch.
      chain.fund(alice, 200_000n);
      chain.spend(bob, outside, 200_000n);
      chain.fund(carol, 50_000n);
      chain.mine(1);
      const sign = world.committee.batchSigner(s.oracle);
      let unbound = false;
      const summary = await world.round({}, async (reports: readonly SyncReport[], deadline: bigint) => {
        if (!unbound) {
          unbound = true;
          await (await s.oracle.connect(s.carol).unbindAddress(carol)).wait();
        }
        return sign(reports, deadline);
      });

      expect(summary.changed).to.equal(3);
      await expectHolding(s, s.alice.address, 700_000n);
      await expectHolding(s, s.bob.address, 100_000n);
      await expectHolding(s, s.carol.address, 200_000n);
      // The next round sees no address bound to carol and burns her position.
      await world.round();
      await expectHolding(s, s.carol.address, 0n);
      await expectHolding(s, s.alice.address, 700_000n);
    });
  });
});
