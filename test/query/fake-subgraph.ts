import { Interface } from "ethers";
import type { Log, Provider } from "ethers";
import Fastify from "fastify";

import type { Deployment } from "../../src/deployments.js";
import {
  DisputeManager__factory,
  FeeVault__factory,
  Oracle__factory,
  ProofOfReserves__factory,
  RBTCSynth__factory,
  WrBTC__factory,
  YieldScalesPool__factory,
} from "../../types/ethers-contracts/index.js";

/**
 * A stand-in for graph-node on 127.0.0.1: indexes the system's logs into entities shaped like
 * subgraph/schema.graphql (same handler semantics as subgraph/src, reduced to what the realtime queries read) and
 * answers the `subgraph` source's named operations. It never reads contract state, so agreement with the `rpc`
 * source (views) is a real cross-check.
 */
type Ent = Record<string, unknown>;

interface Store {
  users: Map<string, Ent>;
  addresses: Map<string, Ent>;
  events: Record<string, Ent[]>;
  state: Ent;
  committee: Ent | null;
  disputes: Map<string, Ent>;
  burns: Ent[];
  rounds: Ent[];
  yieldPool: Ent | null;
  participants: Map<string, Ent>;
  head: { number: number; timestamp: number };
}

const lower = (a: string) => a.toLowerCase();

export async function indexHistory(provider: Provider, deployment: Deployment): Promise<Store> {
  const ifaces = new Map<string, { name: string; iface: Interface }>([
    [lower(deployment.oracle), { name: "Oracle", iface: new Interface(Oracle__factory.abi) }],
    [lower(deployment.rbtc), { name: "RBTCSynth", iface: new Interface(RBTCSynth__factory.abi) }],
    [lower(deployment.wrbtc), { name: "WrBTC", iface: new Interface(WrBTC__factory.abi) }],
    [lower(deployment.feeVault), { name: "FeeVault", iface: new Interface(FeeVault__factory.abi) }],
    [
      lower(deployment.disputeManager),
      { name: "DisputeManager", iface: new Interface(DisputeManager__factory.abi) },
    ],
    [
      lower(deployment.proofOfReserves),
      { name: "ProofOfReserves", iface: new Interface(ProofOfReserves__factory.abi) },
    ],
  ]);
  if (deployment.yieldPool !== undefined) {
    ifaces.set(lower(deployment.yieldPool), {
      name: "YieldScalesPool",
      iface: new Interface(YieldScalesPool__factory.abi),
    });
  }
  const headNumber = await provider.getBlockNumber();
  const logs: Log[] = await provider.getLogs({
    address: [...ifaces.keys()],
    fromBlock: 0,
    toBlock: headNumber,
  });
  const times = new Map<number, number>();
  for (const b of new Set([...logs.map((l) => l.blockNumber), headNumber])) {
    times.set(b, (await provider.getBlock(b))?.timestamp ?? 0);
  }
  const store: Store = {
    users: new Map(),
    addresses: new Map(),
    events: {
      mints: [],
      burns: [],
      wraps: [],
      redeems: [],
      slashes: [],
      feeDeposits: [],
      feeWithdrawals: [],
      feeSpends: [],
    },
    state: {
      rbtcFreeSupplySats: 0n,
      rbtcEscrowSupplySats: 0n,
      wrbtcSupplySats: 0n,
      uncoveredSats: 0n,
      totalAttestedSats: 0n,
      totalQueuedSats: 0n,
      highestBtcHeight: 0n,
      lastSyncBlock: null,
      lastSyncTimestamp: null,
      minConfirmations: 0,
      oraclePaused: false,
      wrbtcPaused: false,
    },
    committee: null,
    disputes: new Map(),
    burns: [],
    rounds: [],
    yieldPool: null,
    participants: new Map(),
    head: { number: headNumber, timestamp: times.get(headNumber) ?? 0 },
  };
  const user = (address: string): Ent => {
    const key = lower(address);
    let u = store.users.get(key);
    if (u === undefined) {
      u = {
        id: key,
        freeSats: 0n,
        escrowSats: 0n,
        wrbtcSats: 0n,
        attestedSats: 0n,
        feeBalanceWei: 0n,
        deferredSats: 0n,
        queuedSats: 0n,
        sequence: 0n,
        btcHeight: 0n,
        lastSyncBlock: null,
        lastSyncTimestamp: null,
      };
      store.users.set(key, u);
    }
    return u;
  };
  const add = (e: Ent, k: string, v: bigint) => (e[k] = (e[k] as bigint) + v);
  const s = store.state;
  const decoded = logs.map((log) => {
    const c = ifaces.get(lower(log.address));
    const parsed = c?.iface.parseLog({ topics: [...log.topics], data: log.data }) ?? null;
    return { log, contract: c?.name ?? "", parsed };
  });
  for (const { log, contract, parsed } of decoded) {
    if (parsed === null) continue;
    const a = parsed.args;
    const meta = {
      blockNumber: BigInt(log.blockNumber),
      blockTimestamp: BigInt(times.get(log.blockNumber) ?? 0),
      transactionHash: log.transactionHash,
      logIndex: BigInt(log.index),
    };
    const ev = (list: string, fields: Ent) => store.events[list]?.push({ ...fields, ...meta });
    switch (`${contract}.${parsed.name}`) {
      case "Oracle.CommitteeUpdated":
        store.committee = {
          epoch: a.epoch as bigint,
          operators: (a.operators as string[]).map(lower),
          threshold: Number(a.threshold),
          size: (a.operators as string[]).length,
        };
        break;
      case "Oracle.MinConfirmationsUpdated":
        s.minConfirmations = Number(a.minConfirmations);
        break;
      case "Oracle.Paused":
        s.oraclePaused = true;
        break;
      case "Oracle.Unpaused":
        s.oraclePaused = false;
        break;
      case "WrBTC.Paused":
        s.wrbtcPaused = true;
        break;
      case "WrBTC.Unpaused":
        s.wrbtcPaused = false;
        break;
      case "Oracle.Synced": {
        const u = user(a.user as string);
        const deferral = decoded.find(
          (d) =>
            d.parsed?.name === "NeedsTopUp" &&
            d.log.transactionHash === log.transactionHash &&
            lower(d.parsed.args.user as string) === u.id,
        );
        const next = deferral === undefined ? 0n : (deferral.parsed?.args.deferredSats as bigint);
        u.deferredSats = next;
        add(s, "totalAttestedSats", (a.newTotalSats as bigint) - (u.attestedSats as bigint));
        u.attestedSats = a.newTotalSats;
        u.sequence = a.sequence;
        u.btcHeight = a.btcHeight;
        u.lastSyncBlock = meta.blockNumber;
        u.lastSyncTimestamp = meta.blockTimestamp;
        if ((a.btcHeight as bigint) > (s.highestBtcHeight as bigint)) s.highestBtcHeight = a.btcHeight;
        s.lastSyncBlock = meta.blockNumber;
        s.lastSyncTimestamp = meta.blockTimestamp;
        break;
      }
      case "Oracle.SequenceConsumed":
        user(a.user as string).sequence = a.sequence;
        break;
      case "Oracle.MintQueued":
        add(user(a.user as string), "queuedSats", a.amountSats as bigint);
        add(s, "totalQueuedSats", a.amountSats as bigint);
        break;
      case "Oracle.AddressBound":
        store.addresses.set(lower(a.addressHash as string), {
          id: lower(a.addressHash as string),
          address: a.btcAddress,
          status: "BOUND",
          user: lower(a.user as string),
        });
        user(a.user as string);
        break;
      case "Oracle.AddressUnbound": {
        const b = store.addresses.get(lower(a.addressHash as string));
        if (b !== undefined) b.status = "UNBOUND";
        break;
      }
      case "RBTCSynth.Minted":
        add(user(a.user as string), "freeSats", a.amountSats as bigint);
        add(s, "rbtcFreeSupplySats", a.amountSats as bigint);
        ev("mints", { user: lower(a.user as string), amountSats: a.amountSats });
        break;
      case "RBTCSynth.Burned": {
        const u = user(a.user as string);
        add(u, "freeSats", -(a.freeSats as bigint));
        add(u, "escrowSats", -(a.escrowSats as bigint));
        add(s, "rbtcFreeSupplySats", -(a.freeSats as bigint));
        add(s, "rbtcEscrowSupplySats", -(a.escrowSats as bigint));
        ev("burns", {
          user: u.id,
          freeSats: a.freeSats,
          escrowSats: a.escrowSats,
          totalSats: (a.freeSats as bigint) + (a.escrowSats as bigint),
        });
        break;
      }
      case "RBTCSynth.Escrowed": {
        const u = user(a.user as string);
        add(u, "freeSats", -(a.amountSats as bigint));
        add(u, "escrowSats", a.amountSats as bigint);
        add(s, "rbtcFreeSupplySats", -(a.amountSats as bigint));
        add(s, "rbtcEscrowSupplySats", a.amountSats as bigint);
        break;
      }
      case "RBTCSynth.Released": {
        const u = user(a.user as string);
        add(u, "freeSats", a.amountSats as bigint);
        add(u, "escrowSats", -(a.amountSats as bigint));
        add(s, "rbtcFreeSupplySats", a.amountSats as bigint);
        add(s, "rbtcEscrowSupplySats", -(a.amountSats as bigint));
        break;
      }
      case "WrBTC.Transfer": {
        const [from, to, value] = [a.from as string, a.to as string, a.value as bigint];
        if (/^0x0+$/.test(from)) add(s, "wrbtcSupplySats", value);
        else add(user(from), "wrbtcSats", -value);
        if (/^0x0+$/.test(to)) add(s, "wrbtcSupplySats", -value);
        else add(user(to), "wrbtcSats", value);
        break;
      }
      case "WrBTC.Wrapped":
        ev("wraps", { user: lower(a.user as string), amountSats: a.amountSats });
        break;
      case "WrBTC.Redeemed":
        ev("redeems", { user: lower(a.user as string), amountSats: a.amountSats });
        break;
      case "WrBTC.Slashed":
        add(s, "uncoveredSats", a.uncoveredSats as bigint);
        ev("slashes", {
          user: lower(a.user as string),
          requestedSats: a.requestedSats,
          slashedSats: a.slashedSats,
          uncoveredSats: a.uncoveredSats,
        });
        break;
      case "FeeVault.FeeDeposited":
        add(user(a.user as string), "feeBalanceWei", a.amountWei as bigint);
        ev("feeDeposits", {
          user: lower(a.user as string),
          from: lower(a.from as string),
          amountWei: a.amountWei,
        });
        break;
      case "FeeVault.FeeWithdrawn":
        add(user(a.user as string), "feeBalanceWei", -(a.amountWei as bigint));
        ev("feeWithdrawals", { user: lower(a.user as string), amountWei: a.amountWei });
        break;
      case "FeeVault.FeeSpent":
        add(user(a.user as string), "feeBalanceWei", -(a.amountWei as bigint));
        ev("feeSpends", { user: lower(a.user as string), amountWei: a.amountWei });
        break;
      default:
        indexReservesAndYield(store, `${contract}.${parsed.name}`, a, meta, lower(log.address));
        break;
    }
  }
  s.rbtcSupplySats = (s.rbtcFreeSupplySats as bigint) + (s.rbtcEscrowSupplySats as bigint);
  return store;
}

type Meta = { blockNumber: bigint; blockTimestamp: bigint; transactionHash: string; logIndex: bigint };

/** DisputeManager, ProofOfReserves and YieldScalesPool events, with the semantics of subgraph/src. */
function indexReservesAndYield(
  store: Store,
  event: string,
  a: Record<string, unknown> & { [index: number]: unknown },
  meta: Meta,
  address: string,
): void {
  const key = (id: unknown) =>
    `0x${BigInt(id as bigint)
      .toString(16)
      .padStart(64, "0")}`;
  const close = (status: string, actor: unknown) => {
    const d = store.disputes.get(key(a.disputeId));
    if (d === undefined) return undefined;
    d.status = status;
    (d.transitions as Ent[]).push({ status, actor: lower(actor as string), ...meta });
    return d;
  };
  const pool = () => {
    store.yieldPool ??= {
      id: address,
      baseRateBps: 0n,
      supplySats: 0n,
      peakSupplySats: 0n,
      holders: 0,
      liquidityProviders: 0,
      totalStakedSats: 0n,
      totalLiquidity: 0n,
      rewardReserve: 0n,
      paused: false,
    };
    return store.yieldPool;
  };
  const participant = (user: unknown) => {
    const id = lower(user as string);
    let p = store.participants.get(id);
    if (p === undefined) {
      p = {
        state: "NONE",
        tier: "NONE",
        backedSats: 0n,
        stakedSats: 0n,
        sinceTimestamp: 0n,
        liquidity: 0n,
        claimed: 0n,
      };
      store.participants.set(id, p);
    }
    return p;
  };
  const add = (e: Ent, k: string, v: bigint) => (e[k] = (e[k] as bigint) + v);
  switch (event) {
    case "Oracle.EmergencyBurn":
      store.burns.push({
        id: `${meta.transactionHash}${meta.logIndex.toString(16).padStart(8, "0")}`,
        user: { id: lower(a.user as string) },
        amountSats: a.amountSats,
        reason: ["FEE_EXHAUSTED", "BINDING_REVOKED", "DISPUTE_UPHELD", "BACKING_LOST"][Number(a.reason)],
        ...meta,
      });
      break;
    case "DisputeManager.DisputeOpened":
      store.disputes.set(key(a.disputeId), {
        id: key(a.disputeId),
        disputeId: a.disputeId,
        user: { id: lower(a.user as string) },
        challenger: lower(a.challenger as string),
        claimedSats: a.claimedSats,
        attestedSats: a.attestedSats,
        resolvedSats: null,
        bondWei: a.bondWei,
        rewardWei: null,
        evidenceURI: a.evidenceURI,
        status: "OPEN",
        deadline: a.deadline,
        transitions: [{ status: "OPEN", actor: lower(a.challenger as string), ...meta }],
      });
      break;
    case "DisputeManager.DisputeUpheld": {
      const d = close("UPHELD", a.resolver);
      if (d !== undefined) Object.assign(d, { resolvedSats: a.resolvedSats, rewardWei: a.rewardWei });
      break;
    }
    case "DisputeManager.DisputeRejected":
      close("REJECTED", a.resolver);
      break;
    case "DisputeManager.DisputeExpired":
      close("EXPIRED", a.caller);
      break;
    case "ProofOfReserves.ReservesCommitted":
      store.rounds.push({
        roundId: a.roundId,
        merkleRoot: a.merkleRoot,
        attestedSats: a.attestedSats,
        btcHeight: a.btcHeight,
        ...meta,
      });
      break;
    case "YieldScalesPool.BaseRateSet":
      pool().baseRateBps = a.newBaseRateBps;
      break;
    case "YieldScalesPool.ScaleUpdated":
      Object.assign(pool(), { supplySats: a.supplySats, peakSupplySats: a.peakSupplySats });
      break;
    case "YieldScalesPool.Joined":
      Object.assign(participant(a.user), {
        state: "ACTIVE",
        tier: "BRONZE",
        backedSats: a.backedSats,
        sinceTimestamp: meta.blockTimestamp,
      });
      pool().holders = (pool().holders as number) + 1;
      break;
    case "YieldScalesPool.Left": {
      const p = participant(a.user);
      if (p.state === "ACTIVE") pool().holders = (pool().holders as number) - 1;
      add(pool(), "totalStakedSats", -(p.stakedSats as bigint));
      if ((p.liquidity as bigint) > 0n) pool().liquidityProviders = (pool().liquidityProviders as number) - 1;
      add(pool(), "totalLiquidity", -(p.liquidity as bigint));
      Object.assign(p, {
        state: "NONE",
        tier: "NONE",
        backedSats: 0n,
        stakedSats: 0n,
        sinceTimestamp: 0n,
        liquidity: 0n,
      });
      break;
    }
    case "YieldScalesPool.HolderRemoved": {
      const p = participant(a.user);
      if (p.state === "ACTIVE") pool().holders = (pool().holders as number) - 1;
      Object.assign(p, { state: "REMOVED", tier: "NONE" });
      break;
    }
    case "YieldScalesPool.TierUpgraded":
      participant(a.user).tier = ["NONE", "BRONZE", "SILVER", "GOLD"][Number(a.tier)] ?? "NONE";
      break;
    case "YieldScalesPool.Staked":
    case "YieldScalesPool.Unstaked": {
      const sign = event.endsWith(".Staked") ? 1n : -1n;
      add(participant(a.user), "stakedSats", sign * (a.amountSats as bigint));
      add(pool(), "totalStakedSats", sign * (a.amountSats as bigint));
      break;
    }
    case "YieldScalesPool.LiquidityDeposited":
    case "YieldScalesPool.LiquidityWithdrawn": {
      const p = participant(a.user);
      const before = p.liquidity as bigint;
      const after = before + (event.endsWith("Deposited") ? 1n : -1n) * (a.amount as bigint);
      const providers = pool().liquidityProviders as number;
      pool().liquidityProviders =
        providers + (before === 0n && after > 0n ? 1 : before > 0n && after === 0n ? -1 : 0);
      add(pool(), "totalLiquidity", after - before);
      p.liquidity = after;
      break;
    }
    case "YieldScalesPool.Paused":
    case "YieldScalesPool.Unpaused":
      pool().paused = event.endsWith(".Paused");
      break;
    case "YieldScalesPool.HolderPositionUpdated":
      participant(a.user).backedSats = a.backedSats;
      break;
    case "YieldScalesPool.RewardsFunded":
      add(pool(), "rewardReserve", a.amount as bigint);
      break;
    case "YieldScalesPool.Claimed":
      add(pool(), "rewardReserve", -(a.amount as bigint));
      add(participant(a.user), "claimed", a.amount as bigint);
      break;
    default:
      break;
  }
}

/** graph-node JSON: BigInt → string, Bytes lowercase hex. */
function json(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
}

const desc = (a: Ent, b: Ent) => Number((b.blockNumber as bigint) - (a.blockNumber as bigint));

export function answer(store: Store, operation: string, variables: Record<string, unknown>): unknown {
  const meta = { _meta: { block: store.head } };
  switch (operation) {
    case "Head":
      return meta;
    case "Balances":
      return { user: store.users.get(String(variables.user)) ?? null };
    case "SyncStatus":
      return { reserveStates: [{ ...store.state, committee: store.committee }], ...meta };
    case "ProofOfReserves":
      return {
        reserveStates: [store.state],
        reserveRounds: [...store.rounds]
          .sort((x, y) => Number((y.roundId as bigint) - (x.roundId as bigint)))
          .slice(0, 1),
      };
    case "EmergencyBurns":
      return {
        emergencyBurns: store.burns
          .filter((b) => String(b.id) > String(variables.after))
          .sort((x, y) => String(x.id).localeCompare(String(y.id)))
          .slice(0, Number(variables.first)),
      };
    case "Disputes":
      return {
        disputes: [...store.disputes.values()]
          .filter((d) => String(d.id) > String(variables.after))
          .sort((x, y) => String(x.id).localeCompare(String(y.id)))
          .slice(0, Number(variables.first)),
      };
    case "YieldStatus":
    case "YieldUserStatus":
      return {
        yieldPools: store.yieldPool === null ? [] : [store.yieldPool],
        ...(operation === "YieldUserStatus"
          ? { yieldParticipant: store.participants.get(String(variables.user)) ?? null }
          : {}),
      };
    case "Transactions": {
      const out: Record<string, Ent[]> = {};
      for (const [k, list] of Object.entries(store.events)) {
        out[k] = list
          .filter((e) => e.user === variables.user)
          .sort(desc)
          .slice(0, Number(variables.limit));
      }
      return out;
    }
    case "BitcoinAddresses":
    case "UserBitcoinAddresses": {
      const rows = [...store.addresses.values()]
        .filter((b) => b.status === "BOUND" && (variables.user === undefined || b.user === variables.user))
        .filter((b) => String(b.id) > String(variables.after))
        .sort((x, y) => String(x.id).localeCompare(String(y.id)))
        .slice(0, Number(variables.first))
        .map((b) => {
          const u = store.users.get(String(b.user));
          return { id: b.id, address: b.address, user: { id: b.user, attestedSats: u?.attestedSats ?? 0n } };
        });
      return { bitcoinAddresses: rows };
    }
    default:
      throw new Error(`unknown operation ${operation}`);
  }
}

/** Serves the indexed store as a GraphQL endpoint; `reindex` refreshes it from the chain. */
export async function startFakeSubgraph(provider: Provider, deployment: Deployment) {
  let store = await indexHistory(provider, deployment);
  const operations: string[] = [];
  const app = Fastify({ logger: false });
  app.post("/subgraphs/reservebtc/gn", async (request) => {
    const body = request.body as { operationName: string; query: string; variables: Record<string, unknown> };
    operations.push(body.operationName);
    try {
      return { data: json(answer(store, body.operationName, body.variables)) };
    } catch (error) {
      return { errors: [{ message: error instanceof Error ? error.message : String(error) }] };
    }
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/subgraphs/reservebtc/gn`,
    operations,
    reindex: async () => {
      store = await indexHistory(provider, deployment);
    },
    close: () => app.close(),
  };
}
