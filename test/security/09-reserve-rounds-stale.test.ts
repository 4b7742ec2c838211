/**
 * Issue 15, finding 9 (low): reserve rounds never went stale. `commitRound` accepted any future deadline (a round
 * signed with a 100-year deadline was accepted), and `isFullyBacked` — the secure-mint gate of `wrap` — trusted the
 * latest round however old. Safe end state: a round's deadline is bounded like a report's (the Oracle's
 * maxReportValiditySeconds), and the gate refuses a round older than maxRoundAgeSeconds (Chainlink SecureMint's
 * staleness bound) — or no round at all.
 */
import { expect } from "chai";
import { ZeroHash } from "ethers";
import { network } from "hardhat";

import { signReserveRound } from "../../src/oracle/signing.js";
import { CONFIG_ROLE, deployOracleSystem } from "../helpers/oracle.js";
import type { OracleSystem } from "../helpers/oracle.js";
import { ALICE_BTC, attempt, bindAndSync } from "../helpers/security.js";

const connection = await network.create();
const { time } = connection.networkHelpers;
const loadFixture = connection.networkHelpers.loadFixture.bind(connection.networkHelpers);

/** The fixture's maxReportValiditySeconds (ORACLE_TEST_PARAMETERS). */
const MAX_VALIDITY = 3_600n;
/** The deployment's default maxRoundAgeSeconds. */
const MAX_ROUND_AGE = 86_400;
const HUNDRED_YEARS = 100n * 365n * 86_400n;

/** alice holds 500,000 sats of rBTC; no reserve round has been committed yet. */
async function mintedFixture() {
  const s = await deployOracleSystem(connection);
  await bindAndSync(s, [[s.alice, ALICE_BTC, 500_000n]]);
  return s;
}

/** The committee's signature over round 1 attesting 500,000 sats, valid until `deadline`. */
async function signedRound(s: OracleSystem, deadline: bigint) {
  const round = {
    roundId: (await s.proofOfReserves.latestRoundId()) + 1n,
    merkleRoot: ZeroHash,
    attestedSats: 500_000n,
    btcHeight: await s.oracle.highestBtcHeight(),
    deadline,
  };
  const signatures = await signReserveRound(s.proofOfReserves, round, s.operators.slice(0, 2));
  const commit = () =>
    s.proofOfReserves
      .connect(s.stranger)
      .commitRound(round.merkleRoot, round.attestedSats, round.btcHeight, round.deadline, signatures);
  return { round, commit };
}

describe("Finding 9: reserve rounds go stale", function () {
  context("when a round is signed with a 100-year deadline", function () {
    it("refuses to commit it (ProofOfReservesDeadlineTooFar)", async function () {
      const s = await loadFixture(mintedFixture);
      const { round, commit } = await signedRound(s, (await s.now()) + HUNDRED_YEARS);
      await attempt(commit);
      expect(await s.proofOfReserves.latestRoundId(), "rounds committed").to.equal(0n);

      const at = (await s.now()) + 10n;
      await time.setNextBlockTimestamp(at);
      await expect(commit())
        .to.be.revertedWithCustomError(s.proofOfReserves, "ProofOfReservesDeadlineTooFar")
        .withArgs(round.deadline, at + MAX_VALIDITY);
    });

    it("accepts a deadline at the bound", async function () {
      const s = await loadFixture(mintedFixture);
      const at = (await s.now()) + 10n;
      const { commit } = await signedRound(s, at + MAX_VALIDITY);
      await time.setNextBlockTimestamp(at);
      await expect(commit()).to.emit(s.proofOfReserves, "ReservesCommitted");
    });
  });

  context("when the latest round is older than maxRoundAgeSeconds", function () {
    it("is not fully backed, and wrap stops until a fresh round", async function () {
      const s = await loadFixture(mintedFixture);
      await s.commitReserves();
      expect(await s.proofOfReserves.isFullyBacked()).to.equal(true);
      await s.wrbtc.connect(s.alice).wrap(100_000n);

      await time.increase(MAX_ROUND_AGE + 1);
      expect(await s.proofOfReserves.isFullyBacked(), "gate on a stale round").to.equal(false);
      expect(await s.proofOfReserves.isRoundFresh()).to.equal(false);
      await expect(s.wrbtc.connect(s.alice).wrap(100_000n)).to.be.revertedWithCustomError(
        s.wrbtc,
        "WrBTCNotFullyBacked",
      );

      await s.commitReserves();
      expect(await s.proofOfReserves.isRoundFresh()).to.equal(true);
      await expect(s.wrbtc.connect(s.alice).wrap(100_000n))
        .to.emit(s.wrbtc, "Wrapped")
        .withArgs(s.alice.address, 100_000n);
    });

    it("counts a round as fresh up to the bound", async function () {
      const s = await loadFixture(mintedFixture);
      await s.commitReserves();
      const { committedAt } = await s.proofOfReserves.round(1n);
      await time.setNextBlockTimestamp(committedAt + BigInt(MAX_ROUND_AGE));
      await expect(s.wrbtc.connect(s.alice).wrap(100_000n)).to.emit(s.wrbtc, "Wrapped");
    });
  });

  context("when no round was ever committed", function () {
    it("is not fully backed, even with nothing minted", async function () {
      const s = await loadFixture(mintedFixture);
      expect(await s.proofOfReserves.isFullyBacked()).to.equal(false);
      const empty = await deployOracleSystem(connection);
      expect(await empty.rbtc.totalSupply()).to.equal(0n);
      expect(await empty.proofOfReserves.isFullyBacked()).to.equal(false);
    });
  });

  describe("maxRoundAgeSeconds", function () {
    it("defaults to one day and is a deployment parameter", async function () {
      const s = await loadFixture(mintedFixture);
      expect(await s.proofOfReserves.maxRoundAgeSeconds()).to.equal(BigInt(MAX_ROUND_AGE));
      const configured = await deployOracleSystem(connection, { maxRoundAgeSeconds: 600 });
      expect(await configured.proofOfReserves.maxRoundAgeSeconds()).to.equal(600n);
    });

    it("is set by CONFIG_ROLE with MaxRoundAgeUpdated", async function () {
      const s = await loadFixture(mintedFixture);
      await expect(s.proofOfReserves.setMaxRoundAge(3_600))
        .to.emit(s.proofOfReserves, "MaxRoundAgeUpdated")
        .withArgs(3_600);
      expect(await s.proofOfReserves.maxRoundAgeSeconds()).to.equal(3_600n);
      await expect(s.proofOfReserves.connect(s.stranger).setMaxRoundAge(1))
        .to.be.revertedWithCustomError(s.proofOfReserves, "AccessControlUnauthorizedAccount")
        .withArgs(s.stranger.address, CONFIG_ROLE);
    });
  });
});
