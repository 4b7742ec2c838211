/** The slashing-protection record (src/oracle/operator/protection.ts): its rules, durability and interchange. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { Wallet } from "ethers";

import { UserInputError } from "../../../src/errors.js";
import { SlashingProtection } from "../../../src/oracle/operator/protection.js";
import type { ProtectionScope } from "../../../src/oracle/operator/protection.js";
import type { SyncReport } from "../../../src/oracle/reports.js";

const USER = Wallet.createRandom().address;
const scope: ProtectionScope = {
  chainId: 31337n,
  oracle: Wallet.createRandom().address,
  proofOfReserves: Wallet.createRandom().address,
  signer: Wallet.createRandom().address,
};
const report = (total: bigint, sequence = 1n): SyncReport => ({
  user: USER,
  newTotalSats: total,
  btcHeight: 100n,
  btcBlockHash: `0x${"ab".repeat(32)}`,
  sequence,
});
const round = (root: string, total: bigint) => ({
  roundId: 7n,
  merkleRoot: `0x${root.repeat(32)}`,
  attestedSats: total,
  btcHeight: 100n,
  deadline: 2_000n,
});

describe("SlashingProtection", function () {
  let dir: string;
  let file: string;

  beforeEach(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "reservebtc-protection-"));
    file = path.join(dir, "nested", "protection.sqlite");
  });

  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  context("sync reports", function () {
    it("never records two totals for one (user, sequence) while the earlier one is valid — except a lower one", async function () {
      const store = await SlashingProtection.open(file, scope);
      try {
        expect(store.recordSyncReports([report(50_000n)], 1_000n, 500n)).to.deep.equal([]);
        // the same total again (another batch, a later deadline): no conflict
        expect(store.recordSyncReports([report(50_000n)], 1_200n, 600n)).to.deep.equal([]);
        const higher = store.recordSyncReports([report(60_000n)], 1_300n, 600n);
        expect(higher).to.deep.equal([
          { user: USER, sequence: 1n, field: "newTotalSats", signed: "50000", validUntil: 1_200n },
        ]);
        expect(store.recordSyncReports([report(40_000n)], 1_300n, 600n)).to.deep.equal([]);
        // another sequence is independent
        expect(store.recordSyncReports([report(90_000n, 2n)], 1_300n, 600n)).to.deep.equal([]);
        // after every lower signature of sequence 1 expired (chain time ≥ its deadline), a higher total is allowed
        expect(store.syncConflicts([report(60_000n)], 1_299n)).to.have.length(1);
        expect(store.syncConflicts([report(60_000n)], 1_300n)).to.deep.equal([]);
        // a batch with one conflicting report records nothing
        expect(store.recordSyncReports([report(70_000n, 3n), report(45_000n)], 1_400n, 700n)).to.have.length(
          1,
        );
        expect(store.syncConflicts([report(80_000n, 3n)], 700n)).to.deep.equal([]);
        expect(store.counts()).to.deep.equal({ syncReports: 3, reserveRounds: 0, bindingNonces: 0 });
      } finally {
        store.close();
      }
    });

    it("keeps every record across a close and a reopen", async function () {
      const first = await SlashingProtection.open(file, scope);
      first.recordSyncReports([report(50_000n)], 1_000n, 500n);
      first.close();
      const again = await SlashingProtection.open(file, scope);
      try {
        expect(again.syncConflicts([report(55_000n)], 900n)).to.have.length(1);
      } finally {
        again.close();
      }
    });
  });

  context("reserve rounds and binding nonces", function () {
    it("refuses another root or total for a round id, and another request for a nonce, while valid", async function () {
      const store = await SlashingProtection.open(file, scope);
      try {
        expect(store.recordReserveRound(round("11", 5n), 1_000n)).to.deep.equal([]);
        expect(store.recordReserveRound(round("11", 5n), 1_000n)).to.deep.equal([]);
        expect(store.recordReserveRound(round("22", 5n), 1_000n)).to.have.length(1);
        expect(store.recordReserveRound(round("11", 6n), 1_000n)).to.have.length(1);
        expect(store.recordReserveRound(round("22", 5n), 2_000n)).to.deep.equal([]);
        const nonce = {
          kind: "binding" as const,
          user: USER,
          nonce: 0n,
          btcAddress: "bcrt1q…",
          deadline: 1_000n,
        };
        expect(store.recordNonce({ ...nonce, requestHash: `0x${"01".repeat(32)}` }, 500n)).to.deep.equal([]);
        const revocation = { ...nonce, kind: "revocation" as const, requestHash: `0x${"02".repeat(32)}` };
        expect(store.recordNonce(revocation, 500n)[0]).to.include({ field: "nonce" });
        expect(store.recordNonce(revocation, 1_000n)).to.deep.equal([]);
      } finally {
        store.close();
      }
    });
  });

  context("scope and interchange", function () {
    it("refuses a record of another key, and round-trips through the JSON interchange", async function () {
      const store = await SlashingProtection.open(file, scope);
      store.recordSyncReports([report(50_000n)], 1_000n, 500n);
      store.recordReserveRound(round("11", 5n), 1_000n);
      const document = store.export();
      store.close();
      let error: unknown;
      await SlashingProtection.open(file, { ...scope, signer: Wallet.createRandom().address }).catch(
        (e: unknown) => (error = e),
      );
      expect(error).to.be.instanceOf(UserInputError);
      expect((error as Error).message).to.match(/belongs to signer/);

      const restored = await SlashingProtection.open(path.join(dir, "restored.sqlite"), scope);
      try {
        expect(restored.import(JSON.parse(JSON.stringify(document)))).to.deep.equal({
          syncReports: 1,
          reserveRounds: 1,
          bindingNonces: 0,
        });
        expect(restored.syncConflicts([report(51_000n)], 0n)).to.have.length(1);
        expect(restored.roundConflicts(round("33", 5n), 0n)).to.have.length(1);
        expect(() =>
          restored.import({ ...document, metadata: { ...document.metadata, chain_id: "1" } }),
        ).to.throw(UserInputError, "chain_id");
        expect(() => restored.import({ metadata: document.metadata, data: [{ signer: "0x12" }] })).to.throw(
          UserInputError,
          "data[0].signer",
        );
      } finally {
        restored.close();
      }
    });
  });
});
