/**
 * What the demo observed after its scripted history, one function per area: balances, conservation totals, burns
 * and disputes, yield, reserves, the realtime queries' answers, the committee; then the components and live metrics
 * of the system report. Each observation is recorded under the name of the check that reads it (run.ts).
 */
import { addressesOf } from "../deployments.js";
import type { QueryName, QueryResult } from "../query/types.js";
import type { ReserveReport } from "../reserves/check.js";
import { describeDiscrepancies, reserveExitCode } from "../reserves/check.js";
import { EMERGENCY_BURN_REASON_NAMES } from "../sim/scenario.js";
import { DEMO_MIN_CONFIRMATIONS } from "./story.js";
import type { DemoWorld } from "./story.js";
import type { DemoComponent, DemoMetrics, DemoQuery, DemoUserReport } from "./types.js";

/** `IDisputeManager.Status` names by code. */
const DISPUTE_STATUS = ["none", "open", "upheld", "rejected", "expired"] as const;

/** Records one observed value under its check's name. */
export type Observe = (name: string, value: unknown) => void;

/** An emergency burn read from the Oracle's events. */
export interface DemoBurn {
  user: string;
  sats: bigint;
  reason: string;
}

/** Each user's balances on both chains, fee deposit and claimed yield. */
export async function readUserReports(world: DemoWorld): Promise<DemoUserReport[]> {
  const { system, esplora } = world;
  return Promise.all(
    world.users.map(async (u): Promise<DemoUserReport> => {
      const [state, free, escrow, wrbtc, feeWei, btc, claimed] = await Promise.all([
        system.oracle.userState(u.address),
        system.rbtc.freeBalanceOf(u.address),
        system.rbtc.escrowOf(u.address),
        system.wrbtc.balanceOf(u.address),
        system.feeVault.balanceOf(u.address),
        esplora.confirmedBalance(u.btcAddress, DEMO_MIN_CONFIRMATIONS),
        system.yieldPool.claimedOf(u.address),
      ]);
      return {
        id: u.id,
        evmAddress: u.address,
        btcAddress: u.btcAddress,
        btcAddressType: u.type,
        proofKind: world.proofKinds.get(u.id) ?? "",
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
}

/** A user's report by id. */
function reportOf(reports: readonly DemoUserReport[], id: string): DemoUserReport {
  return reports.find((r) => r.id === id) as DemoUserReport;
}

/** Per-user balances and what each round did. */
export function observeBalances(
  world: DemoWorld,
  observe: Observe,
  reports: readonly DemoUserReport[],
): void {
  const [alice, bob, carol, dave] = ["alice", "bob", "carol", "dave"].map((id) => reportOf(reports, id)) as [
    DemoUserReport,
    DemoUserReport,
    DemoUserReport,
    DemoUserReport,
  ];
  const rounds = world.rounds;
  observe("alice: attested sats (150,000 − 120,000 spent)", alice.attestedSats);
  observe("alice: rBTC free + escrow", alice.rbtcFree + alice.rbtcEscrow);
  observe("alice: confirmed BTC", alice.btcConfirmedSats);
  observe("bob: attested sats", bob.attestedSats);
  observe("bob: rBTC free + escrow", bob.rbtcFree + bob.rbtcEscrow);
  observe("carol: attested sats", carol.attestedSats);
  observe("dave: rBTC after FEE_EXHAUSTED", dave.rbtcFree + dave.rbtcEscrow);
  observe("round 1: deferred mints (bob had no fee deposit)", rounds[0]?.deferred ?? "");
  observe("round 2: minted sats (bob's deferred mint, paid)", rounds[1]?.mintedSats ?? "");
  observe("round 3: burned sats (alice spent BTC)", rounds[2]?.burnedSats ?? "");
}

/** Conservation: wrBTC against escrow, the FeeVault's ETH against its books, rBTC against the attested totals. */
export async function observeTotals(
  world: DemoWorld,
  observe: Observe,
  reports: readonly DemoUserReport[],
): Promise<void> {
  const { system } = world;
  const [rbtcSupply, rbtcEscrow, wrbtcSupply, uncoveredSats, vaultWei, depositsWei, accruedWei] =
    await Promise.all([
      system.rbtc.totalSupply(),
      system.rbtc.totalEscrow(),
      system.wrbtc.totalSupply(),
      system.wrbtc.uncoveredSats(),
      world.connection.ethers.provider.getBalance(system.deployment.feeVault),
      system.feeVault.totalDepositsWei(),
      system.feeVault.accruedFeesWei(),
    ]);
  observe("wrBTC supply − escrow − uncovered", wrbtcSupply - BigInt(rbtcEscrow) - BigInt(uncoveredSats));
  observe("FeeVault ETH − deposits − accrued fees", vaultWei - depositsWei - accruedWei);
  observe("rBTC supply − Σ attested", rbtcSupply - reports.reduce((sum, r) => sum + r.attestedSats, 0n));
}

/** The emergency burns (dave's FEE_EXHAUSTED) and the disputes by status (bob's rejected). */
export async function observeBurnsAndDisputes(
  world: DemoWorld,
  observe: Observe,
  disputeId: bigint,
): Promise<{ burns: DemoBurn[]; disputes: Record<string, number> }> {
  const { oracle, disputeManager } = world.system;
  const dave = world.users[3];
  const burnEvents = await oracle.queryFilter(oracle.filters.EmergencyBurn());
  const burns = burnEvents.map((e) => ({
    user: e.args.user,
    sats: e.args.amountSats,
    reason: EMERGENCY_BURN_REASON_NAMES[Number(e.args.reason)] ?? `reason ${e.args.reason}`,
  }));
  observe("emergency burns", await oracle.emergencyBurnCount());
  const daveBurn = burns.find((b) => b.user === dave.address);
  observe("emergency burn of dave: reason", daveBurn?.reason ?? "(none)");
  observe("emergency burn of dave: sats", daveBurn?.sats ?? "(none)");
  const disputes: Record<string, number> = { open: 0, upheld: 0, rejected: 0, expired: 0 };
  for (let id = 1n; id <= (await disputeManager.disputeCount()); id++) {
    const status = DISPUTE_STATUS[Number((await disputeManager.dispute(id)).status)] ?? "none";
    disputes[status] = (disputes[status] ?? 0) + 1;
  }
  observe("dispute on bob: status", DISPUTE_STATUS[Number((await disputeManager.dispute(disputeId)).status)]);
  return { burns, disputes };
}

/** The pool after the supply fell: participants, scale and rate, alice's stake and both claims. */
export async function observeYield(
  world: DemoWorld,
  observe: Observe,
  reports: readonly DemoUserReport[],
  aliceReward: bigint,
): Promise<Awaited<ReturnType<DemoWorld["system"]["yieldPool"]["poolStatus"]>>> {
  const pool = world.system.yieldPool;
  const alice = reportOf(reports, "alice");
  const status = await pool.poolStatus();
  observe("yield: holders", status.holders);
  observe("yield: liquidity providers", status.liquidityProviders);
  observe("yield: alice's staked wrBTC", (await pool.userStatus(alice.evmAddress)).stakedSats);
  observe("yield: scale after the supply fell (wad)", status.scaleWad);
  observe("yield: rate after the supply fell (bps, base 500)", status.rateBps);
  observe("yield: alice claimed (reward units)", alice.yieldClaimed);
  observe("yield: alice's reward-token balance − claimed", aliceReward - alice.yieldClaimed);
  observe("yield: carol (liquidity provider) claimed", reportOf(reports, "carol").yieldClaimed);
  return status;
}

/** Proof of reserves on chain and the `reserves:check` audit; the committed root and whether fully backed. */
export async function observeReserves(
  world: DemoWorld,
  observe: Observe,
  audit: ReserveReport,
): Promise<{ porRoot: string; fullyBacked: boolean }> {
  const por = world.system.proofOfReserves;
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
  const idOf = (address: string) => world.users.find((u) => u.address === address)?.id ?? address;
  observe("reserves:check: users in deficit", audit.users.filter((u) => u.status === "deficit").length);
  observe(
    "reserves:check: stale users (BTC not attested: dave's burned position)",
    audit.users
      .filter((u) => u.status === "stale")
      .map((u) => idOf(u.user))
      .join(","),
  );
  return { porRoot, fullyBacked };
}

/** A query's answer as a record, or undefined when it failed or answered `{available: false}`. */
export function answerOf(
  answers: ReadonlyMap<QueryName, QueryResult>,
  name: QueryName,
): Record<string, unknown> | undefined {
  const result = answers.get(name) as unknown as Record<string, unknown> | undefined;
  return result === undefined || result.available === false ? undefined : result;
}

/** A nested member of an answer ("(unavailable)" when the query or the member is missing). */
function memberOf(answers: ReadonlyMap<QueryName, QueryResult>, name: QueryName, ...path: string[]): unknown {
  let value: unknown = answerOf(answers, name);
  for (const key of path) {
    value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value ?? "(unavailable)";
}

/** What the realtime queries answered, against the chain's own figures. */
export function observeQueryAnswers(
  world: DemoWorld,
  observe: Observe,
  answers: ReadonlyMap<QueryName, QueryResult>,
  reports: readonly DemoUserReport[],
  porRoot: string,
): void {
  const answer = (name: QueryName) => answerOf(answers, name);
  const bob = world.users[1];
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
  observe("query yield-status: holders", memberOf(answers, "yield-status", "status", "holders"));
  observe(
    "query yield-status: alice's claimed == the pool's claimedOf",
    memberOf(answers, "yield-status", "userStatus", "claimed") ===
      reportOf(reports, "alice").yieldClaimed.toString(),
  );
  observe("query proof-of-reserves: round", memberOf(answers, "proof-of-reserves", "round"));
  observe(
    "query proof-of-reserves: merkleRoot == the committed root",
    answer("proof-of-reserves")?.merkleRoot === porRoot,
  );
}

/** The operator nodes: all up, each signed every request, no refusal or failure. */
export function observeCommittee(world: DemoWorld, observe: Observe): void {
  const tallies = world.loopback.committee.tallies();
  observe("committee: operator nodes on loopback", world.loopback.nodes.filter((n) => n.up).length);
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
}

/** The system report's components: the devnet, every contract (code at its address), committee, queries, audit. */
export async function components(
  world: DemoWorld,
  queries: readonly DemoQuery[],
  audit: ReserveReport,
): Promise<DemoComponent[]> {
  const { devnet, operators, threshold } = world;
  const provider = world.connection.ethers.provider;
  const list: DemoComponent[] = [
    {
      name: "bitcoin devnet (Esplora)",
      status: "up",
      detail: `${devnet.url}, tip ${devnet.chain.tipHeight}`,
    },
  ];
  for (const [name, address] of Object.entries(addressesOf(world.system.deployment))) {
    const up = (await provider.getCode(address)).length > 2;
    list.push({ name, status: up ? "up" : "down", detail: address });
  }
  const offline = world.loopback.committee.lastFailures.length;
  list.push({
    name: "oracle committee",
    status: offline < operators.length - Number(threshold) + 1 ? "up" : "down",
    detail:
      `${threshold} of ${operators.length} operator nodes on loopback, ${operators.length - offline} signed the ` +
      `last request`,
  });
  const answered = queries.filter((q) => q.available).length;
  list.push({
    name: "realtime queries (rpc)",
    status: answered === queries.length ? "up" : "down",
    detail: `${answered} of ${queries.length} answered`,
  });
  list.push({
    name: "reserves audit",
    status: audit.fullyBacked ? "up" : "down",
    detail:
      `${audit.fullyBacked ? "fully backed" : "DEFICIT"}, ${audit.users.length} users, ` +
      describeDiscrepancies(audit.discrepancies),
  });
  return list;
}

/** The live metrics: balances, backing, burns, disputes, yield participants, bound addresses, transactions. */
export async function liveMetrics(
  world: DemoWorld,
  inputs: {
    reports: readonly DemoUserReport[];
    answers: ReadonlyMap<QueryName, QueryResult>;
    fullyBacked: boolean;
    burns: readonly DemoBurn[];
    disputes: Record<string, number>;
    yieldStatus: { holders: bigint; liquidityProviders: bigint };
  },
): Promise<DemoMetrics> {
  const provider = world.connection.ethers.provider;
  const head = await provider.getBlockNumber();
  const blocks = await Promise.all(Array.from({ length: head + 1 }, (_, n) => provider.getBlock(n)));
  const byReason: Record<string, number> = {};
  for (const b of inputs.burns) byReason[b.reason] = (byReason[b.reason] ?? 0) + 1;
  const { holders, liquidityProviders } = inputs.yieldStatus;
  return {
    balances: Object.fromEntries(
      inputs.reports.map((r) => [
        r.id,
        { attestedSats: r.attestedSats, rbtcFree: r.rbtcFree, rbtcEscrow: r.rbtcEscrow, wrbtc: r.wrbtc },
      ]),
    ),
    backingRatio:
      (answerOf(inputs.answers, "proof-of-reserves")?.backingRatio as string | null | undefined) ?? null,
    isFullyBacked: inputs.fullyBacked,
    burns: {
      normalBurnedSats: world.rounds.reduce((sum, r) => sum + r.burnedSats, 0n),
      emergency: inputs.burns.length,
      byReason,
    },
    disputes: inputs.disputes,
    yieldParticipants: { holders, liquidityProviders },
    monitoredAddresses: Number(await world.system.oracle.bindingsLength()),
    transactionCount: blocks.reduce((sum, b) => sum + (b?.transactions.length ?? 0), 0),
  };
}
