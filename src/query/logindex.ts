import type { Log } from "ethers";

/** One `eth_getLogs` filter as the rpc source issues it. */
export interface LogFilter {
  address: string[];
  /** Per position: one topic, any of several, or null (any). */
  topics: Array<string | string[] | null>;
  fromBlock: number;
  toBlock: number;
}

/** A log with its address and topics lowercased once. */
interface Entry {
  log: Log;
  address: string;
  topics: string[];
}

/**
 * Every log of the system's contracts from a start block up to `coveredTo`, in memory, fed by the chain event stream
 * (which fetches exactly these logs for each new block range anyway) after one backfill at start.
 *
 * The rpc source answers a log query from here when the whole range is covered, so log-based reads (a user's last
 * `Synced`, transactions, emergency burns, disputes) cost no node round trip; a range beyond `coveredTo` goes to the
 * node as before. Logs are kept in chain order, bucketed by topic0 and by topic1 (the indexed user of most events),
 * so a per-user query reads only that user's logs.
 */
export class LogIndex {
  private readonly byTopic0 = new Map<string, Entry[]>();
  private readonly byTopic1 = new Map<string, Entry[]>();
  private readonly addresses: Set<string>;
  private readonly times = new Map<number, number>();
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
      this.byTopic0.clear();
      this.byTopic1.clear();
      this.from = fromBlock;
    }
    const sorted = [...logs].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    for (const log of sorted) {
      const entry = {
        log,
        address: log.address.toLowerCase(),
        topics: log.topics.map((t) => t.toLowerCase()),
      };
      if (!this.addresses.has(entry.address)) continue;
      const [t0, t1] = entry.topics;
      if (t0 === undefined) continue;
      push(this.byTopic0, t0, entry);
      if (t1 !== undefined) push(this.byTopic1, t1, entry);
    }
    this.to = toBlock;
  }

  /** Records block timestamps (the stream prefetches those of the backfilled logs' blocks). */
  setBlockTimes(times: ReadonlyMap<number, number>): void {
    for (const [block, time] of times) this.times.set(block, time);
  }

  /** A recorded block timestamp. */
  blockTime(block: number): number | undefined {
    return this.times.get(block);
  }

  /** The logs matching `filter`, or undefined when the index does not cover its addresses and whole range. */
  query(filter: LogFilter): Log[] | undefined {
    if (this.to < 0 || filter.fromBlock < this.from || filter.toBlock > this.to) return undefined;
    const addresses = new Set(filter.address.map((a) => a.toLowerCase()));
    for (const a of addresses) if (!this.addresses.has(a)) return undefined;
    const topics = filter.topics.map((t) =>
      t === null || t === undefined
        ? null
        : new Set((typeof t === "string" ? [t] : t).map((x) => x.toLowerCase())),
    );
    const first = topics[0];
    if (first === undefined || first === null) return undefined; // every query of the rpc source names topic0
    const second = topics[1];
    const candidates =
      second !== undefined && second !== null && second.size === 1
        ? (this.byTopic1.get([...second][0] ?? "") ?? [])
        : [...first].flatMap((t0) => this.byTopic0.get(t0) ?? []);
    const out: Log[] = [];
    for (const e of candidates) {
      if (e.log.blockNumber < filter.fromBlock || e.log.blockNumber > filter.toBlock) continue;
      if (!addresses.has(e.address)) continue;
      if (topics.every((want, i) => want === null || want.has(e.topics[i] ?? ""))) out.push(e.log);
    }
    return out;
  }
}

function push(map: Map<string, Entry[]>, key: string, entry: Entry): void {
  const bucket = map.get(key);
  if (bucket === undefined) map.set(key, [entry]);
  else bucket.push(entry);
}
