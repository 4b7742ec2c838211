/**
 * The demo's scripted history, one function per chapter (see run.ts for the whole story): set up the world, bind,
 * fund and sync, wrap and sync again, a rejected dispute, yield over 30 days, a spend and a fee-exhausted burn,
 * rewards claimed, the reserve audit, the eight realtime queries timed.
 */
import { parseEther, parseUnits } from "ethers";
import type { Signer } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { MockStable__factory } from "../../types/ethers-contracts/index.js";
import type { RunningDevnet } from "../bitcoin/devnet/server.js";
import type { WalletAddressType } from "../bitcoin/devnet/wallet.js";
import { DevnetWallet } from "../bitcoin/devnet/wallet.js";
import { EsploraClient } from "../bitcoin/esplora.js";
import { deploySystemWithYield } from "../deployments.js";
import { bindAddress, pendingBindingMessage } from "../oracle/bind.js";
import { LoopbackCommittee } from "../oracle/operator/loopback.js";
import type { RoundOptions, RoundSummary } from "../oracle/round.js";
import { runSyncRound } from "../oracle/round.js";
import { committeeWallets } from "../oracle/signing.js";
import type { BatchSigner } from "../oracle/submit.js";
import { runQuery } from "../query/query.js";
import { RpcSource } from "../query/rpc.js";
import type { QueryName, QueryParams, QueryResult } from "../query/types.js";
import { QUERY_NAMES } from "../query/types.js";
import type { ReserveReport } from "../reserves/check.js";
import { checkReserves } from "../reserves/check.js";
import type { DemoQuery, DemoRound } from "./types.js";

/** Confirmations the demo deployment requires (the devnet mines them on demand). */
export const DEMO_MIN_CONFIRMATIONS = 2;
/** A wallet outside the system that spent BTC goes to. */
const OUTSIDE_WALLET = "outside";
/** Time the demo lets pass for yield to accrue; longer than the 7-day FEE_EXHAUSTED grace period. */
const DEMO_YIELD_SECONDS = 30 * 86_400;
/** Dave's prepaid fee pays exactly his first mint (0.1% of 20,000 sats at 3e11 wei/sat + 0.00001 ETH). */
const DAVE_FEE_WEI = 16_000_000_000_000n;
/** Liquidity the LP deposits (MockStable, 18 decimals). */
const LP_DEPOSIT = parseUnits("1000", 18);
/** The demo's users: id, Hardhat account, BTC address type. */
const DEMO_USERS = [
  ["alice", 4, "p2wpkh"],
  ["bob", 5, "p2tr"],
  ["carol", 6, "p2sh-p2wpkh"],
  ["dave", 7, "p2wpkh"],
] as const;

export interface DemoUser {
  id: string;
  signer: Signer;
  address: string;
  wallet: DevnetWallet;
  type: WalletAddressType;
  btcAddress: string;
}

type DemoSystem = Awaited<ReturnType<typeof deploySystemWithYield>>;

/** Everything the chapters act on, and what they recorded. */
export interface DemoWorld {
  connection: NetworkConnection;
  devnet: RunningDevnet;
  esplora: EsploraClient;
  system: DemoSystem;
  loopback: LoopbackCommittee;
  /** The on-chain committee. */
  operators: string[];
  threshold: bigint;
  users: [DemoUser, DemoUser, DemoUser, DemoUser];
  progress: (message: string) => void;
  /** Signs sync batches through the committee's nodes. */
  sign: BatchSigner;
  /** Every round commits a reserve round too. */
  reserves: NonNullable<RoundOptions["reserves"]>;
  /** Each user's ownership proof kind (BIP-322 simple, …), by id. */
  proofKinds: Map<string, string>;
  rounds: DemoRound[];
}

/** Deploys the system with the yield pool, starts the committee's nodes on loopback and makes the four users. */
export async function setUpWorld(
  connection: NetworkConnection,
  devnet: RunningDevnet,
  progress: (message: string) => void,
): Promise<DemoWorld> {
  const provider = connection.ethers.provider;
  // The whole system with the yield pool (MockStable reward token, reserve funded).
  const system = await deploySystemWithYield(connection, { minConfirmations: DEMO_MIN_CONFIRMATIONS });
  const { deployment } = system;
  const { chainId } = await provider.getNetwork();
  progress(
    `deployed on chain ${chainId}: Oracle ${deployment.oracle}, YieldScalesPool ${deployment.yieldPool}`,
  );
  const [operators, threshold] = await system.oracle.committee();
  // The committee runs as operator nodes on loopback: each its own key, Bitcoin client, slashing-protection record
  // and HTTP server, verifying every binding, report and reserve round before it signs; this process aggregates.
  const loopback = await LoopbackCommittee.start({
    provider,
    deployment,
    keys: committeeWallets(operators.length).filter((w) => operators.includes(w.address)),
    bitcoinUrl: devnet.url,
    btcNetwork: "regtest",
  });
  progress(
    `committee: ${threshold} of ${operators.length} operator nodes on ${loopback.nodes.map((n) => n.url).join(", ")}`,
  );
  return {
    connection,
    devnet,
    esplora: new EsploraClient({ baseUrl: devnet.url, network: "regtest" }),
    system,
    loopback,
    operators: [...operators],
    threshold,
    users: await demoUsers(connection),
    progress,
    sign: loopback.committee.batchSigner(system.oracle),
    reserves: {
      contract: system.proofOfReserves,
      sign: loopback.committee.reserveSigner(system.proofOfReserves),
    },
    proofKinds: new Map(),
    rounds: [],
  };
}

async function demoUsers(connection: NetworkConnection): Promise<DemoWorld["users"]> {
  const signers = await connection.ethers.getSigners();
  const users = await Promise.all(
    DEMO_USERS.map(async ([id, index, type]): Promise<DemoUser> => {
      const wallet = new DevnetWallet(id, "regtest");
      const signer = signers[index];
      if (signer === undefined) throw new Error(`account ${index} missing`);
      return {
        id,
        signer,
        address: await signer.getAddress(),
        wallet,
        type,
        btcAddress: wallet.address(type).address,
      };
    }),
  );
  const [alice, bob, carol, dave] = users as [DemoUser, DemoUser, DemoUser, DemoUser];
  return [alice, bob, carol, dave];
}

/** Binds each user's BTC address with a real ownership proof over the binding message. */
export async function bindUsers(world: DemoWorld): Promise<void> {
  const { system, loopback } = world;
  for (const user of world.users) {
    const message = await pendingBindingMessage(system.oracle, user.address, user.btcAddress);
    const { signature } = user.wallet.signMessage(user.type, message);
    const bound = await bindAddress(system.oracle, loopback.committee, {
      user: user.address,
      btcAddress: user.btcAddress,
      signature,
      network: "regtest",
    });
    world.proofKinds.set(user.id, bound.proofKind);
    world.progress(
      `bound ${user.id}'s ${user.type} ${user.btcAddress} (${bound.proofKind}, ${bound.gasUsed} gas)`,
    );
  }
}

async function deposit(world: DemoWorld, user: DemoUser, wei: bigint): Promise<void> {
  await (await world.system.feeVault.connect(user.signer).depositETH(user.address, { value: wei })).wait();
}

/** One committee-signed sync round that also commits the reserve round; recorded under `name`. */
async function round(world: DemoWorld, name: string): Promise<void> {
  const { system, progress } = world;
  const summary = await runSyncRound(system.oracle, system.rbtc, world.esplora, world.sign, {
    onProgress: progress,
    reserves: world.reserves,
  });
  world.rounds.push(roundOf(name, summary));
  progress(
    `${name}: ${summary.changed} reports, minted ${summary.mintedSats}, burned ${summary.burnedSats}, ` +
      `deferred ${summary.deferred.length}, emergency burns ${summary.emergencyBurns}, ${summary.gasUsed} gas`,
  );
}

function roundOf(name: string, summary: RoundSummary): DemoRound {
  return {
    name,
    changed: summary.changed,
    mintedSats: summary.mintedSats,
    burnedSats: summary.burnedSats,
    deferred: summary.deferred.length,
    emergencyBurns: summary.emergencyBurns,
    reserveRound:
      summary.reserves === undefined
        ? "-"
        : summary.reserves.committed
          ? `round ${summary.reserves.roundId}`
          : `not committed: ${summary.reserves.reason}`,
    gasUsed: summary.gasUsed,
    durationMs: summary.durationMs,
  };
}

/** BTC arrives; alice and carol prepay fees, dave only enough for his first mint, bob nothing yet; round 1. */
export async function fundAndFirstRound(world: DemoWorld): Promise<void> {
  const [alice, bob, carol, dave] = world.users;
  const chain = world.devnet.chain;
  chain.fund(alice.btcAddress, 150_000n);
  chain.fund(bob.btcAddress, 80_000n);
  chain.fund(carol.btcAddress, 60_000n);
  chain.fund(dave.btcAddress, 20_000n);
  chain.mine(DEMO_MIN_CONFIRMATIONS);
  await deposit(world, alice, parseEther("0.05"));
  await deposit(world, carol, parseEther("0.05"));
  await deposit(world, dave, DAVE_FEE_WEI);
  await round(world, "round 1: first sync (bob has no fee deposit)");
}

/** Bob tops up; alice wraps and sends wrBTC to bob; dave's next BTC finds his FeeVault empty; round 2. */
export async function wrapAndSecondRound(world: DemoWorld): Promise<void> {
  const [alice, bob, , dave] = world.users;
  const { wrbtc } = world.system;
  await deposit(world, bob, parseEther("0.05"));
  await (await wrbtc.connect(alice.signer).wrap(50_000n)).wait();
  await (await wrbtc.connect(alice.signer).transfer(bob.address, 20_000n)).wait();
  world.devnet.chain.fund(dave.btcAddress, 10_000n);
  world.devnet.chain.mine(DEMO_MIN_CONFIRMATIONS);
  await round(world, "round 2: bob's deferred mint paid, dave's deferred");
}

/** A challenger's dispute on bob's total; the resolver (the admin) rejects it: the bond goes to the treasury. */
export async function rejectedDispute(world: DemoWorld): Promise<bigint> {
  const [, bob, carol] = world.users;
  const { disputeManager } = world.system;
  await (
    await disputeManager
      .connect(carol.signer)
      .openDispute(bob.address, 50_000n, "demo: claims bob holds 50,000 sats", { value: parseEther("0.01") })
  ).wait();
  const disputeId = await disputeManager.disputeCount();
  world.progress(`carol disputed bob's total (dispute ${disputeId}); bob's syncs are frozen`);
  await (await disputeManager.resolveDispute(disputeId, false, 0n)).wait();
  world.progress(`the resolver rejected dispute ${disputeId}`);
  return disputeId;
}

/** Yield: three holders join, alice stakes wrBTC, carol deposits liquidity; 30 days pass. */
export async function joinYieldAndWait(world: DemoWorld): Promise<void> {
  const [alice, bob, carol] = world.users;
  const { yieldPool: pool, deployment } = world.system;
  for (const user of [alice, bob, carol]) await (await pool.connect(user.signer).join()).wait();
  await (await world.system.wrbtc.connect(alice.signer).approve(deployment.yieldPool ?? "", 10_000n)).wait();
  await (await pool.connect(alice.signer).stakeWrBTC(10_000n)).wait();
  const stable = MockStable__factory.connect(await pool.liquidityToken(), carol.signer);
  await (await stable.mint(carol.address, LP_DEPOSIT)).wait();
  await (await stable.approve(deployment.yieldPool ?? "", LP_DEPOSIT)).wait();
  await (await pool.connect(carol.signer).depositLiquidity(LP_DEPOSIT)).wait();
  const joined = await pool.poolStatus();
  world.progress(
    `yield: ${joined.holders} holders, ${joined.liquidityProviders} LP, rate ${joined.rateBps} bps`,
  );
  await world.connection.networkHelpers.time.increase(DEMO_YIELD_SECONDS);
  world.progress(`${DEMO_YIELD_SECONDS / 86_400} days pass`);
}

/**
 * Alice spends 120,000 sats: burn free, then escrow (slashing her wrBTC); dave's fee is unpaid past the grace
 * period: the round burns his whole position (FEE_EXHAUSTED).
 */
export async function spendAndThirdRound(world: DemoWorld): Promise<void> {
  const [alice] = world.users;
  const outside = new DevnetWallet(OUTSIDE_WALLET).address("p2wpkh").address;
  world.devnet.chain.spend(alice.btcAddress, outside, 120_000n);
  world.devnet.chain.mine(DEMO_MIN_CONFIRMATIONS);
  await round(world, "round 3: alice spent BTC, dave's fee exhausted");
}

/** Rewards claimed in real tokens; alice's reward-token gain. */
export async function claimRewards(world: DemoWorld): Promise<bigint> {
  const [alice, , carol] = world.users;
  const pool = world.system.yieldPool;
  const rewardToken = MockStable__factory.connect(await pool.rewardToken(), world.connection.ethers.provider);
  const rewardBefore = await rewardToken.balanceOf(alice.address);
  await (await pool.connect(alice.signer).claim()).wait();
  await (await pool.connect(carol.signer).claim()).wait();
  const aliceReward = (await rewardToken.balanceOf(alice.address)) - rewardBefore;
  world.progress(`alice claimed ${aliceReward} reward units, carol ${await pool.claimedOf(carol.address)}`);
  return aliceReward;
}

/** The independent reserve audit (the code of `reserves:check`). */
export async function auditReserves(world: DemoWorld): Promise<ReserveReport> {
  const audit = await checkReserves(world.system, world.esplora);
  world.progress(
    `reserves:check: ${audit.fullyBacked ? "fully backed" : "DEFICIT"}, root matches ${audit.proofOfReserves.rootMatches}`,
  );
  return audit;
}

/** Whether a query answered real data (`{available: false}` is a failure), and a one-line summary of it. */
export function describeAnswer(result: QueryResult): { available: boolean; detail: string } {
  if ("available" in result && result.available === false) {
    return { available: false, detail: `unavailable: ${result.reason}` };
  }
  const text = JSON.stringify(result);
  return { available: true, detail: text.length > 96 ? `${text.slice(0, 95)}…` : text };
}

/** The eight realtime queries over the rpc source, each timed; their answers by name. */
export async function timeQueries(
  world: DemoWorld,
): Promise<{ queries: DemoQuery[]; answers: Map<QueryName, QueryResult> }> {
  const [alice] = world.users;
  const source = new RpcSource(world.connection.ethers.provider, world.system.deployment);
  const queries: DemoQuery[] = [];
  const answers = new Map<QueryName, QueryResult>();
  for (const name of QUERY_NAMES) {
    const params: QueryParams =
      name === "balances" || name === "transactions" || name === "yield-status"
        ? { user: alice.address }
        : {};
    const t0 = performance.now();
    let answer: { available: boolean; detail: string };
    try {
      const result = await runQuery(source, name, params);
      answers.set(name, result);
      answer = describeAnswer(result);
    } catch (error) {
      answer = {
        available: false,
        detail: `error: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    const latencyMs = Math.round((performance.now() - t0) * 100) / 100;
    queries.push({ name, params, latencyMs, ...answer });
    world.progress(`query ${name}: ${latencyMs} ms${answer.available ? "" : ` (${answer.detail})`}`);
  }
  return { queries, answers };
}
