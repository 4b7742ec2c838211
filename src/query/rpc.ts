import { AbiCoder, getAddress, id, zeroPadValue } from "ethers";
import type { Interface, Log, Provider } from "ethers";

import {
  DisputeManager__factory,
  FeeVault__factory,
  Oracle__factory,
  RBTCSynth__factory,
  WrBTC__factory,
} from "../../types/ethers-contracts/index.js";
import type { Deployment, SystemContracts } from "../deployments.js";
import { attachSystem, earliestStartBlock } from "../deployments.js";
import { BackendError, ChainError } from "../errors.js";
import type { LogIndex } from "./logindex.js";
import {
  POR_NO_ROUND,
  YIELD_NO_POOL,
  backingRatio,
  emergencyReasonName,
  newestFirst,
  runwayText,
  selectDisputes,
} from "./query.js";
import type {
  BalancesResult,
  BitcoinAddressItem,
  BitcoinAddressesResult,
  DisputeEventRef,
  DisputeFilter,
  DisputeItem,
  DisputesResult,
  EmergencyBurnItem,
  EmergencyBurnsResult,
  ProofOfReservesResult,
  QuerySource,
  SyncStatusResult,
  TransactionItem,
  TransactionsResult,
  YieldStatusResult,
  YieldUserStatus,
} from "./types.js";
import { HOLDER_STATES, YIELD_TIERS } from "./types.js";

/** Widest block range of one eth_getLogs call (public RPC endpoints cap ranges; 10k is accepted nearly everywhere). */
export const LOG_RANGE_BLOCKS = 10_000;
/** Entries per paged view call (usersSlice, bindingsSlice, userStates). */
export const VIEW_PAGE_SIZE = 500;
/** First backward log scan, in blocks; each further scan is SCAN_GROWTH× wider, up to logRangeBlocks. */
const FIRST_SCAN_BLOCKS = 4;
const SCAN_GROWTH = 8;
/** Block timestamps kept in memory (blocks never change below the head on a settled chain). */
const BLOCK_CACHE_SIZE = 50_000;

const rbtcIface = RBTCSynth__factory.createInterface();
const wrbtcIface = WrBTC__factory.createInterface();
const feeVaultIface = FeeVault__factory.createInterface();
const oracleIface = Oracle__factory.createInterface();
const disputeIface = DisputeManager__factory.createInterface();

const topic = (iface: Interface, name: string): string => {
  const event = iface.getEvent(name);
  if (event === null) throw new Error(`event ${name} missing from the ABI`);
  return event.topicHash;
};

/** User-indexed events that make up `transactions`, by topic. */
const TX_TOPICS = {
  minted: topic(rbtcIface, "Minted"),
  burned: topic(rbtcIface, "Burned"),
  wrapped: topic(wrbtcIface, "Wrapped"),
  redeemed: topic(wrbtcIface, "Redeemed"),
  slashed: topic(wrbtcIface, "Slashed"),
  feeDeposited: topic(feeVaultIface, "FeeDeposited"),
  feeWithdrawn: topic(feeVaultIface, "FeeWithdrawn"),
  feeSpent: topic(feeVaultIface, "FeeSpent"),
};
const SYNCED_TOPIC = topic(oracleIface, "Synced");
/** IOracle `EmergencyBurn(address indexed user, uint64 amountSats, uint8 reason)` (feat/reserves). */
export const EMERGENCY_BURN_TOPIC = id("EmergencyBurn(address,uint64,uint8)");
/** DisputeManager lifecycle events (a dispute is rebuilt from them, as the subgraph does). */
const DISPUTE_TOPICS = {
  opened: topic(disputeIface, "DisputeOpened"),
  upheld: topic(disputeIface, "DisputeUpheld"),
  rejected: topic(disputeIface, "DisputeRejected"),
  expired: topic(disputeIface, "DisputeExpired"),
};
const EMERGENCY_BURN_COUNT_SELECTOR = id("emergencyBurnCount()").slice(0, 10);

export interface RpcSourceOptions {
  /** Logs in memory (the server's chain event stream keeps them); log queries it covers skip the node. */
  logs?: LogIndex;
  /** Current head; the server passes its block tracker so every request does not ask the node again. */
  head?: () => Promise<number>;
  /** First block to scan for logs (default: the deployment's earliest start block, else 0). */
  fromBlock?: number;
  logRangeBlocks?: number;
}

/**
 * The `rpc` source: contract views and bounded-range logs straight from a node.
 *
 * Batching: per-user state comes from the Oracle's own batched views (`userStates`, `usersSlice`, `bindingsSlice`,
 * 500 entries a call) and every query issues its independent calls together (`Promise.all`), pinned to one block;
 * over HTTP an ethers `JsonRpcProvider` coalesces calls issued in the same tick into one JSON-RPC batch request. So
 * no Multicall3 deployment is needed, and the in-process network (which has none) behaves like a real chain.
 */
export class RpcSource implements QuerySource {
  readonly kind = "rpc" as const;
  private readonly system: SystemContracts;
  private readonly blockTimes = new Map<number, number>();
  private readonly fromBlock: number;
  private readonly range: number;
  private readonly headFn: () => Promise<number>;
  private readonly logIndex: LogIndex | undefined;

  constructor(
    private readonly provider: Provider,
    private readonly deployment: Deployment,
    options: RpcSourceOptions = {},
  ) {
    this.system = attachSystem(deployment, provider);
    this.fromBlock = options.fromBlock ?? earliestStartBlock(deployment) ?? 0;
    this.range = options.logRangeBlocks ?? LOG_RANGE_BLOCKS;
    this.headFn = options.head ?? (() => this.provider.getBlockNumber());
    this.logIndex = options.logs;
  }

  head(): Promise<number> {
    return this.headFn();
  }

  async balances(user: string): Promise<BalancesResult> {
    const head = await this.head();
    const at = { blockTag: head };
    const { oracle, rbtc, wrbtc, feeVault } = this.system;
    const [state, free, escrow, wrapped, feeWei] = await this.read(() =>
      Promise.all([
        oracle.userState(user, at),
        rbtc.freeBalanceOf(user, at),
        rbtc.escrowOf(user, at),
        wrbtc.balanceOf(user, at),
        feeVault.balanceOf(user, at),
      ]),
    );
    let lastSync: BalancesResult["lastSync"] = null;
    if (state.lastSyncAt > 0n) {
      const log = await this.latestLog([this.deployment.oracle], [SYNCED_TOPIC, userTopic(user)], head);
      lastSync = {
        block: log?.blockNumber ?? 0,
        btcHeight: Number(state.btcHeight),
        timestamp: Number(state.lastSyncAt),
      };
    }
    return {
      user,
      rbtcFree: free.toString(),
      rbtcEscrow: escrow.toString(),
      wrbtc: wrapped.toString(),
      attestedSats: state.attestedSats.toString(),
      deferredSats: state.deferredSats.toString(),
      queuedSats: state.queuedSats.toString(),
      feeVaultWei: feeWei.toString(),
      sequence: state.sequence.toString(),
      lastSync,
    };
  }

  async syncStatus(): Promise<SyncStatusResult> {
    const head = await this.head();
    const at = { blockTag: head };
    const { oracle, wrbtc } = this.system;
    const [committee, minConfirmations, oraclePaused, wrbtcPaused, highest, headTime, last] = await this.read(
      () =>
        Promise.all([
          oracle.committee(at),
          oracle.minConfirmations(at),
          oracle.paused(at),
          wrbtc.paused(at),
          oracle.highestBtcHeight(at),
          this.blockTime(head),
          this.latestLog([this.deployment.oracle], [SYNCED_TOPIC], head),
        ]),
    );
    const [operators, threshold, epoch] = committee;
    const lastRound =
      last === undefined
        ? null
        : { block: last.blockNumber, timestamp: await this.blockTime(last.blockNumber) };
    return {
      committee: {
        operators: operators.map((o) => getAddress(o)),
        threshold: Number(threshold),
        size: operators.length,
        epoch: Number(epoch),
      },
      minConfirmations: Number(minConfirmations),
      paused: { oracle: oraclePaused, wrbtc: wrbtcPaused },
      highestBtcHeight: Number(highest),
      lastRound,
      head: { block: head, timestamp: headTime },
      lag:
        lastRound === null
          ? null
          : { blocks: head - lastRound.block, seconds: headTime - lastRound.timestamp },
    };
  }

  async transactions(user: string, limit: number): Promise<TransactionsResult> {
    const head = await this.head();
    const addresses = [this.deployment.rbtc, this.deployment.wrbtc, this.deployment.feeVault];
    const topics = [Object.values(TX_TOPICS), userTopic(user)];
    const logs: Log[] = [];
    let window = Math.min(FIRST_SCAN_BLOCKS, this.range);
    for (let to = head; to >= this.fromBlock && logs.length < limit;) {
      const from = Math.max(this.fromBlock, to - window + 1);
      logs.push(...(await this.getLogs(addresses, topics, from, to)));
      to = from - 1;
      window = Math.min(window * SCAN_GROWTH, this.range);
    }
    logs.sort((a, b) => b.blockNumber - a.blockNumber || b.index - a.index);
    const newest = logs.slice(0, limit);
    const items = await Promise.all(newest.map((log) => this.transactionItem(log)));
    return { user, limit, items: items.sort(newestFirst) };
  }

  async bitcoinAddresses(user?: string): Promise<BitcoinAddressesResult> {
    const head = await this.head();
    const at = { blockTag: head };
    const { oracle } = this.system;
    const pairs: Array<{ user: string; btcAddress: string }> = [];
    if (user !== undefined) {
      // One user: the addresses and the attested total are read together (one round trip).
      const [list, attested] = await Promise.all([
        this.read(() => oracle.addressesOf(user, at)),
        this.attestedOf([user], head),
      ]);
      const addresses = list
        .map((btcAddress) => ({ btcAddress, user, userAttestedSats: (attested.get(user) ?? 0n).toString() }))
        .sort(byUserThenAddress);
      return { user, count: addresses.length, addresses };
    } else {
      const length = Number(await this.read(() => oracle.bindingsLength(at)));
      const pages: Array<Promise<Array<{ user: string; btcAddress: string }>>> = [];
      for (let start = 0; start < length; start += VIEW_PAGE_SIZE) {
        pages.push(
          this.read(() => oracle.bindingsSlice(start, start + VIEW_PAGE_SIZE, at)).then((page) =>
            page.map((b) => ({ user: getAddress(b.user), btcAddress: b.btcAddress })),
          ),
        );
      }
      for (const page of await Promise.all(pages)) pairs.push(...page);
    }
    const users = [...new Set(pairs.map((p) => p.user))];
    const attested = await this.attestedOf(users, head);
    const addresses: BitcoinAddressItem[] = pairs
      .map((p) => ({
        btcAddress: p.btcAddress,
        user: p.user,
        userAttestedSats: (attested.get(p.user) ?? 0n).toString(),
      }))
      .sort(byUserThenAddress);
    return { user: user ?? null, count: addresses.length, addresses };
  }

  async emergencyBurns(): Promise<EmergencyBurnsResult> {
    const head = await this.head();
    try {
      const result = await this.provider.call({
        to: this.deployment.oracle,
        data: EMERGENCY_BURN_COUNT_SELECTOR,
        blockTag: head,
      });
      if (result === "0x") throw new Error("empty return");
    } catch {
      return {
        available: false,
        reason: `the Oracle at ${this.deployment.oracle} has no emergency burns (emergencyBurnCount() is absent)`,
      };
    }
    const logs = await this.allLogs([this.deployment.oracle], [EMERGENCY_BURN_TOPIC], head);
    const coder = AbiCoder.defaultAbiCoder();
    const burns: EmergencyBurnItem[] = await Promise.all(
      logs.map(async (log) => {
        const [amount, reason] = coder.decode(["uint64", "uint8"], log.data);
        return {
          user: getAddress(`0x${(log.topics[1] ?? "").slice(26)}`),
          amountSats: String(amount),
          reason: emergencyReasonName(Number(reason)),
          block: log.blockNumber,
          timestamp: await this.blockTime(log.blockNumber),
          txHash: log.transactionHash,
          logIndex: log.index,
        };
      }),
    );
    burns.sort(newestFirst);
    return { available: true, count: burns.length, burns };
  }

  async yieldStatus(user?: string): Promise<YieldStatusResult> {
    const pool = this.system.yieldPool;
    if (pool === undefined || this.deployment.yieldPool === undefined) {
      return { available: false, reason: YIELD_NO_POOL };
    }
    const at = { blockTag: await this.head() };
    const [p, u] = await this.read(() =>
      Promise.all([pool.poolStatus(at), user === undefined ? undefined : pool.userStatus(user, at)]),
    );
    let userStatus: YieldUserStatus | null = null;
    if (user !== undefined && u !== undefined) {
      userStatus = {
        user,
        state: HOLDER_STATES[Number(u.state)] ?? "NONE",
        tier: YIELD_TIERS[Number(u.tier)] ?? "NONE",
        earnedTier: YIELD_TIERS[Number(u.earnedTier)] ?? "NONE",
        backedSats: u.backedSats.toString(),
        stakedSats: u.stakedSats.toString(),
        sinceTimestamp: Number(u.sinceTimestamp),
        rateBps: u.rateBps.toString(),
        liquidity: u.liquidity.toString(),
        claimable: u.claimable.toString(),
        claimed: u.claimed.toString(),
      };
    }
    return {
      available: true,
      pool: getAddress(this.deployment.yieldPool),
      user: user ?? null,
      status: {
        rateBps: p.rateBps.toString(),
        baseRateBps: p.baseRateBps.toString(),
        scaleWad: p.scaleWad.toString(),
        supplySats: p.supplySats.toString(),
        peakSupplySats: p.peakSupplySats.toString(),
        holders: Number(p.holders),
        liquidityProviders: Number(p.liquidityProviders),
        totalHolderWeight: p.totalHolderWeight.toString(),
        totalStakedSats: p.totalStakedSats.toString(),
        totalLiquidity: p.totalLiquidity.toString(),
        rewardReserve: p.rewardReserve.toString(),
        committedRewards: p.committedRewards.toString(),
        runwaySeconds: runwayText(p.runwaySeconds),
        paused: p.paused,
      },
      userStatus,
    };
  }

  /** Disputes rebuilt from the DisputeManager's lifecycle logs (opened → upheld/rejected/expired). */
  async disputes(filter: DisputeFilter): Promise<DisputesResult> {
    const head = await this.head();
    const logs = await this.allLogs([this.deployment.disputeManager], [Object.values(DISPUTE_TOPICS)], head);
    logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    const byId = new Map<string, DisputeItem>();
    for (const log of logs) {
      const a = decode(disputeIface, log);
      const ref: DisputeEventRef = {
        block: log.blockNumber,
        timestamp: await this.blockTime(log.blockNumber),
        txHash: log.transactionHash,
      };
      const id = String(a.disputeId);
      if (log.topics[0] === DISPUTE_TOPICS.opened) {
        byId.set(id, {
          id,
          user: getAddress(a.user as string),
          challenger: getAddress(a.challenger as string),
          status: "open",
          claimedSats: String(a.claimedSats),
          attestedSats: String(a.attestedSats),
          resolvedSats: null,
          bondWei: String(a.bondWei),
          rewardWei: null,
          evidenceURI: String(a.evidenceURI),
          deadline: Number(a.deadline),
          closedBy: null,
          opened: ref,
          closed: null,
        });
        continue;
      }
      const d = byId.get(id);
      if (d === undefined) continue; // opened before the scanned range (fromBlock): not reported
      d.closed = ref;
      if (log.topics[0] === DISPUTE_TOPICS.upheld) {
        Object.assign(d, {
          status: "upheld",
          closedBy: getAddress(a.resolver as string),
          resolvedSats: String(a.resolvedSats),
          rewardWei: String(a.rewardWei),
        });
      } else if (log.topics[0] === DISPUTE_TOPICS.rejected) {
        Object.assign(d, { status: "rejected", closedBy: getAddress(a.resolver as string) });
      } else {
        Object.assign(d, { status: "expired", closedBy: getAddress(a.caller as string) });
      }
    }
    return selectDisputes([...byId.values()], filter);
  }

  async proofOfReserves(): Promise<ProofOfReservesResult> {
    return this.proofOfReservesAt(await this.head());
  }

  /** `proof-of-reserves` as of block `head` (archive reads at a past block; the dashboard's history points). */
  async proofOfReservesAt(head: number): Promise<ProofOfReservesResult> {
    const at = { blockTag: head };
    const { oracle, rbtc, wrbtc, proofOfReserves } = this.system;
    const [free, escrow, wrbtcSupply, uncovered, usersLength, roundId] = await this.read(() =>
      Promise.all([
        rbtc.totalFree(at),
        rbtc.totalEscrow(at),
        wrbtc.totalSupply(at),
        wrbtc.uncoveredSats(at),
        oracle.usersLength(at),
        proofOfReserves.latestRoundId(at),
      ]),
    );
    const round = roundId === 0n ? undefined : await this.read(() => proofOfReserves.round(roundId, at));
    const pages: Array<Promise<string[]>> = [];
    for (let start = 0; start < Number(usersLength); start += VIEW_PAGE_SIZE) {
      pages.push(this.read(() => oracle.usersSlice(start, start + VIEW_PAGE_SIZE, at)));
    }
    const users = (await Promise.all(pages)).flat();
    let attested = 0n;
    let queued = 0n;
    const states = await this.statesOf(users, head);
    for (const s of states) {
      attested += s.attestedSats;
      queued += s.queuedSats;
    }
    const claims = free + wrbtcSupply;
    return {
      attestedSats: attested.toString(),
      rbtcSupply: (free + escrow).toString(),
      rbtcFree: free.toString(),
      rbtcEscrow: escrow.toString(),
      wrbtcSupply: wrbtcSupply.toString(),
      uncoveredSats: uncovered.toString(),
      queuedSats: queued.toString(),
      backingRatio: backingRatio(attested, claims),
      isFullyBacked: attested >= claims,
      merkleRoot: round?.merkleRoot ?? null,
      round: round === undefined ? null : Number(roundId),
      roundAttestedSats: round?.attestedSats.toString() ?? null,
      roundBtcHeight: round === undefined ? null : Number(round.btcHeight),
      roundTimestamp: round === undefined ? null : Number(round.committedAt),
      merkleRootUnavailable: round === undefined ? POR_NO_ROUND : null,
    };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // helpers
  // ---------------------------------------------------------------------------------------------------------------

  private async statesOf(
    users: string[],
    head: number,
  ): Promise<Array<{ attestedSats: bigint; queuedSats: bigint }>> {
    const pages: Array<Promise<Array<{ attestedSats: bigint; queuedSats: bigint }>>> = [];
    for (let start = 0; start < users.length; start += VIEW_PAGE_SIZE) {
      const slice = users.slice(start, start + VIEW_PAGE_SIZE);
      pages.push(
        this.read(() => this.system.oracle.userStates(slice, { blockTag: head })).then((views) =>
          views.map((v) => ({ attestedSats: v.attestedSats, queuedSats: v.queuedSats })),
        ),
      );
    }
    return (await Promise.all(pages)).flat();
  }

  private async attestedOf(users: string[], head: number): Promise<Map<string, bigint>> {
    const states = await this.statesOf(users, head);
    return new Map(users.map((u, i) => [u, states[i]?.attestedSats ?? 0n]));
  }

  private async transactionItem(log: Log): Promise<TransactionItem> {
    const base = {
      block: log.blockNumber,
      timestamp: await this.blockTime(log.blockNumber),
      txHash: log.transactionHash,
      logIndex: log.index,
    };
    const t = log.topics[0];
    const sats = (type: TransactionItem["type"], amount: bigint, detail: Record<string, string> = {}) => ({
      type,
      ...base,
      amountSats: amount.toString(),
      amountWei: null,
      detail,
    });
    const wei = (type: TransactionItem["type"], amount: bigint, detail: Record<string, string> = {}) => ({
      type,
      ...base,
      amountSats: null,
      amountWei: amount.toString(),
      detail,
    });
    switch (t) {
      case TX_TOPICS.minted:
        return sats("mint", decode(rbtcIface, log).amountSats as bigint);
      case TX_TOPICS.burned: {
        const a = decode(rbtcIface, log);
        const f = a.freeSats as bigint;
        const e = a.escrowSats as bigint;
        return sats("burn", f + e, { freeSats: f.toString(), escrowSats: e.toString() });
      }
      case TX_TOPICS.wrapped:
        return sats("wrap", decode(wrbtcIface, log).amountSats as bigint);
      case TX_TOPICS.redeemed:
        return sats("redeem", decode(wrbtcIface, log).amountSats as bigint);
      case TX_TOPICS.slashed: {
        const a = decode(wrbtcIface, log);
        return sats("slash", a.slashedSats as bigint, {
          requestedSats: String(a.requestedSats),
          uncoveredSats: String(a.uncoveredSats),
        });
      }
      case TX_TOPICS.feeDeposited: {
        const a = decode(feeVaultIface, log);
        return wei("fee-deposit", a.amountWei as bigint, { from: getAddress(a.from as string) });
      }
      case TX_TOPICS.feeWithdrawn:
        return wei("fee-withdraw", decode(feeVaultIface, log).amountWei as bigint);
      case TX_TOPICS.feeSpent:
        return wei("fee-spend", decode(feeVaultIface, log).amountWei as bigint);
      default:
        throw new BackendError(`unexpected log topic ${t ?? "(none)"}`);
    }
  }

  /**
   * The newest log matching the filter at or below `head`, scanning back in bounded ranges that start small
   * (recent activity is the common case) and grow ×8 up to `logRangeBlocks`.
   */
  private async latestLog(
    addresses: string[],
    topics: Array<string | string[]>,
    head: number,
  ): Promise<Log | undefined> {
    let window = Math.min(FIRST_SCAN_BLOCKS, this.range);
    for (let to = head; to >= this.fromBlock;) {
      const from = Math.max(this.fromBlock, to - window + 1);
      const logs = await this.getLogs(addresses, topics, from, to);
      if (logs.length > 0) {
        return logs.reduce((a, b) =>
          b.blockNumber > a.blockNumber || (b.blockNumber === a.blockNumber && b.index > a.index) ? b : a,
        );
      }
      to = from - 1;
      window = Math.min(window * SCAN_GROWTH, this.range);
    }
    return undefined;
  }

  /** Every log matching the filter from `fromBlock` to `head`, in `logRangeBlocks` pages fetched together. */
  private async allLogs(addresses: string[], topics: Array<string | string[]>, head: number): Promise<Log[]> {
    const pages: Array<Promise<Log[]>> = [];
    for (let from = this.fromBlock; from <= head; from += this.range) {
      pages.push(this.getLogs(addresses, topics, from, Math.min(head, from + this.range - 1)));
    }
    return (await Promise.all(pages)).flat();
  }

  private getLogs(
    address: string[],
    topics: Array<string | string[]>,
    fromBlock: number,
    toBlock: number,
  ): Promise<Log[]> {
    const indexed = this.logIndex?.query({ address, topics, fromBlock, toBlock });
    if (indexed !== undefined) return Promise.resolve(indexed);
    return this.read(() => this.provider.getLogs({ address, topics, fromBlock, toBlock }));
  }

  /** Block timestamp, memoised (bounded). */
  async blockTime(block: number): Promise<number> {
    const cached = this.blockTimes.get(block) ?? this.logIndex?.blockTime(block);
    if (cached !== undefined) return cached;
    const b = await this.read(() => this.provider.getBlock(block));
    if (b === null) throw new BackendError(`block ${block} not found`);
    if (this.blockTimes.size >= BLOCK_CACHE_SIZE) this.blockTimes.clear();
    this.blockTimes.set(block, b.timestamp);
    return b.timestamp;
  }

  /** Runs a node read, turning transport failures into a BackendError with a one-line message. */
  private async read<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof BackendError) throw error;
      if (
        (error as { code?: string; value?: string }).code === "BAD_DATA" &&
        (error as { value?: string }).value === "0x"
      ) {
        throw new ChainError(
          `no ReserveBTC contract answers at the address book's addresses (Oracle ${this.deployment.oracle}): ` +
            `the deployment does not belong to this chain/node — redeploy or remove its deploy/deployments entry`,
          "NO_CONTRACT",
        );
      }
      const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
      throw new BackendError(`rpc read failed: ${message}`, "RPC");
    }
  }
}

function userTopic(user: string): string {
  return zeroPadValue(user, 32);
}

function decode(iface: Interface, log: Log): Record<string, unknown> {
  const parsed = iface.parseLog({ topics: [...log.topics], data: log.data });
  if (parsed === null) throw new BackendError(`cannot decode log ${log.transactionHash}:${log.index}`);
  const out: Record<string, unknown> = {};
  parsed.fragment.inputs.forEach((input, i) => {
    out[input.name] = parsed.args[i];
  });
  return out;
}

export function byUserThenAddress(a: BitcoinAddressItem, b: BitcoinAddressItem): number {
  return a.user.toLowerCase().localeCompare(b.user.toLowerCase()) || a.btcAddress.localeCompare(b.btcAddress);
}
