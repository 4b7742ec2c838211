/**
 * What each scenario step does, one function per family: Bitcoin (`btc`), the oracle and its operators (`oracle`),
 * and users, disputes and yield (`do`). `expect` steps are in expect.ts. Each records its gas and details in the
 * step's report.
 */
import { MockStable__factory } from "../../types/ethers-contracts/index.js";
import type { RoundSummary } from "../oracle/round.js";
import { runSyncRound } from "../oracle/round.js";
import { expectStep } from "./expect.js";
import { inflatedView } from "./faults.js";
import { latestOpenDispute } from "./reads.js";
import type { StepReport } from "./report.js";
import type { BtcStep, DoStep, OracleStep, Step } from "./scenario.js";
import type { SimWorld } from "./world.js";
import { addressOf, bindUser, gasOf, needPool, targets, userOf } from "./world.js";

/** Runs one step against the world; throws what the step raised (the engine compares it with `expectError`). */
export async function executeStep(world: SimWorld, step: Step, report: StepReport): Promise<void> {
  const a = step.action;
  if ("expect" in a) return expectStep(world, step.index, a.expect, report.failures);
  if ("btc" in a) return btcStep(world, a, report);
  if ("oracle" in a) return oracleStep(world, a, report);
  return doStep(world, a, report);
}

function btcStep(world: SimWorld, a: BtcStep, report: StepReport): void {
  const chain = world.devnet.chain;
  switch (a.btc) {
    case "fund":
      for (const user of targets(world, a.user)) {
        report.details.txid = chain.fund(addressOf(user, a.address), a.sats).txid;
      }
      return;
    case "spend":
      for (const user of targets(world, a.user)) {
        report.details.txid = chain.spend(addressOf(user, a.address), world.outside, a.sats, a.feeSats).txid;
      }
      return;
    case "mine":
      chain.mine(a.blocks);
      report.details.tipHeight = chain.tipHeight;
      return;
    case "reorg": {
      const result = chain.reorg(a.depth);
      report.details.tipHeight = result.tipHeight;
      report.details.droppedTxs = result.droppedTxids.length;
      return;
    }
  }
}

/** One round through the operator nodes (the aggregator reading Bitcoin through `view`); what each node did. */
async function syncRound(
  world: SimWorld,
  report: StepReport,
  view: SimWorld["esplora"] | ReturnType<typeof inflatedView>,
): Promise<void> {
  const { system, committee } = world;
  const before = committee.tallies();
  let summary: RoundSummary;
  try {
    summary = await runSyncRound(system.oracle, system.rbtc, view, world.sign, { reserves: world.reserves });
  } finally {
    const after = committee.tallies();
    world.lastRefusedBy = after.flatMap((t, i) => ((before[i]?.refused ?? 0) < t.refused ? [i] : []));
  }
  report.gasUsed += summary.gasUsed;
  for (const d of summary.dropped) {
    world.droppedCount.set(d.report.user, (world.droppedCount.get(d.report.user) ?? 0n) + 1n);
  }
  recordRound(world, report, summary);
}

/** The round's figures in the step's details. */
function recordRound(world: SimWorld, report: StepReport, summary: RoundSummary): void {
  const idOf = (address: string) =>
    [...world.users.values()].find((u) => u.address === address)?.id ?? address;
  Object.assign(report.details, {
    reports: summary.changed,
    mintedSats: summary.mintedSats.toString(),
    burnedSats: summary.burnedSats.toString(),
    deferred: summary.deferred.length,
    queued: summary.queued.length,
    skipped: summary.skipped.length,
    batches: summary.batches.length,
    btcHeight: summary.bitcoinTip.height,
    emergencyBurns: summary.emergencyBurns,
    feeExhaustedBurns: summary.feeExhaustedBurns.length,
  });
  if (summary.reserves !== undefined) report.details.reservesCommitted = summary.reserves.committed;
  if (summary.dropped.length > 0) {
    report.details.dropped = summary.dropped.map((d) => idOf(d.report.user)).join(",");
  }
  if (world.lastRefusedBy.length > 0) report.details.refusedBy = world.lastRefusedBy.join(",");
  const offline = world.committee.lastFailures.filter((f) => !f.reason.startsWith("refused")).length;
  if (offline > 0) report.details.offlineOperators = offline;
}

async function oracleStep(world: SimWorld, a: OracleStep, report: StepReport): Promise<void> {
  const { system } = world;
  switch (a.oracle) {
    case "sync":
      return syncRound(world, report, world.esplora);
    case "malicious-proposal": {
      const user = userOf(world, a.user);
      const first = user.btc[0]?.address;
      if (first === undefined) throw new Error(`${user.id} has no BTC address`);
      report.details.inflatedSats = a.inflateSats.toString();
      return syncRound(world, report, inflatedView(world.esplora, new Set([first]), a.inflateSats));
    }
    case "bind":
      report.gasUsed += await bindUser(world, userOf(world, a.user), a.address);
      return;
    case "pause":
      report.gasUsed += await gasOf(system.oracle.pause());
      return;
    case "unpause":
      report.gasUsed += await gasOf(system.oracle.unpause());
      return;
    default:
      return operatorStep(world, a, report);
  }
}

/** The steps that stop, revive or corrupt one operator node. */
async function operatorStep(
  world: SimWorld,
  a: Extract<OracleStep, { operator: number }>,
  report: StepReport,
): Promise<void> {
  const { nodes, backends } = world;
  if (a.oracle === "kill-operator" || a.oracle === "revive-operator") {
    const node = nodes[a.operator];
    if (node === undefined) throw new Error(`no operator ${a.operator} (committee of ${nodes.length})`);
    await (a.oracle === "kill-operator" ? node.kill() : node.revive());
    report.details.online = nodes.filter((n) => n.up).length;
    return;
  }
  const backend = backends[a.operator];
  if (backend === undefined) throw new Error(`no operator ${a.operator} (committee of ${nodes.length})`);
  backend.fault =
    a.oracle === "operator-lies"
      ? { kind: "lies", inflateSats: a.inflateSats }
      : a.oracle === "operator-lags"
        ? { kind: "lags", blocks: a.blocks }
        : { kind: "honest" };
  report.details.fault = backend.fault.kind;
}

async function doStep(world: SimWorld, a: DoStep, report: StepReport): Promise<void> {
  switch (a.do) {
    case "wrap":
    case "redeem":
    case "transfer":
    case "depositFee":
    case "withdrawFee":
      return userStep(world, a, report);
    case "executeQueuedMint":
      // anyone may execute a ready queued mint; the scenario's admin account sends it
      report.gasUsed += await gasOf(world.system.oracle.executeQueuedMint(userOf(world, a.user).address));
      return;
    case "cancelQueuedMint":
      report.gasUsed += await gasOf(world.system.oracle.cancelQueuedMint(userOf(world, a.user).address));
      return;
    case "advanceTime":
      await world.connection.networkHelpers.time.increase(a.seconds);
      return;
    case "dispute":
    case "resolve":
    case "expireDispute":
    case "fundDisputeRewards":
      return disputeStep(world, a, report);
    default:
      return yieldStep(world, a, report);
  }
}

/** A user's own token and fee actions. */
async function userStep(
  world: SimWorld,
  a: Extract<DoStep, { do: "wrap" | "redeem" | "transfer" | "depositFee" | "withdrawFee" }>,
  report: StepReport,
): Promise<void> {
  const { system } = world;
  switch (a.do) {
    case "wrap":
      report.gasUsed += await gasOf(system.wrbtc.connect(userOf(world, a.user).signer).wrap(a.sats));
      return;
    case "redeem":
      report.gasUsed += await gasOf(system.wrbtc.connect(userOf(world, a.user).signer).redeem(a.sats));
      return;
    case "transfer":
      report.gasUsed += await gasOf(
        system.wrbtc.connect(userOf(world, a.from).signer).transfer(userOf(world, a.to).address, a.sats),
      );
      return;
    case "depositFee": {
      const user = userOf(world, a.user);
      report.gasUsed += await gasOf(
        system.feeVault.connect(user.signer).depositETH(user.address, { value: a.wei }),
      );
      return;
    }
    case "withdrawFee": {
      const user = userOf(world, a.user);
      const amount = a.wei === "all" ? await system.feeVault.balanceOf(user.address) : a.wei;
      report.gasUsed += await gasOf(system.feeVault.connect(user.signer).withdraw(amount));
      report.details.withdrawnWei = amount.toString();
      return;
    }
  }
}

/** Disputes: opened by a challenger; resolved or expired by the admin (the resolver role's default holder). */
async function disputeStep(
  world: SimWorld,
  a: Extract<DoStep, { do: "dispute" | "resolve" | "expireDispute" | "fundDisputeRewards" }>,
  report: StepReport,
): Promise<void> {
  const { disputeManager } = world.system;
  switch (a.do) {
    case "dispute": {
      const challenger = userOf(world, a.challenger);
      report.gasUsed += await gasOf(
        disputeManager
          .connect(challenger.signer)
          .openDispute(userOf(world, a.user).address, a.claimedSats, "sim:evidence", { value: a.bondWei }),
      );
      report.details.disputeId = (await disputeManager.disputeCount()).toString();
      return;
    }
    case "resolve": {
      const id = await latestOpenDispute(world);
      report.gasUsed += await gasOf(disputeManager.resolveDispute(id, a.upheld, a.resolvedSats));
      report.details.disputeId = id.toString();
      return;
    }
    case "expireDispute": {
      const id = await latestOpenDispute(world);
      report.gasUsed += await gasOf(disputeManager.expireDispute(id));
      report.details.disputeId = id.toString();
      return;
    }
    case "fundDisputeRewards":
      report.gasUsed += await gasOf(disputeManager.fundRewards({ value: a.wei }));
      return;
  }
}

type YieldStep = Extract<
  DoStep,
  {
    do:
      | "joinYield"
      | "leaveYield"
      | "claimYield"
      | "stakeWrBTC"
      | "unstakeWrBTC"
      | "depositLiquidity"
      | "fundRewards";
  }
>;

/** The YieldScalesPool: join, leave, claim, stake wrBTC, provide liquidity, fund rewards. */
async function yieldStep(world: SimWorld, a: YieldStep, report: StepReport): Promise<void> {
  const pool = needPool(world);
  switch (a.do) {
    case "joinYield":
      report.gasUsed += await gasOf(pool.connect(userOf(world, a.user).signer).join());
      return;
    case "leaveYield":
      report.gasUsed += await gasOf(pool.connect(userOf(world, a.user).signer).leave());
      return;
    case "claimYield": {
      const user = userOf(world, a.user);
      const before = await pool.claimedOf(user.address);
      report.gasUsed += await gasOf(pool.connect(user.signer).claim());
      report.details.claimedUnits = ((await pool.claimedOf(user.address)) - before).toString();
      return;
    }
    case "stakeWrBTC": {
      const user = userOf(world, a.user);
      report.gasUsed += await gasOf(
        world.system.wrbtc.connect(user.signer).approve(await pool.getAddress(), a.sats),
      );
      report.gasUsed += await gasOf(pool.connect(user.signer).stakeWrBTC(a.sats));
      return;
    }
    case "unstakeWrBTC":
      report.gasUsed += await gasOf(pool.connect(userOf(world, a.user).signer).unstakeWrBTC(a.sats));
      return;
    case "depositLiquidity":
    case "fundRewards":
      return fundPool(world, a, report);
  }
}

/** LOCAL: the pool's token is the YieldLocal MockStable (open mint); the sender mints what it deposits. */
async function fundPool(
  world: SimWorld,
  a: Extract<DoStep, { do: "depositLiquidity" | "fundRewards" }>,
  report: StepReport,
): Promise<void> {
  const pool = needPool(world);
  const sender = a.do === "depositLiquidity" ? userOf(world, a.user).signer : world.admin;
  const token = MockStable__factory.connect(
    a.do === "depositLiquidity" ? await pool.liquidityToken() : await pool.rewardToken(),
    sender,
  );
  const from = await sender.getAddress();
  report.gasUsed += await gasOf(token.mint(from, a.units));
  report.gasUsed += await gasOf(token.approve(await pool.getAddress(), a.units));
  const connected = pool.connect(sender);
  report.gasUsed += await gasOf(
    a.do === "depositLiquidity" ? connected.depositLiquidity(a.units) : connected.fundRewards(a.units),
  );
}
