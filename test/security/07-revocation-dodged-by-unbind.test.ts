/**
 * Issue 15, finding 7 (low): a revocation was dodged by self-unbinding. `revokeBinding` reverted OracleAddressNotBound
 * when the user had unbound the address first, so the BINDING_REVOKED burn never happened.
 * Safe end state: the committee's revocation burns the whole position whether or not the address is still bound.
 */
import { expect } from "chai";
import { network } from "hardhat";

import type { Revocation } from "../../src/oracle/signing.js";
import { signRevocation } from "../../src/oracle/signing.js";
import { deployOracleSystem } from "../helpers/oracle.js";
import type { OracleSystem } from "../helpers/oracle.js";
import {
  ALICE_BTC,
  BURN_REASON,
  CAUSE,
  SKIP,
  attempt,
  bindAndSync,
  signBatch,
  submit,
} from "../helpers/security.js";

const connection = await network.create();
const loadFixture = connection.networkHelpers.loadFixture.bind(connection.networkHelpers);

const ALICE_OTHER_BTC = "bc1qalice1111111111111111111111111111111111";
const HELD_SATS = 500_000n;

/** alice holds 500,000 sats on ALICE_BTC. */
async function syncedFixture() {
  const s = await deployOracleSystem(connection);
  await bindAndSync(s, [[s.alice, ALICE_BTC, HELD_SATS]]);
  return s;
}

/** The committee's signed revocation of alice's ALICE_BTC (her proof was found invalid). */
async function signedRevocation(s: OracleSystem) {
  const revocation: Revocation = {
    user: s.alice.address,
    btcAddress: ALICE_BTC,
    nonce: await s.oracle.bindingNonce(s.alice.address),
    deadline: (await s.now()) + 600n,
  };
  return { revocation, signatures: await signRevocation(s.oracle, revocation, s.operators.slice(0, 2)) };
}

describe("Finding 7: unbinding does not dodge a revocation", function () {
  context("when the user unbinds the address before the revocation lands", function () {
    it("burns her whole position anyway", async function () {
      const s = await loadFixture(syncedFixture);
      const { revocation, signatures } = await signedRevocation(s);
      await s.oracle.connect(s.alice).unbindAddress(ALICE_BTC);
      await attempt(() => s.oracle.connect(s.stranger).revokeBinding(revocation, signatures));
      expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(0n);
      expect((await s.oracle.userState(s.alice.address)).attestedSats).to.equal(0n);
      expect(await s.oracle.bindingNonce(s.alice.address)).to.equal(revocation.nonce + 1n);
    });

    it("emits the BINDING_REVOKED burn, the reset and the sequence consumption, and no unbinding", async function () {
      const s = await loadFixture(syncedFixture);
      const { revocation, signatures } = await signedRevocation(s);
      await s.oracle.connect(s.alice).unbindAddress(ALICE_BTC);
      const { sequence } = await s.oracle.userState(s.alice.address);
      const tx = s.oracle.connect(s.stranger).revokeBinding(revocation, signatures);
      await expect(tx)
        .to.emit(s.oracle, "EmergencyBurn")
        .withArgs(s.alice.address, HELD_SATS, BURN_REASON.BINDING_REVOKED);
      await expect(tx)
        .to.emit(s.oracle, "PositionReset")
        .withArgs(s.alice.address, HELD_SATS, 0n, 0n, 0n, BURN_REASON.BINDING_REVOKED);
      await expect(tx)
        .to.emit(s.oracle, "SequenceConsumed")
        .withArgs(s.alice.address, sequence + 1n, CAUSE.BINDING_REVOKED);
      await expect(tx).not.to.emit(s.oracle, "AddressUnbound");
    });

    it("burns her position even after she moved to another address", async function () {
      const s = await loadFixture(syncedFixture);
      const { revocation, signatures } = await signedRevocation(s);
      await s.oracle.connect(s.alice).unbindAddress(ALICE_BTC);
      // She binds a fresh address (a committee-approved binding takes the next nonce)…
      await s.bind(s.alice.address, ALICE_OTHER_BTC);
      // …which voids this revocation's nonce: the committee signs it again.
      await expect(s.oracle.revokeBinding(revocation, signatures)).to.be.revertedWithCustomError(
        s.oracle,
        "OracleBadBindingNonce",
      );
      const again = await signedRevocation(s);
      await s.oracle.connect(s.stranger).revokeBinding(again.revocation, again.signatures);
      expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(0n);
      expect(await s.oracle.ownerOfBtcAddress(ALICE_OTHER_BTC)).to.equal(s.alice.address);
    });

    it("voids every report signed before the revocation", async function () {
      const s = await loadFixture(syncedFixture);
      const inFlight = await signBatch(s, [await s.nextReport(s.alice.address, 600_000n)]);
      const { revocation, signatures } = await signedRevocation(s);
      await s.oracle.connect(s.alice).unbindAddress(ALICE_BTC);
      await attempt(() => s.oracle.revokeBinding(revocation, signatures));
      const replay = await submit(s, inFlight);
      expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(0n);
      await expect(replay)
        .to.emit(s.oracle, "ReportSkipped")
        .withArgs(s.alice.address, inFlight.reports[0]?.sequence, SKIP.STALE_SEQUENCE);
    });
  });

  context("when the address is still bound", function () {
    it("unbinds it and burns the position (unchanged behaviour)", async function () {
      const s = await loadFixture(syncedFixture);
      const { revocation, signatures } = await signedRevocation(s);
      const tx = s.oracle.connect(s.stranger).revokeBinding(revocation, signatures);
      await expect(tx).to.emit(s.oracle, "AddressUnbound");
      await expect(tx)
        .to.emit(s.oracle, "EmergencyBurn")
        .withArgs(s.alice.address, HELD_SATS, BURN_REASON.BINDING_REVOKED);
      expect(await s.oracle.ownerOfBtcAddress(ALICE_BTC)).to.equal(connection.ethers.ZeroAddress);
    });
  });
});
