/**
 * Fault behaviour of the oracle runner against a real `hardhat node` (one per file) and in-process Bitcoin devnets,
 * each test on a fresh deployment through the real Ignition module.
 */
import { expect } from "chai";
import { Wallet, parseEther } from "ethers";
import type { HDNodeWallet } from "ethers";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import { startDevnet } from "../../../src/bitcoin/devnet/server.js";
import type { RunningDevnet } from "../../../src/bitcoin/devnet/server.js";
import { DevnetWallet } from "../../../src/bitcoin/devnet/wallet.js";
import { EsploraClient } from "../../../src/bitcoin/esplora.js";
import type { SystemContracts } from "../../../src/deployments.js";
import { BackendError } from "../../../src/errors.js";
import { bindAddress, pendingBindingMessage } from "../../../src/oracle/bind.js";
import { QuorumBitcoinSource } from "../../../src/oracle/bitcoin-source.js";
import { CommitteeError, LocalCommittee } from "../../../src/oracle/committee.js";
import type { BitcoinSource } from "../../../src/oracle/reports.js";
import type { RoundOptions } from "../../../src/oracle/round.js";
import { runSyncRound } from "../../../src/oracle/round.js";
import { committeeWallets } from "../../../src/oracle/signing.js";
import type { TypedDataSigner } from "../../../src/oracle/signing.js";
import type { SubmitEvent } from "../../../src/oracle/submit.js";
import type { FaultProxy, RunningNode } from "./helpers.js";
import { deployTo, removeDeployments, rpc, startFaultProxy, startHardhatNode } from "./helpers.js";

const OUTSIDE = new DevnetWallet("outside").address("p2wpkh").address;

/** An operator that never answers (its machine is down). */
function offline(wallet: HDNodeWallet): TypedDataSigner {
  return { address: wallet.address, signTypedData: () => new Promise<string>(() => undefined) };
}

describe("oracle runner faults (hardhat node + Bitcoin devnet)", function () {
  this.timeout(180_000);

  let node: RunningNode;
  let connection: NetworkConnection;
  const cleanups: Array<() => Promise<void>> = [];

  before(async function () {
    node = await startHardhatNode();
    connection = await network.create({ network: "localhost", override: { url: node.url } });
  });

  afterEach(async function () {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  after(async function () {
    await connection?.close();
    await node?.stop();
    await removeDeployments();
  });

  async function devnet(): Promise<RunningDevnet> {
    const d = await startDevnet({ port: 0 });
    cleanups.push(() => d.close());
    return d;
  }

  function esplora(url: string): EsploraClient {
    return new EsploraClient({
      baseUrl: url,
      network: "regtest",
      retries: 1,
      backoffMs: 10,
      timeoutMs: 3_000,
    });
  }

  /** A fresh deployment and devnet, with helpers to bind users and run rounds. */
  async function fresh(parameters: Record<string, unknown> = {}) {
    const system = await deployTo(connection, { minConfirmations: 1, ...parameters });
    const chain = await devnet();
    const bitcoin = esplora(chain.url);
    const committee = new LocalCommittee(committeeWallets(3), 2, 500);
    const bind = async (name: string, options: { user?: string; feeEth?: string } = {}) => {
      const user = options.user ?? Wallet.createRandom().address;
      const wallet = new DevnetWallet(name);
      const btc = wallet.address("p2wpkh").address;
      const message = await pendingBindingMessage(system.oracle, user, btc);
      await bindAddress(system.oracle, committee, {
        user,
        btcAddress: btc,
        signature: wallet.signMessage("p2wpkh", message).signature,
        network: "regtest",
      });
      const fee = options.feeEth ?? "0.05";
      if (fee !== "0") await (await system.feeVault.depositETH(user, { value: parseEther(fee) })).wait();
      return { user, btc };
    };
    const round = (
      options: RoundOptions = {},
      source: BitcoinSource = bitcoin,
      signers: LocalCommittee = committee,
      contracts: SystemContracts = system,
    ) =>
      runSyncRound(contracts.oracle, contracts.rbtc, source, signers.batchSigner(contracts.oracle), {
        ...options,
        submit: { receiptPollMs: 20, retryBackoffMs: 10, ...options.submit },
      });
    return { system, chain, bitcoin, committee, bind, round };
  }

  context("when the runner crashes between signing and submission", function () {
    it("applies the change exactly once on the next round; the stale signed batch changes nothing", async function () {
      const { system, chain, committee, bind, round } = await fresh();
      const alice = await bind("alice");
      chain.chain.fund(alice.btc, 100_000n);
      chain.chain.mine(1);
      expect((await round()).mintedSats).to.equal(100_000n);

      chain.chain.spend(alice.btc, OUTSIDE, 40_000n);
      chain.chain.mine(1);
      const planned = await round({ dryRun: true });
      expect(planned.reports).to.have.length(1);
      const latest = await connection.ethers.provider.getBlock("latest");
      const deadline = BigInt(latest?.timestamp ?? 0) + 600n;
      const { signatures } = await committee.batchSigner(system.oracle)(planned.reports, deadline);
      // …the process dies here. A restarted runner reads the chain again:
      const next = await round();
      expect(next.burnedSats).to.equal(40_000n);
      expect(await system.rbtc.freeBalanceOf(alice.user)).to.equal(60_000n);

      // The stale signed batch changes nothing: its report is skipped (STALE_SEQUENCE), never applied twice.
      await expect(system.oracle.sync(planned.reports, deadline, signatures))
        .to.emit(system.oracle, "ReportSkipped")
        .and.not.to.emit(system.rbtc, "Burned");
      const again = await round();
      expect(again.changed).to.equal(0);
      expect(await system.rbtc.totalSupply()).to.equal(60_000n);
    });
  });

  context("when the runner crashes between submission and receipt", function () {
    it("finds the batch applied and sends nothing more", async function () {
      const { system, chain, committee, bind, round } = await fresh();
      const alice = await bind("alice");
      chain.chain.fund(alice.btc, 50_000n);
      chain.chain.mine(1);
      const planned = await round({ dryRun: true });
      const latest = await connection.ethers.provider.getBlock("latest");
      const deadline = BigInt(latest?.timestamp ?? 0) + 600n;
      const { signatures } = await committee.batchSigner(system.oracle)(planned.reports, deadline);
      await system.oracle.sync(planned.reports, deadline, signatures); // sent; the receipt is never read
      const next = await round();
      expect(next.changed).to.equal(0);
      expect(next.batches).to.have.length(0);
      expect(await system.rbtc.freeBalanceOf(alice.user)).to.equal(50_000n);
      expect((await system.oracle.userState(alice.user)).sequence).to.equal(1n);
      await expect(system.oracle.sync(planned.reports, deadline, signatures))
        .to.emit(system.oracle, "ReportSkipped")
        .and.not.to.emit(system.rbtc, "Minted");
      expect(await system.rbtc.freeBalanceOf(alice.user)).to.equal(50_000n);
    });
  });

  context("when operators are offline", function () {
    it("completes the round with M of N operators reachable", async function () {
      const { system, chain, bind, round } = await fresh();
      const alice = await bind("alice");
      chain.chain.fund(alice.btc, 20_000n);
      chain.chain.mine(1);
      const [w1, w2, w3] = committeeWallets(3) as [HDNodeWallet, HDNodeWallet, HDNodeWallet];
      const degraded = new LocalCommittee([w1, w2, offline(w3)], 2, 300);
      const summary = await round({}, undefined, degraded);
      expect(summary.mintedSats).to.equal(20_000n);
      expect(degraded.lastFailures.map((f) => f.address)).to.deep.equal([w3.address]);
      expect(await system.rbtc.freeBalanceOf(alice.user)).to.equal(20_000n);
    });

    it("aborts with CommitteeError and changes nothing with fewer than M reachable", async function () {
      const { system, chain, bind, round } = await fresh();
      const alice = await bind("alice");
      chain.chain.fund(alice.btc, 20_000n);
      chain.chain.mine(1);
      const [w1, w2, w3] = committeeWallets(3) as [HDNodeWallet, HDNodeWallet, HDNodeWallet];
      const broken = new LocalCommittee([w1, offline(w2), offline(w3)], 2, 300);
      const block = await connection.ethers.provider.getBlockNumber();
      let error: unknown;
      await round({}, undefined, broken).catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(CommitteeError);
      expect((error as Error).message).to.match(/only 1 of 3 operators signed; the threshold is 2/);
      expect(await connection.ethers.provider.getBlockNumber()).to.equal(block);
      expect((await system.oracle.userState(alice.user)).sequence).to.equal(0n);
      expect(await system.rbtc.freeBalanceOf(alice.user)).to.equal(0n);
    });
  });

  context("when the Bitcoin backend fails", function () {
    it("aborts the round and changes nothing while the backend is down", async function () {
      const { system, chain, bind, round } = await fresh();
      const alice = await bind("alice");
      chain.chain.fund(alice.btc, 20_000n);
      chain.chain.mine(1);
      await chain.close();
      let error: unknown;
      await round().catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(BackendError);
      expect((await system.oracle.userState(alice.user)).sequence).to.equal(0n);
    });

    it("skips a user whose lookups fail and syncs the others", async function () {
      const { system, chain, bind, round } = await fresh();
      const alice = await bind("alice");
      const bob = await bind("bob");
      chain.chain.fund(alice.btc, 20_000n);
      chain.chain.fund(bob.btc, 30_000n);
      chain.chain.mine(1);
      const proxy = await startFaultProxy(chain.url);
      cleanups.push(() => proxy.close());
      proxy.rule = ({ path }) => (path.includes(bob.btc) ? "fail" : "forward");
      const summary = await round({}, esplora(proxy.url));
      expect(summary.skipped.map((s) => [s.user, s.reason])).to.deep.equal([
        [bob.user, "bitcoin-backend-error"],
      ]);
      expect(await system.rbtc.freeBalanceOf(alice.user)).to.equal(20_000n);
      expect(await system.rbtc.freeBalanceOf(bob.user)).to.equal(0n);
      expect((await system.oracle.userState(bob.user)).sequence).to.equal(0n);
    });

    it("skips a user two backends disagree on (same tip, different balance)", async function () {
      const { system, chain, bind, round } = await fresh();
      const alice = await bind("alice");
      const bob = await bind("bob");
      chain.chain.fund(alice.btc, 20_000n);
      chain.chain.fund(bob.btc, 30_000n);
      chain.chain.mine(1);
      // A second backend over the same chain that over-reports bob by 5,000 sats.
      const wrong = await startFaultProxy(chain.url);
      cleanups.push(() => wrong.close());
      wrong.transform = (path, body) =>
        path.includes(bob.btc) && path.endsWith("/utxo")
          ? JSON.stringify(
              (JSON.parse(body) as Array<{ value: number }>).map((u) => ({ ...u, value: u.value + 5_000 })),
            )
          : body;
      const source = new QuorumBitcoinSource([esplora(chain.url), esplora(wrong.url)]);
      const summary = await round({}, source);
      expect(summary.skipped).to.have.length(1);
      expect(summary.skipped[0]?.user).to.equal(bob.user);
      expect(summary.skipped[0]?.detail).to.match(/disagree/);
      expect(await system.rbtc.freeBalanceOf(alice.user)).to.equal(20_000n);
      expect(await system.rbtc.freeBalanceOf(bob.user)).to.equal(0n);
    });

    it("aborts the round when two backends are on different chains", async function () {
      const { system, chain, bind, round } = await fresh();
      const alice = await bind("alice");
      const other = await devnet();
      chain.chain.fund(alice.btc, 20_000n);
      chain.chain.mine(1);
      other.chain.fund(alice.btc, 25_000n);
      other.chain.mine(1);
      let error: unknown;
      await round({}, new QuorumBitcoinSource([esplora(chain.url), esplora(other.url)])).catch(
        (e: unknown) => (error = e),
      );
      expect(error).to.be.instanceOf(BackendError);
      expect((error as Error).message).to.match(/disagree on the tip/);
      expect((await system.oracle.userState(alice.user)).sequence).to.equal(0n);
    });
  });

  context("when Bitcoin reorganises", function () {
    it("changes nothing after a reorg shallower than minConfirmations", async function () {
      const { system, chain, bind, round } = await fresh({ minConfirmations: 3 });
      const alice = await bind("alice");
      const bob = await bind("bob");
      chain.chain.fund(alice.btc, 100_000n);
      chain.chain.mine(3);
      expect((await round()).mintedSats).to.equal(100_000n);
      chain.chain.fund(bob.btc, 30_000n);
      chain.chain.mine(1); // one confirmation: not counted
      expect((await round()).changed).to.equal(0);
      chain.chain.reorg(2); // drops bob's transaction and replaces the attested block
      const block = await connection.ethers.provider.getBlockNumber();
      const summary = await round();
      expect(summary.reorg?.height).to.equal(3);
      expect(summary.changed).to.equal(0);
      expect(await connection.ethers.provider.getBlockNumber()).to.equal(block);
      expect(await system.rbtc.freeBalanceOf(alice.user)).to.equal(100_000n);
      expect(await system.rbtc.freeBalanceOf(bob.user)).to.equal(0n);
    });

    it("burns on the next round after a deeper reorg and emits BitcoinAnchorReplaced", async function () {
      const { system, chain, bind, round } = await fresh({ minConfirmations: 3 });
      const carol = await bind("carol");
      chain.chain.fund(carol.btc, 70_000n);
      chain.chain.mine(3);
      const first = await round();
      expect(first.mintedSats).to.equal(70_000n);
      const previousHash = `0x${first.bitcoinTip.hash}`;
      chain.chain.reorg(3); // the funding block and everything after it leave the best chain
      const summary = await round();
      expect(summary.burnedSats).to.equal(70_000n);
      expect(summary.batches[0]?.reorgAnchors).to.equal(1);
      const newHash = `0x${chain.chain.blockAt(3)?.hash ?? ""}`;
      const events = await system.oracle.queryFilter(system.oracle.filters.BitcoinAnchorReplaced(3n));
      expect(events.map((e) => [e.args.btcHeight, e.args.previousHash, e.args.newHash])).to.deep.equal([
        [3n, previousHash, newHash],
      ]);
      expect(await system.rbtc.freeBalanceOf(carol.user)).to.equal(0n);
      expect((await round()).changed).to.equal(0);
    });
  });

  context("when the EVM RPC fails", function () {
    let proxy: FaultProxy;
    let viaProxy: NetworkConnection;

    async function throughProxy() {
      const env = await fresh();
      proxy = await startFaultProxy(node.url);
      cleanups.push(() => proxy.close());
      viaProxy = await network.create({ network: "localhost", override: { url: proxy.url } });
      cleanups.push(() => viaProxy.close());
      const [admin] = await viaProxy.ethers.getSigners();
      const { attachSystem } = await import("../../../src/deployments.js");
      const system = attachSystem(env.system.deployment, admin as NonNullable<typeof admin>);
      const alice = await env.bind("alice");
      env.chain.chain.fund(alice.btc, 40_000n);
      env.chain.chain.mine(1);
      const events: SubmitEvent[] = [];
      const round = () =>
        env.round(
          { submit: { onEvent: (e) => events.push(e), receiptTimeoutMs: 5_000 } },
          undefined,
          undefined,
          system,
        );
      return { ...env, alice, events, round };
    }

    /** Applies `action` to the first eth_sendTransaction only. */
    function onFirstSend(
      action: (json: { params?: unknown[] }) => Promise<"forward" | "fail" | "lose-answer">,
    ) {
      let done = false;
      proxy.rule = async ({ json }) => {
        if (json?.method !== "eth_sendTransaction" || done) return "forward";
        done = true;
        return action(json);
      };
    }

    it("retries a send the RPC endpoint failed", async function () {
      const { system, alice, events, round } = await throughProxy();
      onFirstSend(async () => "fail");
      const summary = await round();
      expect(summary.mintedSats).to.equal(40_000n);
      expect(summary.batches[0]?.attempts).to.equal(2);
      expect(events.map((e) => e.kind)).to.deep.equal(["retry", "sent"]);
      expect(await system.rbtc.freeBalanceOf(alice.user)).to.equal(40_000n);
    });

    it("does not send a batch twice when the answer to the send was lost", async function () {
      const { system, alice, events, round } = await throughProxy();
      onFirstSend(async () => "lose-answer");
      const summary = await round();
      expect(summary.mintedSats).to.equal(40_000n);
      expect(events.map((e) => e.kind)).to.include("already-applied");
      expect((await system.oracle.userState(alice.user)).sequence).to.equal(1n);
      expect(await system.rbtc.totalSupply()).to.equal(40_000n);
    });

    it("takes a fresh nonce when another transaction used the one it sent with", async function () {
      const { system, alice, events, round } = await throughProxy();
      onFirstSend(async (json) => {
        const tx = (json.params?.[0] ?? {}) as { from: string; nonce: string };
        await rpc(node.url, "eth_sendTransaction", [
          { from: tx.from, to: tx.from, value: "0x0", nonce: tx.nonce },
        ]);
        return "forward";
      });
      const summary = await round();
      expect(summary.mintedSats).to.equal(40_000n);
      expect(events.map((e) => e.kind)).to.deep.equal(["nonce-conflict", "retry", "sent"]);
      expect(await system.rbtc.freeBalanceOf(alice.user)).to.equal(40_000n);
    });

    it("replaces a stuck transaction with a higher fee", async function () {
      const { system, alice, events, bitcoin, committee } = await throughProxy();
      await rpc(node.url, "evm_setAutomine", [false]);
      cleanups.push(async () => {
        await rpc(node.url, "evm_setAutomine", [true]);
      });
      const summary = await runSyncRound(
        system.oracle,
        system.rbtc,
        bitcoin,
        committee.batchSigner(system.oracle),
        {
          submit: {
            receiptTimeoutMs: 400,
            receiptPollMs: 20,
            onEvent: (e) => {
              events.push(e);
              if (e.kind === "replaced") void rpc(node.url, "evm_mine");
            },
          },
        },
      );
      const sent = events.find((e) => e.kind === "sent");
      const replaced = events.find((e) => e.kind === "replaced");
      if (sent?.kind !== "sent" || replaced?.kind !== "replaced")
        throw new Error(
          `events: ${JSON.stringify(events, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`,
        );
      expect(replaced.previousTxHash).to.equal(sent.txHash);
      expect(replaced.maxFeePerGas > sent.maxFeePerGas).to.equal(true);
      expect(summary.batches[0]?.txHash).to.equal(replaced.txHash);
      expect(await connection.ethers.provider.getTransactionReceipt(sent.txHash)).to.equal(null);
      expect(await system.rbtc.freeBalanceOf(alice.user)).to.equal(40_000n);
    });
  });

  context("when the calibrated gas of a batch is too low", function () {
    it("estimates the batch, sends it again and applies it once", async function () {
      const { system, chain, bind, round } = await fresh();
      const alice = await bind("alice");
      const bob = await bind("bob");
      chain.chain.fund(alice.btc, 30_000n);
      chain.chain.fund(bob.btc, 45_000n);
      chain.chain.mine(1);
      // A per-report figure far below a first mint's real cost: the first transaction runs out of gas.
      const summary = await round({ submit: { gasPerReport: { "first-mint": 1_000n } } });
      expect(summary.mintedSats).to.equal(75_000n);
      expect(summary.batches).to.have.length(1);
      expect(summary.batches[0]?.attempts).to.equal(2);
      expect((await system.oracle.userState(alice.user)).sequence).to.equal(1n);
      expect(await system.rbtc.freeBalanceOf(bob.user)).to.equal(45_000n);
      expect(await system.rbtc.totalSupply()).to.equal(75_000n);
    });
  });

  context("when a user's FeeVault cannot pay", function () {
    it("defers and reports the mint, while a burn for a user with an empty FeeVault still goes through", async function () {
      const { system, chain, bind, round } = await fresh();
      const signers = await connection.ethers.getSigners();
      const daveSigner = signers[5] as NonNullable<(typeof signers)[number]>;
      const dave = await bind("dave", { user: daveSigner.address, feeEth: "0" });
      const erin = await bind("erin", { feeEth: "0" });
      await (
        await system.feeVault.connect(daveSigner).depositETH(dave.user, { value: parseEther("0.05") })
      ).wait();
      chain.chain.fund(dave.btc, 100_000n);
      chain.chain.fund(erin.btc, 80_000n);
      chain.chain.mine(1);
      const first = await round();
      expect(first.mintedSats).to.equal(100_000n);
      expect(first.deferred).to.deep.equal([erin.user]);
      expect((await system.oracle.userState(erin.user)).deferredSats).to.equal(80_000n);
      expect(await system.rbtc.freeBalanceOf(erin.user)).to.equal(0n);

      // Dave empties his FeeVault, then spends BTC: the burn must not depend on a fee.
      const left = await system.feeVault.balanceOf(dave.user);
      await (await system.feeVault.connect(daveSigner).withdraw(left)).wait();
      expect(await system.feeVault.balanceOf(dave.user)).to.equal(0n);
      chain.chain.spend(dave.btc, OUTSIDE, 30_000n);
      chain.chain.mine(1);
      const second = await round();
      expect(second.burnedSats).to.equal(30_000n);
      expect(second.deferred).to.deep.equal([erin.user]);
      expect(await system.rbtc.freeBalanceOf(dave.user)).to.equal(70_000n);
    });
  });
});
