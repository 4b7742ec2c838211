/**
 * Operator nodes on loopback (src/oracle/operator) with the aggregator's RemoteCommittee, on the in-process network
 * and an in-process Bitcoin devnet: each node recomputes what it is asked to sign, refuses naming what it disagrees
 * with, and its slashing-protection record never lets it sign two conflicting messages. The same behaviour with real
 * processes is in test/oracle/integration/operators.test.ts.
 */
import { expect } from "chai";
import { Wallet, parseEther } from "ethers";
import { network } from "hardhat";

import { startDevnet } from "../../../src/bitcoin/devnet/server.js";
import type { RunningDevnet } from "../../../src/bitcoin/devnet/server.js";
import { DevnetWallet } from "../../../src/bitcoin/devnet/wallet.js";
import { EsploraClient } from "../../../src/bitcoin/esplora.js";
import { deploySystem } from "../../../src/deployments.js";
import { bindAddress, pendingBindingMessage } from "../../../src/oracle/bind.js";
import { CommitteeRefusedError } from "../../../src/oracle/committee.js";
import { LoopbackCommittee } from "../../../src/oracle/operator/loopback.js";
import type { BitcoinSource, SyncReport } from "../../../src/oracle/reports.js";
import { blockHashToBytes32 } from "../../../src/oracle/reports.js";
import { runSyncRound } from "../../../src/oracle/round.js";
import { committeeWallets, hardhatWallet } from "../../../src/oracle/signing.js";

const OUTSIDE = new DevnetWallet("outside").address("p2wpkh").address;

/** A Bitcoin client whose balances are `inflate` sats higher than the backend says (a lying backend). */
function inflating(source: BitcoinSource, inflate: () => bigint): BitcoinSource {
  return {
    tip: () => source.tip(),
    blockHashAt: (h) => source.blockHashAt(h),
    confirmedBalance: async (address, minConfirmations, tip) => {
      const balance = await source.confirmedBalance(address, minConfirmations, tip);
      return { sats: balance.sats === 0n ? 0n : balance.sats + inflate() };
    },
  };
}

describe("operator nodes on loopback (in-process network + devnet)", function () {
  this.timeout(180_000);

  let devnet: RunningDevnet;
  const lies = [0n, 0n, 0n];

  before(async function () {
    devnet = await startDevnet({ port: 0 });
  });

  after(async function () {
    await devnet?.close();
  });

  async function fresh() {
    const connection = await network.create();
    const system = await deploySystem(connection, { minConfirmations: 1 });
    lies.fill(0n);
    const loopback = await LoopbackCommittee.start({
      provider: connection.ethers.provider,
      deployment: system.deployment,
      keys: committeeWallets(3),
      bitcoinUrl: devnet.url,
      btcNetwork: "regtest",
      bitcoinFor: (i, client) => inflating(client, () => lies[i] ?? 0n),
    });
    const { committee } = loopback;
    const esplora = new EsploraClient({ baseUrl: devnet.url, network: "regtest" });
    const reserves = {
      contract: system.proofOfReserves,
      sign: committee.reserveSigner(system.proofOfReserves),
    };
    const round = (source: BitcoinSource = esplora) =>
      runSyncRound(system.oracle, system.rbtc, source, committee.batchSigner(system.oracle), {
        reserves,
        submit: { receiptPollMs: 20 },
      });
    let users = 0;
    const bind = async (name: string) => {
      users += 1;
      const user = Wallet.createRandom().address;
      const wallet = new DevnetWallet(`${name}-${Date.now()}-${users}`);
      const btc = wallet.address("p2wpkh").address;
      const message = await pendingBindingMessage(system.oracle, user, btc);
      await bindAddress(system.oracle, committee, {
        user,
        btcAddress: btc,
        signature: wallet.signMessage("p2wpkh", message).signature,
        network: "regtest",
      });
      await (await system.feeVault.depositETH(user, { value: parseEther("0.05") })).wait();
      return { user, btc };
    };
    const latest = async () => (await connection.ethers.provider.getBlock("latest"))?.timestamp ?? 0;
    return { connection, system, loopback, committee, esplora, round, bind, latest };
  }

  context("when every node is honest", function () {
    it("binds through the nodes (each verifies the BIP-322 proof) and mints what every node sees", async function () {
      const { system, loopback, committee, round, bind } = await fresh();
      try {
        const alice = await bind("alice");
        expect(await system.oracle.addressesOf(alice.user)).to.deep.equal([alice.btc]);
        devnet.chain.fund(alice.btc, 70_000n);
        devnet.chain.mine(1);
        const summary = await round();
        expect(summary.mintedSats).to.equal(70_000n);
        expect(summary.dropped).to.deep.equal([]);
        expect(summary.reserves?.committed).to.equal(true);
        // binding + batch + reserve round: every node signed all three
        expect(committee.tallies().map((t) => [t.signed, t.refused, t.failed])).to.deep.equal([
          [3, 0, 0],
          [3, 0, 0],
          [3, 0, 0],
        ]);
        expect(committee.tallies().map((t) => t.operator)).to.deep.equal(
          loopback.nodes.map((n) => n.address),
        );
      } finally {
        await loopback.close();
      }
    });
  });

  context("when one node's Bitcoin backend inflates balances", function () {
    it("that node refuses naming the user; the other two reach the threshold and the true total is minted", async function () {
      const { system, loopback, committee, round, bind } = await fresh();
      try {
        const alice = await bind("alice");
        devnet.chain.fund(alice.btc, 40_000n);
        devnet.chain.mine(1);
        lies[1] = 50_000n;
        const refusals: string[] = [];
        const summary = await round();
        expect(summary.mintedSats).to.equal(40_000n);
        expect(summary.dropped).to.deep.equal([]);
        expect(await system.rbtc.freeBalanceOf(alice.user)).to.equal(40_000n);
        const [, liar] = committee.tallies();
        expect(liar?.refused).to.equal(2); // the batch and the reserve round
        expect(committee.lastFailures.map((f) => f.address)).to.deep.equal([loopback.nodes[1]?.address]);
        refusals.push(...committee.lastFailures.map((f) => f.reason));
        expect(refusals[0]).to.match(/^refused/);
      } finally {
        await loopback.close();
      }
    });
  });

  context("when two of three nodes' backends lie", function () {
    it("drops the report (no threshold), mints nothing and is not an error", async function () {
      const { system, loopback, round, bind } = await fresh();
      try {
        const alice = await bind("alice");
        devnet.chain.fund(alice.btc, 40_000n);
        devnet.chain.mine(1);
        lies[0] = 1n;
        lies[2] = 1n;
        const summary = await round();
        expect(summary.mintedSats).to.equal(0n);
        expect(summary.reports).to.deep.equal([]);
        expect(summary.dropped).to.have.length(1);
        const [dropped] = summary.dropped;
        expect(dropped?.report.user).to.equal(alice.user);
        expect(
          dropped?.refusals.map((r) => [r.operator, r.field, r.reason, r.proposed, r.observed]),
        ).to.deep.equal([
          [loopback.nodes[0]?.address, "newTotalSats", "TOTAL_MISMATCH", "40000", "40001"],
          [loopback.nodes[2]?.address, "newTotalSats", "TOTAL_MISMATCH", "40000", "40001"],
        ]);
        expect(summary.reserves?.committed).to.equal(false);
        expect(await system.rbtc.freeBalanceOf(alice.user)).to.equal(0n);
      } finally {
        await loopback.close();
      }
    });
  });

  context("when the aggregator proposes a total no honest node sees", function () {
    it("every node refuses it, the other users' reports are proposed again and minted", async function () {
      const { system, loopback, round, bind } = await fresh();
      try {
        const alice = await bind("alice");
        const bob = await bind("bob");
        devnet.chain.fund(alice.btc, 10_000n);
        devnet.chain.fund(bob.btc, 20_000n);
        devnet.chain.mine(1);
        const esplora = new EsploraClient({ baseUrl: devnet.url, network: "regtest" });
        const malicious: BitcoinSource = {
          tip: () => esplora.tip(),
          blockHashAt: (h) => esplora.blockHashAt(h),
          confirmedBalance: async (address, minConfirmations, tip) => {
            const { sats } = await esplora.confirmedBalance(address, minConfirmations, tip);
            return { sats: address === alice.btc ? sats + 50_000n : sats };
          },
        };
        const summary = await round(malicious);
        expect(summary.mintedSats).to.equal(20_000n);
        expect(summary.dropped.map((d) => d.report.user)).to.deep.equal([alice.user]);
        expect(summary.dropped[0]?.refusals.map((r) => r.operator)).to.deep.equal(
          loopback.nodes.map((n) => n.address),
        );
        expect(summary.reserves?.committed).to.equal(false);
        expect(await system.rbtc.freeBalanceOf(alice.user)).to.equal(0n);
        expect(await system.rbtc.freeBalanceOf(bob.user)).to.equal(20_000n);
      } finally {
        await loopback.close();
      }
    });
  });

  context("when the same (user, sequence) is proposed again with another total", function () {
    it("refuses a higher total while the first signature is valid, signs a lower one at once, and a higher one after expiry", async function () {
      const { connection, system, loopback, bind, latest } = await fresh();
      try {
        const alice = await bind("alice");
        devnet.chain.fund(alice.btc, 30_000n);
        devnet.chain.mine(1);
        const node = loopback.nodes[0]?.node;
        if (node === undefined) throw new Error("no node");
        const report = (total: bigint): SyncReport => ({
          user: alice.user,
          newTotalSats: total,
          btcHeight: BigInt(devnet.chain.tipHeight),
          btcBlockHash: blockHashToBytes32(devnet.chain.tipHash),
          sequence: 1n,
        });
        const deadline = BigInt(await latest()) + 600n;
        expect((await node.signSyncBatch([report(30_000n)], deadline)).kind).to.equal("signed");
        // The batch was never included; more BTC arrives and the next round proposes sequence 1 again.
        devnet.chain.fund(alice.btc, 5_000n);
        devnet.chain.mine(1);
        const higher = await node.signSyncBatch([report(35_000n)], deadline);
        expect(higher.kind).to.equal("refused");
        if (higher.kind !== "refused") return;
        expect(higher.refusals).to.have.length(1);
        expect(higher.refusals[0]).to.include({
          user: alice.user,
          sequence: "1",
          field: "newTotalSats",
          reason: "CONFLICTING_SIGNATURE",
          proposed: "35000",
          observed: "30000",
        });
        // A drop below the earlier total is signed at once: a burn never waits.
        devnet.chain.spend(alice.btc, OUTSIDE, 10_000n);
        devnet.chain.mine(1);
        expect((await node.signSyncBatch([report(25_000n)], deadline)).kind).to.equal("signed");
        // Once every earlier signature has expired (chain time past its deadline), another total is signed.
        devnet.chain.fund(alice.btc, 20_000n);
        devnet.chain.mine(1);
        expect((await node.signSyncBatch([report(45_000n)], deadline)).kind).to.equal("refused");
        await connection.networkHelpers.time.increase(601);
        const later = BigInt(await latest()) + 600n;
        expect((await node.signSyncBatch([report(45_000n)], later)).kind).to.equal("signed");
        void system;
      } finally {
        await loopback.close();
      }
    });
  });

  context("when a user is frozen by a dispute", function () {
    it("refuses a rise (RISE_WHILE_FROZEN) but signs a drop", async function () {
      const { system, loopback, round, bind, latest } = await fresh();
      try {
        const alice = await bind("alice");
        devnet.chain.fund(alice.btc, 50_000n);
        devnet.chain.mine(1);
        await round();
        const challenger = hardhatWallet(9).connect(system.oracle.runner?.provider ?? null);
        await (
          await system.disputeManager
            .connect(challenger)
            .openDispute(alice.user, 10_000n, "test", { value: parseEther("0.01") })
        ).wait();
        const node = loopback.nodes[1]?.node;
        if (node === undefined) throw new Error("no node");
        const at = (total: bigint): SyncReport => ({
          user: alice.user,
          newTotalSats: total,
          btcHeight: BigInt(devnet.chain.tipHeight),
          btcBlockHash: blockHashToBytes32(devnet.chain.tipHash),
          sequence: 2n,
        });
        devnet.chain.fund(alice.btc, 1_000n);
        devnet.chain.mine(1);
        const deadline = BigInt(await latest()) + 600n;
        const rise = await node.signSyncBatch([at(51_000n)], deadline);
        expect(rise.kind === "refused" && rise.refusals.map((r) => r.reason)).to.deep.equal([
          "RISE_WHILE_FROZEN",
        ]);
        devnet.chain.spend(alice.btc, OUTSIDE, 21_000n);
        devnet.chain.mine(1);
        expect((await node.signSyncBatch([at(30_000n)], deadline)).kind).to.equal("signed");
      } finally {
        await loopback.close();
      }
    });
  });

  context("when a reserve round is proposed again with another root", function () {
    it("refuses it while the first round's signature is valid", async function () {
      const { system, loopback, committee, round, bind, latest } = await fresh();
      try {
        const alice = await bind("alice");
        devnet.chain.fund(alice.btc, 12_000n);
        devnet.chain.mine(1);
        const first = await round();
        expect(first.reserves?.committed).to.equal(true);
        // Round 2 at this tip: signed (but never submitted) …
        const sign = committee.reserveSigner(system.proofOfReserves);
        const { ReserveTree } = await import("../../../src/oracle/reserve-tree.js");
        const deadline = BigInt(await latest()) + 600n;
        const roundAt = (sats: bigint) => {
          const tree = new ReserveTree([{ user: alice.user, btcAddress: alice.btc, sats }]);
          return {
            roundId: 2n,
            merkleRoot: tree.root,
            attestedSats: tree.totalSats,
            btcHeight: BigInt(devnet.chain.tipHeight),
            deadline,
          };
        };
        expect(await sign(roundAt(12_000n))).to.have.length(2);
        // … then Bitcoin moves: round 2 with the new root is refused by every node (they signed another one).
        devnet.chain.fund(alice.btc, 3_000n);
        devnet.chain.mine(1);
        const error = await sign(roundAt(15_000n)).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(CommitteeRefusedError);
        const refusals = (error as CommitteeRefusedError).refusals;
        expect(refusals.map((r) => r.reason)).to.deep.equal([
          "CONFLICTING_SIGNATURE",
          "CONFLICTING_SIGNATURE",
          "CONFLICTING_SIGNATURE",
        ]);
      } finally {
        await loopback.close();
      }
    });
  });
});
