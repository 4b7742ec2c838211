import type { Log, Provider } from "ethers";

/** First backward scan, in blocks; each further scan is GROWTH× wider, up to the range cap. */
const FIRST_SCAN_BLOCKS = 16;
const GROWTH = 8;

export interface BackwardScan {
  provider: Provider;
  address: string[];
  topics: Array<string | string[]>;
  /** Newest block scanned (inclusive). */
  head: number;
  /** Oldest block scanned (inclusive). */
  fromBlock: number;
  /** Widest `eth_getLogs` range. */
  maxRange: number;
  /** Stop once the logs collected so far (newest first) are enough. */
  enough: (logs: Log[]) => boolean;
}

/**
 * Logs matching a filter, newest first, scanning back from `head` in bounded ranges that start small (recent
 * activity is the common case) and grow up to `maxRange`, until `enough` holds or `fromBlock` is reached.
 */
export async function scanBackwards(scan: BackwardScan): Promise<Log[]> {
  const found: Log[] = [];
  let window = Math.min(FIRST_SCAN_BLOCKS, scan.maxRange);
  for (let to = scan.head; to >= scan.fromBlock && !scan.enough(found);) {
    const from = Math.max(scan.fromBlock, to - window + 1);
    const logs = await scan.provider.getLogs({
      address: scan.address,
      topics: scan.topics,
      fromBlock: from,
      toBlock: to,
    });
    logs.sort((a, b) => b.blockNumber - a.blockNumber || b.index - a.index);
    found.push(...logs);
    to = from - 1;
    window = Math.min(window * GROWTH, scan.maxRange);
  }
  return found;
}
