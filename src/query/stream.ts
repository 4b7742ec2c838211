import { Interface, getAddress } from "ethers";
import type { Log, Provider } from "ethers";

import {
  DisputeManager__factory,
  FeeVault__factory,
  Oracle__factory,
  ProofOfReserves__factory,
  RBTCSynth__factory,
  WrBTC__factory,
  YieldScalesPool__factory,
} from "../../types/ethers-contracts/index.js";
import type { Deployment } from "../deployments.js";
import { earliestStartBlock } from "../deployments.js";
import { LogIndex } from "./logindex.js";
import { LOG_RANGE_BLOCKS } from "./rpc.js";
import { STREAM_EVENT_NAMES } from "./stream-events.js";

/** Block headers requested together while backfilling timestamps (one JSON-RPC batch over HTTP). */
const BACKFILL_TIME_BATCH = 100;
/** How often the head is polled (a local node mines on demand; 50 ms keeps event-to-stream well under a block). */
export const DEFAULT_POLL_MS = 50;

/**
 * Events the stream forwards (balance, binding, fee, committee, pause, dispute, reserve-round and yield changes; not
 * approvals or role admin).
 */
export const STREAM_EVENTS: ReadonlySet<string> = new Set(STREAM_EVENT_NAMES);

/** One decoded chain event as pushed on `/api/realtime/stream`. */
export interface StreamEvent {
  /** `<block>:<logIndex>`, also the SSE id. */
  id: string;
  event: string;
  contract: string;
  address: string;
  block: number;
  txHash: string;
  logIndex: number;
  /** The user the event concerns (first indexed address argument named user/from), when any. */
  user: string | null;
  /** Decoded arguments: integers as decimal strings, addresses checksummed. */
  args: Record<string, string | boolean | string[]>;
}

export type StreamListener = (events: StreamEvent[], head: number) => void;

/**
 * Follows the chain head: polls `eth_blockNumber`, and on every new block fetches the system contracts' logs of the
 * new range (bounded), decodes them and hands them to listeners. Also the server's head tracker (cache key).
 */
export class ChainEventStream {
  private readonly contracts: Array<{ name: string; address: string; iface: Interface }>;
  private readonly listeners = new Set<StreamListener>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private lastBlock = -1;
  private pending: Promise<number> | undefined;
  private readonly fromBlock: number;
  /**
   * Every log of the streamed contracts from the deployment's start block to the newest polled block (backfilled by
   * `start`, extended by each poll); the rpc source reads its log queries from here (`RpcSourceOptions.logs`).
   */
  readonly logs: LogIndex;

  constructor(
    private readonly provider: Provider,
    deployment: Deployment,
    private readonly pollMs = DEFAULT_POLL_MS,
    /**
     * Keep the log index (the rpc source's cache of every log). False when the answers come from the store
     * (postgres source): the stream then holds no history at all, only the events of each new block range.
     */
    private readonly keepLogs = true,
  ) {
    this.fromBlock = earliestStartBlock(deployment) ?? 0;
    // IOracle `EmergencyBurn` (feat/reserves) is decoded even by an older ABI, so the stream forwards it as soon as
    // the deployed Oracle emits it.
    const base = new Interface(Oracle__factory.abi);
    const oracleIface =
      base.getEvent("EmergencyBurn") === null
        ? new Interface([
            ...base.fragments,
            "event EmergencyBurn(address indexed user, uint64 amountSats, uint8 reason)",
          ])
        : base;
    this.contracts = [
      { name: "Oracle", address: deployment.oracle, iface: oracleIface },
      { name: "RBTCSynth", address: deployment.rbtc, iface: RBTCSynth__factory.createInterface() },
      { name: "WrBTC", address: deployment.wrbtc, iface: WrBTC__factory.createInterface() },
      { name: "FeeVault", address: deployment.feeVault, iface: FeeVault__factory.createInterface() },
      {
        name: "DisputeManager",
        address: deployment.disputeManager,
        iface: DisputeManager__factory.createInterface(),
      },
      {
        name: "ProofOfReserves",
        address: deployment.proofOfReserves,
        iface: ProofOfReserves__factory.createInterface(),
      },
      ...(deployment.yieldPool === undefined
        ? []
        : [
            {
              name: "YieldScalesPool",
              address: deployment.yieldPool,
              iface: YieldScalesPool__factory.createInterface(),
            },
          ]),
    ];
    this.logs = new LogIndex(this.contracts.map((c) => c.address));
  }

  /** The newest block seen (polls once when not started yet). */
  async head(): Promise<number> {
    if (this.lastBlock >= 0) return this.lastBlock;
    this.pending ??= this.provider.getBlockNumber();
    return this.pending;
  }

  subscribe(listener: StreamListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const head = await this.provider.getBlockNumber();
    if (this.keepLogs) await this.backfill(head);
    this.lastBlock = head;
    const loop = async () => {
      if (!this.running) return;
      try {
        await this.poll();
      } catch {
        // A failed poll (node restarting) is retried on the next tick; the range resumes from lastBlock.
      }
      if (this.running) this.timer = setTimeout(() => void loop(), this.pollMs);
    };
    this.timer = setTimeout(() => void loop(), this.pollMs);
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.listeners.clear();
  }

  /** One step: fetch and dispatch the logs of blocks (lastBlock, head]. */
  async poll(): Promise<void> {
    const head = await this.provider.getBlockNumber();
    if (head <= this.lastBlock) return;
    const from = this.lastBlock + 1;
    const to = Math.min(head, from + LOG_RANGE_BLOCKS - 1);
    const logs = await this.provider.getLogs({
      address: this.contracts.map((c) => c.address),
      fromBlock: from,
      toBlock: to,
    });
    if (this.keepLogs) this.logs.append(logs, from, to);
    const events = logs
      .sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index)
      .map((log) => this.decode(log))
      .filter((e): e is StreamEvent => e !== undefined);
    this.lastBlock = to;
    for (const listener of this.listeners) listener(events, to);
  }

  /** Fills the log index from the start block to `head` (10,000-block pages, fetched together). */
  private async backfill(head: number): Promise<void> {
    const pages: Array<Promise<{ from: number; to: number; logs: Log[] }>> = [];
    for (let from = this.fromBlock; from <= head; from += LOG_RANGE_BLOCKS) {
      const to = Math.min(head, from + LOG_RANGE_BLOCKS - 1);
      pages.push(
        this.provider
          .getLogs({ address: this.contracts.map((c) => c.address), fromBlock: from, toBlock: to })
          .then((logs) => ({ from, to, logs })),
      );
    }
    const done = await Promise.all(pages);
    for (const page of done) this.logs.append(page.logs, page.from, page.to);
    // The timestamps of the blocks with logs, so answers that date old events need no node read per block.
    const blocks = [...new Set(done.flatMap((p) => p.logs.map((l) => l.blockNumber)))];
    const times = new Map<number, number>();
    for (let i = 0; i < blocks.length; i += BACKFILL_TIME_BATCH) {
      const slice = blocks.slice(i, i + BACKFILL_TIME_BATCH);
      const found = await Promise.all(slice.map((b) => this.provider.getBlock(b)));
      found.forEach((b, j) => {
        const block = slice[j];
        if (b !== null && block !== undefined) times.set(block, b.timestamp);
      });
    }
    this.logs.setBlockTimes(times);
  }

  private decode(log: Log): StreamEvent | undefined {
    const contract = this.contracts.find((c) => c.address.toLowerCase() === log.address.toLowerCase());
    if (contract === undefined) return undefined;
    const parsed = contract.iface.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed === null || !STREAM_EVENTS.has(parsed.name)) return undefined;
    const args: StreamEvent["args"] = {};
    parsed.fragment.inputs.forEach((input, i) => {
      args[input.name] = plain(parsed.args[i]);
    });
    const userArg = args.user ?? args.from;
    return {
      id: `${log.blockNumber}:${log.index}`,
      event: parsed.name,
      contract: contract.name,
      address: getAddress(log.address),
      block: log.blockNumber,
      txHash: log.transactionHash,
      logIndex: log.index,
      user: typeof userArg === "string" ? userArg : null,
      args,
    };
  }
}

function plain(value: unknown): string | boolean | string[] {
  if (typeof value === "boolean") return value;
  if (typeof value === "bigint" || typeof value === "number") return value.toString();
  if (Array.isArray(value)) return value.map((v) => String(plain(v)));
  if (typeof value === "string") return /^0x[0-9a-fA-F]{40}$/.test(value) ? getAddress(value) : value;
  return String(value);
}
