/**
 * The main job (`demo`, README's first command): the whole system end to end on the in-process network and an
 * in-process Bitcoin devnet, measured and checked — never asserted. See docs/simulations.md ("The demo").
 *
 * Story: deploy everything with the YieldScalesPool; bind four users' BTC addresses with real BIP-322 proofs; fund
 * FeeVaults; sync (bob's mint deferred until he tops up); wrap, transfer, stake wrBTC; a challenger's dispute on bob is
 * rejected by the resolver; holders join the pool and a liquidity provider deposits; 30 days pass; alice spends BTC
 * (burn: free, then escrow with a slash), dave's fee has been unpaid past the grace period (FEE_EXHAUSTED emergency
 * burn), the rBTC supply falls below its peak so the yield scale falls; rewards are claimed in real tokens; every round
 * commits proof of reserves; the `reserves:check` audit runs; the eight realtime queries (rpc source) are timed. Every
 * check compares an expected value from this scripted history with the actual one; the verdict is computed from them.
 */
import { parseEther, parseUnits } from "ethers";
import type { Signer } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { MockStable__factory } from "../../types/ethers-contracts/index.js";
import { startDevnet } from "../bitcoin/devnet/server.js";
import type { WalletAddressType } from "../bitcoin/devnet/wallet.js";
import { DevnetWallet } from "../bitcoin/devnet/wallet.js";
import { EsploraClient } from "../bitcoin/esplora.js";
import { addressesOf, deploySystemWithYield } from "../deployments.js";
import { bindAddress, pendingBindingMessage } from "../oracle/bind.js";
import type { OperatorTally } from "../oracle/committee.js";
import { LoopbackCommittee } from "../oracle/operator/loopback.js";
import type { RoundSummary } from "../oracle/round.js";
import { runSyncRound } from "../oracle/round.js";
import { committeeWallets } from "../oracle/signing.js";
import { runQuery } from "../query/query.js";
import { RpcSource } from "../query/rpc.js";
import type { QueryName, QueryParams, QueryResult } from "../query/types.js";
import { QUERY_NAMES } from "../query/types.js";
import { checkReserves, reserveExitCode } from "../reserves/check.js";
import { EMERGENCY_BURN_REASON_NAMES } from "../sim/scenario.js";

/** Confirmations the demo deployment requires (the devnet mines them on demand). */
const DEMO_MIN_CONFIRMATIONS = 2;
/** A wallet outside the system that spent BTC goes to. */
const OUTSIDE_WALLET = "outside";
/** Time the demo lets pass for yield to accrue; longer than the 7-day FEE_EXHAUSTED grace period. */
const DEMO_YIELD_SECONDS = 30 * 86_400;
/** Dave's prepaid fee pays exactly his first mint (0.1% of 20,000 sats at 3e11 wei/sat + 0.00001 ETH). */
const DAVE_FEE_WEI = 16_000_000_000_000n;
/** Liquidity the LP deposits (MockStable, 18 decimals). */
const LP_DEPOSIT = parseUnits("1000", 18);
/** `IDisputeManager.Status` names by code. */
const DISPUTE_STATUS = ["none", "open", "upheld", "rejected", "expired"] as const;

export interface DemoUserReport {
  id: string;
  evmAddress: string;
  btcAddress: string;
  btcAddressType: WalletAddressType;
  proofKind: string;
  btcConfirmedSats: bigint;
  attestedSats: bigint;
  rbtcFree: bigint;
  rbtcEscrow: bigint;
  wrbtc: bigint;
  deferredSats: bigint;
  feeVaultWei: bigint;
  yieldClaimed: bigint;
}

/** One check: an expected value from the scripted history against the actual one. */
export interface DemoCheck {
  name: string;
  expected: string;
  actual: string;
  ok: boolean;
}

export interface DemoRound {
  name: string;
  changed: number;
  mintedSats: bigint;
  burnedSats: bigint;
  deferred: number;
  emergencyBurns: number;
  reserveRound: string;
  gasUsed: bigint;
  durationMs: number;
}

export interface DemoQuery {
  name: QueryName;
  params: QueryParams;
  latencyMs: number;
  /** False when it threw or answered `{available: false}`. */
  available: boolean;
  detail: string;
}

export interface DemoComponent {
  name: string;
  status: "up" | "down";
  detail: string;
}

export interface DemoMetrics {
  balances: Record<string, { attestedSats: bigint; rbtcFree: bigint; rbtcEscrow: bigint; wrbtc: bigint }>;
  backingRatio: string | null;
  isFullyBacked: boolean;
  burns: { normalBurnedSats: bigint; emergency: number; byReason: Record<string, number> };
  disputes: Record<string, number>;
  yieldParticipants: { holders: bigint; liquidityProviders: bigint };
  monitoredAddresses: number;
  transactionCount: number;
}

export interface DemoReport {
  chainId: bigint;
  contracts: Record<string, string>;
  bitcoin: { url: string; tipHeight: number; minConfirmations: number };
  /** The committee: its on-chain size and threshold, and what each operator node on loopback did. */
  committee: { operators: number; threshold: number; nodes: OperatorTally[] };
  components: DemoComponent[];
  rounds: DemoRound[];
  users: DemoUserReport[];
  queries: DemoQuery[];
  metrics: DemoMetrics;
  /** Every observed value a check reads, by check name (re-evaluate with {@link evaluateChecks}). */
  observations: Record<string, string>;
  checks: DemoCheck[];
  verdict: "pass" | "fail";
  durationMs: number;
}

/**
 * What the scripted history must produce, by check name. A value is an exact string or a bound `"> 0"`, `">= N"`,
 * `"< N"`, `"<= N"` on an integer. Every key is a check; an observation missing from the run fails its check.
 */
export const DEMO_EXPECTED: Readonly<Record<string, string>> = {
  "alice: attested sats (150,000 − 120,000 spent)": "30000",
  "alice: rBTC free + escrow": "30000",
  "alice: confirmed BTC": "30000",
  "bob: attested sats": "80000",
  "bob: rBTC free + escrow": "80000",
  "carol: attested sats": "60000",
  "dave: rBTC after FEE_EXHAUSTED": "0",
  "round 1: deferred mints (bob had no fee deposit)": "1",
  "round 2: minted sats (bob's deferred mint, paid)": "80000",
  "round 3: burned sats (alice spent BTC)": "120000",
  "wrBTC supply − escrow − uncovered": "0",
  "FeeVault ETH − deposits − accrued fees": "0",
  "rBTC supply − Σ attested": "0",
  "emergency burns": "1",
  "emergency burn of dave: reason": "FEE_EXHAUSTED",
  "emergency burn of dave: sats": "20000",
  "dispute on bob: status": "rejected",
  "yield: holders": "3",
  "yield: liquidity providers": "1",
  "yield: alice's staked wrBTC": "10000",
  "yield: scale after the supply fell (wad)": "< 1000000000000000000",
  "yield: rate after the supply fell (bps, base 500)": "< 500",
  "yield: alice claimed (reward units)": "> 0",
  "yield: alice's reward-token balance − claimed": "0",
  "yield: carol (liquidity provider) claimed": "> 0",
  "proof of reserves: rounds committed": "3",
  "proof of reserves: fully backed": "true",
  "proof of reserves: backing ratio (1e8 = 100%)": ">= 100000000",
  "proof of reserves: uncovered sats": "0",
  "reserves:check: committed root matches the recomputed one": "true",
  "reserves:check: exit code": "0",
  "reserves:check: users in deficit": "0",
  "reserves:check: stale users (BTC not attested: dave's burned position)": "dave",
  "committee: operator nodes on loopback": "3",
  "committee: requests signed by each node (4 bindings, then each round's batches and reserve round)":
    ">= 10",
  "committee: every node signed every request": "true",
  "committee: refusals": "0",
  "committee: failed requests": "0",
  ...Object.fromEntries(QUERY_NAMES.map((name) => [`query ${name}: answered`, "true"])),
  "query balances: alice attestedSats": "30000",
  "query sync-status: a round was seen": "true",
  "query transactions: alice's items": "> 0",
  "query bitcoin-addresses: monitored addresses": "4",
  "query emergency-burns: count": "1",
  "query disputes: disputes listed": "1",
  "query disputes: status of the dispute on bob": "rejected",
  "query yield-status: holders": "3",
  "query yield-status: alice's claimed == the pool's claimedOf": "true",
  "query proof-of-reserves: round": "3",
  "query proof-of-reserves: merkleRoot == the committed root": "true",
};

/** True when `actual` satisfies `expected` (exact string, or a bound on an integer). */
export function satisfies(expected: string, actual: string): boolean {
  const bound = /^(>=|<=|>|<)\s*(-?\d+)$/.exec(expected);
  if (bound === null) return actual === expected;
  if (!/^-?\d+$/.test(actual)) return false;
  const [a, b] = [BigInt(actual), BigInt(bound[2] as string)];
  switch (bound[1]) {
    case ">=":
      return a >= b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    default:
      return a < b;
  }
}

/** The checks of `expected` against `observations`, and the verdict they give. */
export function evaluateChecks(
  observations: Readonly<Record<string, string>>,
  expected: Readonly<Record<string, string>> = DEMO_EXPECTED,
): { checks: DemoCheck[]; verdict: "pass" | "fail" } {
  const checks = Object.entries(expected).map(([name, wanted]) => {
    const actual = observations[name] ?? "(not observed)";
    return { name, expected: wanted, actual, ok: satisfies(wanted, actual) };
  });
  return { checks, verdict: checks.every((c) => c.ok) ? "pass" : "fail" };
}

interface DemoUser {
  id: string;
  signer: Signer;
  address: string;
  wallet: DevnetWallet;
  type: WalletAddressType;
  btcAddress: string;
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

/** Whether a query answered real data (`{available: false}` is a failure), and a one-line summary of it. */
export function describeAnswer(result: QueryResult): { available: boolean; detail: string } {
  if ("available" in result && result.available === false) {
    return { available: false, detail: `unavailable: ${result.reason}` };
  }
  const text = JSON.stringify(result);
  return { available: true, detail: text.length > 96 ? `${text.slice(0, 95)}…` : text };
}

export interface DemoOptions {
  /** Progress lines (the task prints them on stderr). */
  progress?: (message: string) => void;
  /** Expected values (default {@link DEMO_EXPECTED}). */
  expected?: Readonly<Record<string, string>>;
}

/** Runs the demo on `connection` (an in-process network) with an in-process Bitcoin devnet. */
export async function runDemo(connection: NetworkConnection, options: DemoOptions = {}): Promise<DemoReport> {
  const progress = options.progress ?? (() => undefined);
  const started = Date.now();
  const devnet = await startDevnet({ port: 0 });
  let loopback: LoopbackCommittee | undefined;
  try {
    progress(`bitcoin devnet on ${devnet.url}`);
    const esplora = new EsploraClient({ baseUrl: devnet.url, network: "regtest" });
    const { ethers, networkHelpers } = connection;
    const provider = ethers.provider;

    // 1. Deploy the whole system with the yield pool (MockStable reward token, reserve funded).
    const system = await deploySystemWithYield(connection, { minConfirmations: DEMO_MIN_CONFIRMATIONS });
    const { deployment, yieldPool: pool } = system;
    const { chainId } = await provider.getNetwork();
    progress(
      `deployed on chain ${chainId}: Oracle ${deployment.oracle}, YieldScalesPool ${deployment.yieldPool}`,
    );
    const [operators, threshold] = await system.oracle.committee();
    // The committee runs as operator nodes on loopback: each its own key, Bitcoin client, slashing-protection record
    // and HTTP server, verifying every binding, report and reserve round before it signs; this process aggregates.
    loopback = await LoopbackCommittee.start({
      provider,
      deployment,
      keys: committeeWallets(operators.length).filter((w) => operators.includes(w.address)),
      bitcoinUrl: devnet.url,
      btcNetwork: "regtest",
    });
    const { committee } = loopback;
    progress(
      `committee: ${threshold} of ${operators.length} operator nodes on ${loopback.nodes.map((n) => n.url).join(", ")}`,
    );
    const signers = await ethers.getSigners();
    const users: DemoUser[] = await Promise.all(
      (
        [
          ["alice", 4, "p2wpkh"],
          ["bob", 5, "p2tr"],
          ["carol", 6, "p2sh-p2wpkh"],
          ["dave", 7, "p2wpkh"],
        ] as const
      ).map(async ([id, index, type]) => {
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
    const observations: Record<string, string> = {};
    const observe = (name: string, value: unknown): void => {
      observations[name] = String(value);
    };

    // 2. Bind each user's BTC address with a real ownership proof over the binding message.
    const proofKinds = new Map<string, string>();
    for (const user of users) {
      const message = await pendingBindingMessage(system.oracle, user.address, user.btcAddress);
      const { signature } = user.wallet.signMessage(user.type, message);
      const bound = await bindAddress(system.oracle, committee, {
        user: user.address,
        btcAddress: user.btcAddress,
        signature,
        network: "regtest",
      });
      proofKinds.set(user.id, bound.proofKind);
      progress(
        `bound ${user.id}'s ${user.type} ${user.btcAddress} (${bound.proofKind}, ${bound.gasUsed} gas)`,
      );
    }

    // 3. BTC arrives; alice and carol prepay fees, dave only enough for his first mint, bob nothing yet.
    devnet.chain.fund(alice.btcAddress, 150_000n);
    devnet.chain.fund(bob.btcAddress, 80_000n);
    devnet.chain.fund(carol.btcAddress, 60_000n);
    devnet.chain.fund(dave.btcAddress, 20_000n);
    devnet.chain.mine(DEMO_MIN_CONFIRMATIONS);
    const deposit = async (user: DemoUser, wei: bigint) =>
      (await system.feeVault.connect(user.signer).depositETH(user.address, { value: wei })).wait();
    await deposit(alice, parseEther("0.05"));
    await deposit(carol, parseEther("0.05"));
    await deposit(dave, DAVE_FEE_WEI);
    const sign = committee.batchSigner(system.oracle);
    const reserves = {
      contract: system.proofOfReserves,
      sign: committee.reserveSigner(system.proofOfReserves),
    };
    const rounds: DemoRound[] = [];
    const round = async (name: string): Promise<void> => {
      const summary = await runSyncRound(system.oracle, system.rbtc, esplora, sign, {
        onProgress: progress,
        reserves,
      });
      rounds.push(roundOf(name, summary));
      progress(
        `${name}: ${summary.changed} reports, minted ${summary.mintedSats}, burned ${summary.burnedSats}, ` +
          `deferred ${summary.deferred.length}, emergency burns ${summary.emergencyBurns}, ${summary.gasUsed} gas`,
      );
    };
    await round("round 1: first sync (bob has no fee deposit)");

    // 4. Bob tops up; alice wraps and sends wrBTC to bob; dave's next BTC finds his FeeVault empty.
    await deposit(bob, parseEther("0.05"));
    await (await system.wrbtc.connect(alice.signer).wrap(50_000n)).wait();
    await (await system.wrbtc.connect(alice.signer).transfer(bob.address, 20_000n)).wait();
    devnet.chain.fund(dave.btcAddress, 10_000n);
    devnet.chain.mine(DEMO_MIN_CONFIRMATIONS);
    await round("round 2: bob's deferred mint paid, dave's deferred");

    // 5. A challenger's dispute on bob's total; the resolver (the admin) rejects it: the bond goes to the treasury.
    await (
      await system.disputeManager
        .connect(carol.signer)
        .openDispute(bob.address, 50_000n, "demo: claims bob holds 50,000 sats", {
          value: parseEther("0.01"),
        })
    ).wait();
    const disputeId = await system.disputeManager.disputeCount();
    progress(`carol disputed bob's total (dispute ${disputeId}); bob's syncs are frozen`);
    await (await system.disputeManager.resolveDispute(disputeId, false, 0n)).wait();
    progress(`the resolver rejected dispute ${disputeId}`);

    // 6. Yield: three holders join, alice stakes wrBTC, carol deposits liquidity; 30 days pass.
    for (const user of [alice, bob, carol]) await (await pool.connect(user.signer).join()).wait();
    await (await system.wrbtc.connect(alice.signer).approve(deployment.yieldPool ?? "", 10_000n)).wait();
    await (await pool.connect(alice.signer).stakeWrBTC(10_000n)).wait();
    const stable = MockStable__factory.connect(await pool.liquidityToken(), carol.signer);
    await (await stable.mint(carol.address, LP_DEPOSIT)).wait();
    await (await stable.approve(deployment.yieldPool ?? "", LP_DEPOSIT)).wait();
    await (await pool.connect(carol.signer).depositLiquidity(LP_DEPOSIT)).wait();
    const joined = await pool.poolStatus();
    progress(`yield: ${joined.holders} holders, ${joined.liquidityProviders} LP, rate ${joined.rateBps} bps`);
    await networkHelpers.time.increase(DEMO_YIELD_SECONDS);
    progress(`${DEMO_YIELD_SECONDS / 86_400} days pass`);

    // 7. Alice spends 120,000 sats: burn free, then escrow (slashing her wrBTC); dave's fee is unpaid past the
    //    grace period: the round burns his whole position (FEE_EXHAUSTED).
    devnet.chain.spend(
      alice.btcAddress,
      new DevnetWallet(OUTSIDE_WALLET).address("p2wpkh").address,
      120_000n,
    );
    devnet.chain.mine(DEMO_MIN_CONFIRMATIONS);
    await round("round 3: alice spent BTC, dave's fee exhausted");

    // 8. Rewards claimed in real tokens.
    const rewardToken = MockStable__factory.connect(await pool.rewardToken(), provider);
    const rewardBefore = await rewardToken.balanceOf(alice.address);
    await (await pool.connect(alice.signer).claim()).wait();
    await (await pool.connect(carol.signer).claim()).wait();
    const aliceReward = (await rewardToken.balanceOf(alice.address)) - rewardBefore;
    progress(`alice claimed ${aliceReward} reward units, carol ${await pool.claimedOf(carol.address)}`);

    // 9. The independent reserve audit (the code of `reserves:check`).
    const audit = await checkReserves(system, esplora);
    progress(
      `reserves:check: ${audit.fullyBacked ? "fully backed" : "DEFICIT"}, root matches ${audit.proofOfReserves.rootMatches}`,
    );

    // 10. The eight realtime queries over the rpc source, each timed.
    const source = new RpcSource(provider, deployment);
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
      observe(`query ${name}: answered`, answer.available);
      progress(`query ${name}: ${latencyMs} ms${answer.available ? "" : ` (${answer.detail})`}`);
    }

    // 11. Observations.
    const reports = await Promise.all(
      users.map(async (u): Promise<DemoUserReport> => {
        const [state, free, escrow, wrbtc, feeWei, btc, claimed] = await Promise.all([
          system.oracle.userState(u.address),
          system.rbtc.freeBalanceOf(u.address),
          system.rbtc.escrowOf(u.address),
          system.wrbtc.balanceOf(u.address),
          system.feeVault.balanceOf(u.address),
          esplora.confirmedBalance(u.btcAddress, DEMO_MIN_CONFIRMATIONS),
          pool.claimedOf(u.address),
        ]);
        return {
          id: u.id,
          evmAddress: u.address,
          btcAddress: u.btcAddress,
          btcAddressType: u.type,
          proofKind: proofKinds.get(u.id) ?? "",
          btcConfirmedSats: btc.sats,
          attestedSats: state.attestedSats,
          rbtcFree: free,
          rbtcEscrow: escrow,
          wrbtc,
          deferredSats: state.deferredSats,
          feeVaultWei: feeWei,
          yieldClaimed: claimed,
        };
      }),
    );
    const byId = new Map(reports.map((r) => [r.id, r]));
    const userOf = (id: string): DemoUserReport => byId.get(id) as DemoUserReport;
    observe("alice: attested sats (150,000 − 120,000 spent)", userOf("alice").attestedSats);
    observe("alice: rBTC free + escrow", userOf("alice").rbtcFree + userOf("alice").rbtcEscrow);
    observe("alice: confirmed BTC", userOf("alice").btcConfirmedSats);
    observe("bob: attested sats", userOf("bob").attestedSats);
    observe("bob: rBTC free + escrow", userOf("bob").rbtcFree + userOf("bob").rbtcEscrow);
    observe("carol: attested sats", userOf("carol").attestedSats);
    observe("dave: rBTC after FEE_EXHAUSTED", userOf("dave").rbtcFree + userOf("dave").rbtcEscrow);
    observe("round 1: deferred mints (bob had no fee deposit)", rounds[0]?.deferred ?? "");
    observe("round 2: minted sats (bob's deferred mint, paid)", rounds[1]?.mintedSats ?? "");
    observe("round 3: burned sats (alice spent BTC)", rounds[2]?.burnedSats ?? "");

    const [rbtcSupply, rbtcEscrow, wrbtcSupply, uncoveredSats, vaultWei, depositsWei, accruedWei] =
      await Promise.all([
        system.rbtc.totalSupply(),
        system.rbtc.totalEscrow(),
        system.wrbtc.totalSupply(),
        system.wrbtc.uncoveredSats(),
        provider.getBalance(deployment.feeVault),
        system.feeVault.totalDepositsWei(),
        system.feeVault.accruedFeesWei(),
      ]);
    observe("wrBTC supply − escrow − uncovered", wrbtcSupply - BigInt(rbtcEscrow) - BigInt(uncoveredSats));
    observe("FeeVault ETH − deposits − accrued fees", vaultWei - depositsWei - accruedWei);
    observe("rBTC supply − Σ attested", rbtcSupply - reports.reduce((sum, r) => sum + r.attestedSats, 0n));

    const burnEvents = await system.oracle.queryFilter(system.oracle.filters.EmergencyBurn());
    const burns = burnEvents.map((e) => ({
      user: e.args.user,
      sats: e.args.amountSats,
      reason: EMERGENCY_BURN_REASON_NAMES[Number(e.args.reason)] ?? `reason ${e.args.reason}`,
    }));
    observe("emergency burns", await system.oracle.emergencyBurnCount());
    const daveBurn = burns.find((b) => b.user === dave.address);
    observe("emergency burn of dave: reason", daveBurn?.reason ?? "(none)");
    observe("emergency burn of dave: sats", daveBurn?.sats ?? "(none)");
    const disputes: Record<string, number> = { open: 0, upheld: 0, rejected: 0, expired: 0 };
    for (let id = 1n; id <= (await system.disputeManager.disputeCount()); id++) {
      const status = DISPUTE_STATUS[Number((await system.disputeManager.dispute(id)).status)] ?? "none";
      disputes[status] = (disputes[status] ?? 0) + 1;
    }
    observe(
      "dispute on bob: status",
      DISPUTE_STATUS[Number((await system.disputeManager.dispute(disputeId)).status)],
    );

    const status = await pool.poolStatus();
    observe("yield: holders", status.holders);
    observe("yield: liquidity providers", status.liquidityProviders);
    observe("yield: alice's staked wrBTC", (await pool.userStatus(alice.address)).stakedSats);
    observe("yield: scale after the supply fell (wad)", status.scaleWad);
    observe("yield: rate after the supply fell (bps, base 500)", status.rateBps);
    observe("yield: alice claimed (reward units)", userOf("alice").yieldClaimed);
    observe("yield: alice's reward-token balance − claimed", aliceReward - userOf("alice").yieldClaimed);
    observe("yield: carol (liquidity provider) claimed", userOf("carol").yieldClaimed);

    const por = system.proofOfReserves;
    const [porRound, porRoot, fullyBacked, ratio, porUncovered] = await Promise.all([
      por.latestRoundId(),
      por.merkleRoot(),
      por.isFullyBacked(),
      por.backingRatio(),
      por.uncoveredSats(),
    ]);
    observe("proof of reserves: rounds committed", porRound);
    observe("proof of reserves: fully backed", fullyBacked);
    observe("proof of reserves: backing ratio (1e8 = 100%)", ratio);
    observe("proof of reserves: uncovered sats", porUncovered);
    observe("reserves:check: committed root matches the recomputed one", audit.proofOfReserves.rootMatches);
    observe("reserves:check: exit code", reserveExitCode(audit));
    const idOf = (address: string) => users.find((u) => u.address === address)?.id ?? address;
    observe("reserves:check: users in deficit", audit.users.filter((u) => u.status === "deficit").length);
    observe(
      "reserves:check: stale users (BTC not attested: dave's burned position)",
      audit.users
        .filter((u) => u.status === "stale")
        .map((u) => idOf(u.user))
        .join(","),
    );

    const answer = (name: QueryName): Record<string, unknown> | undefined => {
      const result = answers.get(name) as unknown as Record<string, unknown> | undefined;
      return result === undefined || result.available === false ? undefined : result;
    };
    /** A nested member of an answer ("(unavailable)" when the query or the member is missing). */
    const member = (name: QueryName, ...path: string[]): unknown => {
      let value: unknown = answer(name);
      for (const key of path) {
        value =
          typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
      }
      return value ?? "(unavailable)";
    };
    observe("query balances: alice attestedSats", answer("balances")?.attestedSats ?? "(unavailable)");
    observe("query sync-status: a round was seen", (answer("sync-status")?.lastRound ?? null) !== null);
    const items = answer("transactions")?.items;
    observe("query transactions: alice's items", Array.isArray(items) ? items.length : "(unavailable)");
    observe(
      "query bitcoin-addresses: monitored addresses",
      answer("bitcoin-addresses")?.count ?? "(unavailable)",
    );
    observe("query emergency-burns: count", answer("emergency-burns")?.count ?? "(unavailable)");
    const listed = answer("disputes")?.disputes;
    observe("query disputes: disputes listed", Array.isArray(listed) ? listed.length : "(unavailable)");
    const bobsDispute = (Array.isArray(listed) ? (listed as Record<string, unknown>[]) : []).find(
      (d) => d.user === bob.address,
    );
    observe("query disputes: status of the dispute on bob", bobsDispute?.status ?? "(unavailable)");
    observe("query yield-status: holders", member("yield-status", "status", "holders"));
    observe(
      "query yield-status: alice's claimed == the pool's claimedOf",
      member("yield-status", "userStatus", "claimed") === userOf("alice").yieldClaimed.toString(),
    );
    observe("query proof-of-reserves: round", member("proof-of-reserves", "round"));
    observe(
      "query proof-of-reserves: merkleRoot == the committed root",
      answer("proof-of-reserves")?.merkleRoot === porRoot,
    );

    // 12. Components, live metrics, verdict.
    const code = async (address: string) => (await provider.getCode(address)).length > 2;
    const contracts: Record<string, string> = addressesOf(deployment);
    const components: DemoComponent[] = [
      {
        name: "bitcoin devnet (Esplora)",
        status: "up",
        detail: `${devnet.url}, tip ${devnet.chain.tipHeight}`,
      },
    ];
    for (const [name, address] of Object.entries(contracts)) {
      const up = await code(address);
      components.push({ name, status: up ? "up" : "down", detail: address });
    }
    const offline = committee.lastFailures.length;
    const tallies = committee.tallies();
    components.push({
      name: "oracle committee",
      status: offline < operators.length - Number(threshold) + 1 ? "up" : "down",
      detail:
        `${threshold} of ${operators.length} operator nodes on loopback, ${operators.length - offline} signed the ` +
        `last request`,
    });
    observe("committee: operator nodes on loopback", loopback.nodes.filter((n) => n.up).length);
    observe(
      "committee: requests signed by each node (4 bindings, then each round's batches and reserve round)",
      Math.min(...tallies.map((t) => t.signed)),
    );
    observe(
      "committee: every node signed every request",
      tallies.every((t) => t.signed === tallies[0]?.signed && t.refused === 0 && t.failed === 0),
    );
    observe(
      "committee: refusals",
      tallies.reduce((sum, t) => sum + t.refused, 0),
    );
    observe(
      "committee: failed requests",
      tallies.reduce((sum, t) => sum + t.failed, 0),
    );
    const answered = queries.filter((q) => q.available).length;
    components.push({
      name: "realtime queries (rpc)",
      status: answered === queries.length ? "up" : "down",
      detail: `${answered} of ${queries.length} answered`,
    });
    components.push({
      name: "reserves audit",
      status: audit.fullyBacked ? "up" : "down",
      detail:
        `${audit.fullyBacked ? "fully backed" : "DEFICIT"}, ${audit.users.length} users, ` +
        `${audit.discrepancies.length} discrepancies`,
    });

    const head = await provider.getBlockNumber();
    const blocks = await Promise.all(Array.from({ length: head + 1 }, (_, n) => provider.getBlock(n)));
    const byReason: Record<string, number> = {};
    for (const b of burns) byReason[b.reason] = (byReason[b.reason] ?? 0) + 1;
    const metrics: DemoMetrics = {
      balances: Object.fromEntries(
        reports.map((r) => [
          r.id,
          { attestedSats: r.attestedSats, rbtcFree: r.rbtcFree, rbtcEscrow: r.rbtcEscrow, wrbtc: r.wrbtc },
        ]),
      ),
      backingRatio: (answer("proof-of-reserves")?.backingRatio as string | null | undefined) ?? null,
      isFullyBacked: fullyBacked,
      burns: {
        normalBurnedSats: rounds.reduce((sum, r) => sum + r.burnedSats, 0n),
        emergency: burns.length,
        byReason,
      },
      disputes,
      yieldParticipants: { holders: status.holders, liquidityProviders: status.liquidityProviders },
      monitoredAddresses: Number(await system.oracle.bindingsLength()),
      transactionCount: blocks.reduce((sum, b) => sum + (b?.transactions.length ?? 0), 0),
    };
    const { checks, verdict } = evaluateChecks(observations, options.expected);
    return {
      chainId,
      contracts,
      bitcoin: {
        url: devnet.url,
        tipHeight: devnet.chain.tipHeight,
        minConfirmations: DEMO_MIN_CONFIRMATIONS,
      },
      committee: { operators: operators.length, threshold: Number(threshold), nodes: tallies },
      components,
      rounds,
      users: reports,
      queries,
      metrics,
      observations,
      checks,
      verdict,
      durationMs: Date.now() - started,
    };
  } finally {
    await loopback?.close();
    await devnet.close();
  }
}
