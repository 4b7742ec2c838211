import type { Interface, Log, Provider } from "ethers";

import { Oracle__factory, ProofOfReserves__factory } from "../../types/ethers-contracts/index.js";
import type { Deployment } from "../deployments.js";
import { earliestStartBlock } from "../deployments.js";
import { parseInteger } from "../input.js";
import type { InputOrigin } from "../input.js";
import { LOG_RANGE_BLOCKS, RpcSource } from "../query/rpc.js";
import { scanBackwards } from "./logs.js";
import type { HistoryPoint } from "./types.js";

export const DEFAULT_HISTORY_POINTS = 60;
export const MAX_HISTORY_POINTS = 500;
/** Computed points kept in memory (a point below the head never changes on a settled chain). */
const POINT_CACHE_SIZE = 5_000;
/** Points whose figures are read at once. */
const POINT_CONCURRENCY = 16;

const oracleIface: Interface = Oracle__factory.createInterface();
const porIface: Interface = ProofOfReserves__factory.createInterface();

/** Events after which the backing figures may have changed: they make a block a history point. */
const POINT_EVENTS: Array<{ contract: "oracle" | "proofOfReserves"; name: string }> = [
  { contract: "oracle", name: "Synced" },
  { contract: "oracle", name: "EmergencyBurn" },
  { contract: "oracle", name: "DisputeResolutionApplied" },
  { contract: "oracle", name: "QueuedMintExecuted" },
  { contract: "proofOfReserves", name: "ReservesCommitted" },
];
const TOPIC_NAMES = new Map(
  POINT_EVENTS.map((e) => {
    const iface = e.contract === "oracle" ? oracleIface : porIface;
    const fragment = iface.getEvent(e.name);
    if (fragment === null) throw new Error(`event ${e.name} missing from the ABI`);
    return [fragment.topicHash, e.name] as const;
  }),
);
const RESERVES_COMMITTED = porIface.getEvent("ReservesCommitted")?.topicHash ?? "";

/** `?points=N` of `/api/dashboard/history`: 1..MAX_HISTORY_POINTS, default DEFAULT_HISTORY_POINTS. */
export function parsePoints(value: string | undefined, origin: InputOrigin = "query"): number {
  return parseInteger(value, {
    name: "points",
    origin,
    min: 1,
    max: MAX_HISTORY_POINTS,
    fallback: DEFAULT_HISTORY_POINTS,
    code: "BAD_POINTS",
  });
}

/**
 * The backing history: one point per block in which a sync, reserve round, emergency burn, dispute resolution or
 * queued mint happened (the only transactions that move attested BTC or the claims on it), each the
 * proof-of-reserves figures read at that block. Reads archive state (`eth_call` at past blocks), which every
 * local node and most providers serve.
 */
export class BackingHistory {
  private readonly points = new Map<number, Promise<HistoryPoint>>();
  private readonly fromBlock: number;
  private readonly reader: RpcSource;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  /** The point blocks found in the scanned range [low, high], with their events and reserve round. */
  private readonly blocks = new Map<number, { events: Set<string>; round: number | null }>();
  private scanned: { low: number; high: number } | undefined;
  /** Scans are serialized (concurrent requests share the coverage they extend). */
  private scanning: Promise<void> = Promise.resolve();

  constructor(
    private readonly provider: Provider,
    private readonly deployment: Deployment,
  ) {
    this.fromBlock = earliestStartBlock(deployment) ?? 0;
    this.reader = new RpcSource(provider, deployment, { fromBlock: this.fromBlock });
  }

  /**
   * The newest `count` points at or below `head`, oldest first. The point blocks found are kept: a later call scans
   * only the blocks above the highest one scanned (and below the lowest, when it needs older points), and each
   * point's figures are read once.
   */
  async history(head: number, count: number): Promise<HistoryPoint[]> {
    const cover = this.scanning.then(() => this.cover(head, count));
    this.scanning = cover.catch(() => undefined);
    await cover;
    const blocks = [...this.blocks.keys()]
      .filter((b) => b <= head)
      .sort((a, b) => a - b)
      .slice(-count);
    // Newest first: the point reads queue in this order, so a page asking for its newest points while a longer
    // history is still being read (cold start) is served first.
    const points = [...blocks].reverse().map((block) => {
      const entry = this.blocks.get(block);
      return this.point(block, [...(entry?.events ?? [])].sort(), entry?.round ?? null);
    });
    return (await Promise.all(points)).reverse();
  }

  /** Extends the scanned range up to `head`, and down until `count` point blocks lie at or below `head`. */
  private async cover(head: number, count: number): Promise<void> {
    const scan = (top: number, bottom: number, enough: (logs: Log[]) => boolean) =>
      scanBackwards({
        provider: this.provider,
        address: [this.deployment.oracle, this.deployment.proofOfReserves],
        topics: [[...TOPIC_NAMES.keys()]],
        head: top,
        fromBlock: bottom,
        maxRange: LOG_RANGE_BLOCKS,
        enough,
      });
    const below = () => [...this.blocks.keys()].filter((b) => b <= head).length;
    if (this.scanned === undefined) {
      const enough = (found: Log[]) => new Set(found.map((l) => l.blockNumber)).size > count;
      const logs = await scan(head, this.fromBlock, enough);
      this.add(logs);
      const low = enough(logs) ? Math.min(...logs.map((l) => l.blockNumber)) : this.fromBlock;
      this.scanned = { low, high: head };
      return;
    }
    if (head > this.scanned.high) {
      this.add(await scan(head, this.scanned.high + 1, () => false));
      this.scanned.high = head;
    }
    if (below() < count && this.scanned.low > this.fromBlock) {
      const have = below();
      const enough = (found: Log[]) => have + new Set(found.map((l) => l.blockNumber)).size > count;
      const logs = await scan(this.scanned.low - 1, this.fromBlock, enough);
      this.add(logs);
      this.scanned.low = enough(logs) ? Math.min(...logs.map((l) => l.blockNumber)) : this.fromBlock;
    }
  }

  private add(logs: readonly Log[]): void {
    for (const log of logs) {
      const entry = this.blocks.get(log.blockNumber) ?? { events: new Set<string>(), round: null };
      const topic = log.topics[0] ?? "";
      entry.events.add(TOPIC_NAMES.get(topic) ?? "unknown");
      if (topic === RESERVES_COMMITTED) entry.round = Number(BigInt(log.topics[1] ?? "0x0"));
      this.blocks.set(log.blockNumber, entry);
    }
  }

  private point(block: number, events: string[], round: number | null): Promise<HistoryPoint> {
    const cached = this.points.get(block);
    if (cached !== undefined) return cached;
    if (this.points.size >= POINT_CACHE_SIZE) this.points.clear();
    // One rpc source for every point (its contracts are built once: building them per point parsed the ABIs 500
    // times for a 500-point history, which was most of its cost), read at the point's block.
    const reader = this.reader;
    const value = this.slot(() =>
      Promise.all([reader.proofOfReservesAt(block), reader.blockTime(block)]),
    ).then(([por, timestamp]): HistoryPoint => ({
      block,
      timestamp,
      attestedSats: por.attestedSats,
      claimsSats: (BigInt(por.rbtcFree) + BigInt(por.wrbtcSupply)).toString(),
      rbtcSupply: por.rbtcSupply,
      wrbtcSupply: por.wrbtcSupply,
      uncoveredSats: por.uncoveredSats,
      backingRatio: por.backingRatio,
      round,
      events,
    }));
    this.points.set(block, value);
    value.catch(() => this.points.delete(block));
    return value;
  }

  /**
   * Runs `read` when fewer than POINT_CONCURRENCY point reads are in flight: a cold 500-point history is ~10 archive
   * calls per point, and firing all of them at once overruns the node's connection (EPIPE) instead of finishing sooner.
   */
  private async slot<T>(read: () => Promise<T>): Promise<T> {
    while (this.inFlight >= POINT_CONCURRENCY) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.inFlight += 1;
    try {
      return await read();
    } finally {
      this.inFlight -= 1;
      this.waiting.shift()?.();
    }
  }
}
