/** What expectations read from the chain, and the state snapshot that proves a failed `expectError` step changed nothing. */
import { getAddress } from "ethers";

import { checkReserves } from "../reserves/check.js";
import type { UserField } from "./scenario.js";
import { EMERGENCY_BURN_REASON_NAMES } from "./scenario.js";
import type { SimUser, SimWorld } from "./world.js";
import { needPool } from "./world.js";

/** `IDisputeManager.Status.OPEN`. */
const DISPUTE_OPEN = 1;
/** `IDisputeManager.Status` names by code. */
const DISPUTE_STATUS_NAMES = ["none", "open", "upheld", "rejected", "expired"];

/** A per-user expectation field's actual value. */
export async function readField(world: SimWorld, field: UserField, user: SimUser): Promise<bigint> {
  const { system } = world;
  switch (field) {
    case "rbtcFree":
      return system.rbtc.freeBalanceOf(user.address);
    case "rbtcEscrow":
      return system.rbtc.escrowOf(user.address);
    case "wrbtc":
      return system.wrbtc.balanceOf(user.address);
    case "attested":
      return (await system.oracle.userState(user.address)).attestedSats;
    case "feeVaultWei":
      return system.feeVault.balanceOf(user.address);
    case "deferredMint":
      return (await system.oracle.userState(user.address)).deferredSats;
    case "queuedMint":
      return (await system.oracle.userState(user.address)).queuedSats;
    case "wrbtcUncovered":
      return system.wrbtc.uncoveredOf(user.address);
    case "emergencyBurnedSats":
      return (await emergencyBurns(world))
        .filter((b) => b.user === user.address)
        .reduce((sum, b) => sum + b.amountSats, 0n);
    case "yieldClaimable":
      return needPool(world).claimableOf(user.address);
    case "yieldClaimed":
      return needPool(world).claimedOf(user.address);
    case "yieldRateBps":
      return needPool(world).holderRateBps(user.address);
    case "yieldStaked":
      return (await needPool(world).userStatus(user.address)).stakedSats;
    case "droppedReports":
      return world.droppedCount.get(user.address) ?? 0n;
  }
}

/** EmergencyBurn events since the setup, oldest first. */
export async function emergencyBurns(
  world: SimWorld,
): Promise<{ user: string; amountSats: bigint; reason: string }[]> {
  const { oracle } = world.system;
  const events = await oracle.queryFilter(oracle.filters.EmergencyBurn(), world.baseline.block + 1);
  return events.map((e) => ({
    user: getAddress(e.args.user),
    amountSats: e.args.amountSats,
    reason: EMERGENCY_BURN_REASON_NAMES[Number(e.args.reason)] ?? `reason ${e.args.reason}`,
  }));
}

/** Disputes opened during the scenario, by status name. */
export async function disputeCounts(world: SimWorld): Promise<Record<string, bigint>> {
  const { disputeManager } = world.system;
  const counts: Record<string, bigint> = { open: 0n, upheld: 0n, rejected: 0n, expired: 0n };
  const total = await disputeManager.disputeCount();
  for (let id = world.baseline.disputes + 1n; id <= total; id++) {
    const name = DISPUTE_STATUS_NAMES[Number((await disputeManager.dispute(id)).status)] ?? "none";
    counts[name] = (counts[name] ?? 0n) + 1n;
  }
  return counts;
}

/** The latest dispute still open (the one `resolve` and `expireDispute` act on). */
export async function latestOpenDispute(world: SimWorld): Promise<bigint> {
  const { disputeManager } = world.system;
  const total = await disputeManager.disputeCount();
  for (let id = total; id > 0n; id--) {
    if (Number((await disputeManager.dispute(id)).status) === DISPUTE_OPEN) return id;
  }
  throw new Error("no open dispute");
}

/** A `proofOfReserves.<key>` expectation's actual value. */
async function readProofOfReserves(
  world: SimWorld,
  key: string | undefined,
): Promise<bigint | boolean | undefined> {
  const { system, esplora } = world;
  const por = system.proofOfReserves;
  switch (key) {
    case "attestedSats":
      return por.attestedSats();
    case "rbtcSupply":
      return system.rbtc.totalSupply();
    case "wrbtcSupply":
      return system.wrbtc.totalSupply();
    case "uncoveredSats":
      return por.uncoveredSats();
    case "backingRatio":
      return por.backingRatio();
    case "round":
      return por.latestRoundId();
    case "isFullyBacked":
      return por.isFullyBacked();
    case "rootMatches":
      // the same audit as `reserves:check`: the committed root against one rebuilt from the devnet's balances
      return (await checkReserves(system, esplora)).proofOfReserves.rootMatches;
    default:
      return undefined;
  }
}

/** A `yield.<key>` expectation's actual value. */
async function readYield(world: SimWorld, key: string | undefined): Promise<bigint | boolean | undefined> {
  const status = await needPool(world).poolStatus();
  if (key === "ratePositive") return status.rateBps > 0n;
  // the other yield keys are PoolStatus members of the same name (validated by the parser)
  const value: unknown = (status as unknown as Record<string, unknown>)[key ?? ""];
  return typeof value === "bigint" ? value : undefined;
}

/** A system-wide expectation field's actual value ("emergencyBurns", "disputes.upheld", "proofOfReserves.round", …). */
export async function readGlobal(world: SimWorld, field: string): Promise<bigint | boolean> {
  const [group, key] = field.split(".") as [string, string | undefined];
  let value: bigint | boolean | undefined;
  if (group === "emergencyBurns")
    value = (await world.system.oracle.emergencyBurnCount()) - world.baseline.emergencyBurns;
  else if (group === "disputes") value = (await disputeCounts(world))[key ?? ""] ?? 0n;
  else if (group === "proofOfReserves") value = await readProofOfReserves(world, key);
  else if (group === "yield") value = await readYield(world, key);
  if (value === undefined) throw new Error(`unknown expectation field ${field}`);
  return value;
}

/** Every user's balances, fee and oracle state, one string per user. */
async function userSnapshots(world: SimWorld): Promise<string[]> {
  const { system } = world;
  return Promise.all(
    [...world.users.values()].map(async (u) => {
      const [free, escrow, wrbtc, state, fee] = await Promise.all([
        system.rbtc.freeBalanceOf(u.address),
        system.rbtc.escrowOf(u.address),
        system.wrbtc.balanceOf(u.address),
        system.oracle.userState(u.address),
        system.feeVault.balanceOf(u.address),
      ]);
      return [u.id, free, escrow, wrbtc, state.attestedSats, state.deferredSats, state.sequence, fee].join(
        ":",
      );
    }),
  );
}

/**
 * Everything a step could change, as one string: users, supplies, pause, bindings, disputes, burns, the yield pool,
 * the Bitcoin chain and mempool, which operator nodes are up and how their Bitcoin clients misbehave.
 */
export async function snapshot(world: SimWorld): Promise<string> {
  const { system, devnet } = world;
  const perUser = await userSnapshots(world);
  const [supply, wrbtcSupply, paused, bindings, disputes, burns, poolStatus] = await Promise.all([
    system.rbtc.totalSupply(),
    system.wrbtc.totalSupply(),
    system.oracle.paused(),
    system.oracle.bindingsLength(),
    disputeCounts(world),
    system.oracle.emergencyBurnCount(),
    world.pool?.poolStatus(),
  ]);
  const yieldState =
    poolStatus === undefined
      ? ""
      : [
          poolStatus.holders,
          poolStatus.totalStakedSats,
          poolStatus.totalLiquidity,
          poolStatus.rewardReserve,
        ].join(",");
  return [
    ...perUser,
    supply,
    wrbtcSupply,
    paused,
    bindings,
    Object.values(disputes).join(","),
    burns,
    yieldState,
    devnet.chain.tipHash,
    devnet.chain.mempool.length,
    world.nodes.map((n) => n.up).join(","),
    world.backends
      .map((b) => JSON.stringify(b.fault, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)))
      .join(","),
  ].join("|");
}
