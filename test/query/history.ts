import { parseEther } from "ethers";
import type { Provider, Signer } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { startDevnet } from "../../src/bitcoin/devnet/server.js";
import type { WalletAddressType } from "../../src/bitcoin/devnet/wallet.js";
import { DevnetWallet } from "../../src/bitcoin/devnet/wallet.js";
import { EsploraClient } from "../../src/bitcoin/esplora.js";
import type { Deployment, SystemContracts } from "../../src/deployments.js";
import { deploySystemWithYield } from "../../src/deployments.js";
import { bindAddress, pendingBindingMessage } from "../../src/oracle/bind.js";
import { LocalCommittee } from "../../src/oracle/committee.js";
import { runSyncRound } from "../../src/oracle/round.js";
import type { RoundSummary } from "../../src/oracle/round.js";
import { committeeWallets } from "../../src/oracle/signing.js";

const MIN_CONFIRMATIONS = 2;
/** Seconds bob's yield position accrues before he claims. */
export const YIELD_ACCRUAL_SECONDS = 86_400;
/** carol's dispute of bob's attested total (rejected by the resolver). */
export const DISPUTE = { claimedSats: 70_000n, bondWei: parseEther("0.01"), evidenceURI: "ipfs://bob-spent" };

export interface HistoryUser {
  id: string;
  signer: Signer;
  address: string;
  btcAddress: string;
}

export interface History {
  system: SystemContracts;
  deployment: Deployment;
  provider: Provider;
  /** Esplora API root of the history's Bitcoin devnet. */
  bitcoinUrl: string;
  users: { alice: HistoryUser; bob: HistoryUser; carol: HistoryUser };
  /** Runs one committee-signed sync round over all bound users. */
  sync(): Promise<RoundSummary>;
  /** Block of the Joined, DisputeOpened, DisputeRejected and Claimed events. */
  blocks: { joined: number; opened: number; rejected: number; claimed: number };
  /** Reward units bob claimed. */
  claimedReward: bigint;
  /** Moves BTC on the devnet and mines the confirmations. */
  spend(user: HistoryUser, sats: bigint): void;
  fund(user: HistoryUser, sats: bigint): void;
  close(): Promise<void>;
}

/**
 * The scripted history every query test reads (the demo's approach: real BIP-322 bindings, devnet BTC,
 * committee-signed rounds):
 *  1. alice (p2wpkh), bob (p2tr), carol (p2wpkh) bind; BTC 150,000 / 80,000 / 50,000; alice and bob prepay fees,
 *     carol does not (her mint is deferred: NeedsTopUp);
 *  2. round 1; alice wraps 60,000, sends 50,000 wrBTC to bob, redeems 5,000; bob withdraws 0.01 ETH of fees;
 *  3. alice spends 140,000 BTC; round 2 burns her 95,000 free and 45,000 escrow, slashing her 5,000 wrBTC and
 *     leaving 40,000 uncovered (every round also commits a ProofOfReserves round: rounds 1 and 2);
 *  4. bob joins the YieldScalesPool (80,000 sats backed); carol disputes bob's total (claims 70,000, bond 0.01 ETH)
 *     and the resolver (account 0) rejects it; a day later bob claims his yield.
 */
export async function scriptedHistory(connection: NetworkConnection): Promise<History> {
  const devnet = await startDevnet({ port: 0 });
  const esplora = new EsploraClient({ baseUrl: devnet.url, network: "regtest" });
  const system = await deploySystemWithYield(connection, { minConfirmations: MIN_CONFIRMATIONS });
  const [operators, threshold] = await system.oracle.committee();
  const committee = new LocalCommittee(
    committeeWallets(operators.length).filter((w) => operators.includes(w.address)),
    Number(threshold),
  );
  const signers = await connection.ethers.getSigners();
  const make = async (
    id: string,
    index: number,
    type: WalletAddressType,
  ): Promise<HistoryUser & { type: WalletAddressType; wallet: DevnetWallet }> => {
    const signer = signers[index];
    if (signer === undefined) throw new Error(`account ${index} missing`);
    const wallet = new DevnetWallet(id, "regtest");
    return {
      id,
      signer,
      address: await signer.getAddress(),
      btcAddress: wallet.address(type).address,
      type,
      wallet,
    };
  };
  const alice = await make("alice", 5, "p2wpkh");
  const bob = await make("bob", 6, "p2tr");
  const carol = await make("carol", 7, "p2wpkh");
  for (const u of [alice, bob, carol]) {
    const message = await pendingBindingMessage(system.oracle, u.address, u.btcAddress);
    const { signature } = u.wallet.signMessage(u.type, message);
    await bindAddress(system.oracle, committee, {
      user: u.address,
      btcAddress: u.btcAddress,
      signature,
      network: "regtest",
    });
  }
  const sign = committee.batchSigner(system.oracle);
  const reserves = {
    contract: system.proofOfReserves,
    sign: committee.reserveSigner(system.proofOfReserves),
  };
  const sync = async () => {
    return runSyncRound(system.oracle, system.rbtc, esplora, sign, { reserves });
  };
  const fund = (u: HistoryUser, sats: bigint) => {
    devnet.chain.fund(u.btcAddress, sats);
    devnet.chain.mine(MIN_CONFIRMATIONS);
  };
  const spend = (u: HistoryUser, sats: bigint) => {
    devnet.chain.spend(u.btcAddress, new DevnetWallet("outside").address("p2wpkh").address, sats);
    devnet.chain.mine(MIN_CONFIRMATIONS);
  };

  devnet.chain.fund(alice.btcAddress, 150_000n);
  devnet.chain.fund(bob.btcAddress, 80_000n);
  fund(carol, 50_000n);
  await (
    await system.feeVault.connect(alice.signer).depositETH(alice.address, { value: parseEther("0.05") })
  ).wait();
  await (
    await system.feeVault.connect(bob.signer).depositETH(bob.address, { value: parseEther("0.05") })
  ).wait();
  await sync();

  await (await system.wrbtc.connect(alice.signer).wrap(60_000n)).wait();
  await (await system.wrbtc.connect(alice.signer).transfer(bob.address, 50_000n)).wait();
  await (await system.wrbtc.connect(alice.signer).redeem(5_000n)).wait();
  await (await system.feeVault.connect(bob.signer).withdraw(parseEther("0.01"))).wait();

  spend(alice, 140_000n);
  await sync();

  const blockOf = async (tx: Promise<{ wait(): Promise<{ blockNumber: number } | null> }>) =>
    (await (await tx).wait())?.blockNumber ?? 0;
  const joined = await blockOf(system.yieldPool.connect(bob.signer).join());
  const opened = await blockOf(
    system.disputeManager
      .connect(carol.signer)
      .openDispute(bob.address, DISPUTE.claimedSats, DISPUTE.evidenceURI, { value: DISPUTE.bondWei }),
  );
  const rejected = await blockOf(system.disputeManager.resolveDispute(1n, false, 0n));
  await connection.networkHelpers.time.increase(YIELD_ACCRUAL_SECONDS);
  const claimed = await blockOf(system.yieldPool.connect(bob.signer).claim());
  const claimedReward = await system.yieldPool.claimedOf(bob.address);

  return {
    system,
    deployment: system.deployment,
    provider: connection.ethers.provider,
    bitcoinUrl: devnet.url,
    users: { alice, bob, carol },
    sync,
    blocks: { joined, opened, rejected, claimed },
    claimedReward,
    spend,
    fund,
    close: () => devnet.close(),
  };
}
