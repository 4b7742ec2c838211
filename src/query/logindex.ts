import type { Log } from "ethers";

/** One `eth_getLogs` filter as the rpc source issues it. */
export interface LogFilter {
  address: string[];
  /** Per position: one topic, any of several, or null (any). */
  topics: Array<string | string[] | null>;
  fromBlock: number;
  toBlock: number;
}

/**
 * Every log of the system's contracts from a start block up to `coveredTo`, in memory, fed by the chain event stream
 * (which fetches exactly these logs for each new block range anyway) after one backfill at start.
 *
 * The rpc source answers a log query from here when the whole range is covered, so log-based reads (a user's last
 * `Synced`, transactions, emergency burns, disputes) cost no node round trip; a range beyond `coveredTo` goes to the
 * node as before. Logs are bucketed by topic0 and kept in chain order.
 */
export class LogIndex {
  private readonly byTopic = new Map<string, Log[]>();
  private readonly addresses: Set<string>;
  private from = 0;
  private to = -1;

  constructor(addresses: readonly string[]) {
    this.addresses = new Set(addresses.map((a) => a.toLowerCase()));
  }

  /** Last block whose logs are all here (-1 before the first `append`). */
  get coveredTo(): number {
    return this.to;
  }

  /**
   * Adds the logs of blocks `fromBlock..toBlock` (all logs of the indexed addresses in that range, any order). The
   * first call sets the start; later calls must continue at `coveredTo + 1`, else the index restarts there.
   */
  append(logs: readonly Log[], fromBlock: number, toBlock: number): void {
    if (this.to < 0 || fromBlock !== this.to + 1) {
      this.byTopic.clear();
      this.from = fromBlock;
    }
    const sorted = [...logs].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    for (const log of sorted) {
      if (!this.addresses.has(log.address.toLowerCase())) continue;
      const t0 = log.topics[0];
      if (t0 === undefined) continue;
      let bucket = this.byTopic.get(t0);
      if (bucket === undefined) {
        bucket = [];
        this.byTopic.set(t0, bucket);
      }
      bucket.push(log);
    }
    this.to = toBlock;
  }

  /** The logs matching `filter`, or undefined when the index does not cover its addresses and whole range. */
  query(filter: LogFilter): Log[] | undefined {
    if (this.to < 0 || filter.fromBlock < this.from || filter.toBlock > this.to) return undefined;
    const addresses = new Set(filter.address.map((a) => a.toLowerCase()));
    for (const a of addresses) if (!this.addresses.has(a)) return undefined;
    const first = filter.topics[0];
    if (first === undefined || first === null) return undefined; // every query of the rpc source names topic0
    const out: Log[] = [];
    for (const t0 of typeof first === "string" ? [first] : first) {
      for (const log of this.byTopic.get(t0) ?? []) {
        if (log.blockNumber < filter.fromBlock || log.blockNumber > filter.toBlock) continue;
        if (!addresses.has(log.address.toLowerCase())) continue;
        if (matchesTopics(log, filter.topics)) out.push(log);
      }
    }
    return out;
  }
}

function matchesTopics(log: Log, topics: LogFilter["topics"]): boolean {
  for (let i = 1; i < topics.length; i++) {
    const want = topics[i];
    if (want === undefined || want === null) continue;
    const have = log.topics[i]?.toLowerCase();
    if (have === undefined) return false;
    if (
      typeof want === "string" ? want.toLowerCase() !== have : !want.some((w) => w.toLowerCase() === have)
    ) {
      return false;
    }
  }
  return true;
}
