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
import type { NetworkConnection } from "hardhat/types/network";

import { startDevnet } from "../bitcoin/devnet/server.js";
import type { RunningDevnet } from "../bitcoin/devnet/server.js";
import { addressesOf } from "../deployments.js";
import { QUERY_NAMES } from "../query/types.js";
import type { Observe } from "./observe.js";
import {
  components,
  liveMetrics,
  observeBalances,
  observeBurnsAndDisputes,
  observeCommittee,
  observeQueryAnswers,
  observeReserves,
  observeTotals,
  observeYield,
  readUserReports,
} from "./observe.js";
import type { DemoWorld } from "./story.js";
import {
  DEMO_MIN_CONFIRMATIONS,
  auditReserves,
  bindUsers,
  claimRewards,
  fundAndFirstRound,
  joinYieldAndWait,
  rejectedDispute,
  setUpWorld,
  spendAndThirdRound,
  timeQueries,
  wrapAndSecondRound,
} from "./story.js";
import type { DemoCheck, DemoReport } from "./types.js";

export { describeAnswer } from "./story.js";
export type {
  DemoCheck,
  DemoComponent,
  DemoMetrics,
  DemoQuery,
  DemoReport,
  DemoRound,
  DemoUserReport,
} from "./types.js";

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
  let world: DemoWorld | undefined;
  try {
    progress(`bitcoin devnet on ${devnet.url}`);
    world = await setUpWorld(connection, devnet, progress);
    return await playAndReport(world, devnet, options, started);
  } finally {
    await world?.loopback.close();
    await devnet.close();
  }
}

/** The scripted history, then every observation, the checks and the system report. */
async function playAndReport(
  world: DemoWorld,
  devnet: RunningDevnet,
  options: DemoOptions,
  started: number,
): Promise<DemoReport> {
  await bindUsers(world);
  await fundAndFirstRound(world);
  await wrapAndSecondRound(world);
  const disputeId = await rejectedDispute(world);
  await joinYieldAndWait(world);
  await spendAndThirdRound(world);
  const aliceReward = await claimRewards(world);
  const audit = await auditReserves(world);
  const { queries, answers } = await timeQueries(world);

  const observations: Record<string, string> = {};
  const observe: Observe = (name, value) => {
    observations[name] = String(value);
  };
  for (const q of queries) observe(`query ${q.name}: answered`, q.available);
  const users = await readUserReports(world);
  observeBalances(world, observe, users);
  await observeTotals(world, observe, users);
  const { burns, disputes } = await observeBurnsAndDisputes(world, observe, disputeId);
  const yieldStatus = await observeYield(world, observe, users, aliceReward);
  const { porRoot, fullyBacked } = await observeReserves(world, observe, audit);
  observeQueryAnswers(world, observe, answers, users, porRoot);
  const parts = await components(world, queries, audit);
  observeCommittee(world, observe);
  const metrics = await liveMetrics(world, {
    reports: users,
    answers,
    fullyBacked,
    burns,
    disputes,
    yieldStatus,
  });
  const { checks, verdict } = evaluateChecks(observations, options.expected);
  return {
    chainId: (await world.connection.ethers.provider.getNetwork()).chainId,
    contracts: addressesOf(world.system.deployment),
    bitcoin: { url: devnet.url, tipHeight: devnet.chain.tipHeight, minConfirmations: DEMO_MIN_CONFIRMATIONS },
    committee: {
      operators: world.operators.length,
      threshold: Number(world.threshold),
      nodes: world.loopback.committee.tallies(),
    },
    components: parts,
    rounds: world.rounds,
    users,
    queries,
    metrics,
    observations,
    checks,
    verdict,
    durationMs: Date.now() - started,
  };
}
