/**
 * A synthetic chain for the store benchmark (bench/store.ts): a `ChainReader` (src/store/indexer.ts) whose logs are
 * the system's real events — encoded with the contracts' own ABIs at the addresses of a made-up deployment — so the
 * indexer, the subgraph's compiled mappings and the store run exactly as `realtime:index` runs them against a node.
 * Every block is a pure function of its number (nothing is held in memory, any range can be read again after a
 * restart), and the schedule follows how the system is used:
 *
 * - block 1: the deployment's configuration events (wiring, committee, caps, fee policy);
 * - bindings: every user's `AddressBound` and first `FeeDeposited`, 25 users a block;
 * - then one "day" (7,200 blocks of 12 s) after another: a committee sync round of every user (250 reports a
 *   transaction, one transaction a block: `FeeSpent` + `Synced` + `Minted` + `Transfer` on a rise, `Synced` +
 *   `Burned` + `Transfer` on a drop, every 7th round a drop; on drop days every 100th user's drop is an emergency burn
 *   of escrowed rBTC: + `Slashed` + `EmergencyBurn`), then each user's own transaction of the day spread over the
 *   following blocks — a wrap (wrBTC `Transfer` + `Escrowed` + `Wrapped`), a wrBTC transfer to another user, a redeem
 *   (`Transfer` + `Released` + `Redeemed`), a fee deposit, or nothing — and five disputes opened (and the previous
 *   day's five closed, upheld or rejected) in the day's last block.
 *
 * Amounts follow a closed form per (user, round), so a sync's `previousSats` is the user's previous total; the other
 * balances are plausible, not a simulated ledger. The chain ends at the first block where `events` logs are reached.
 */
import { Interface, getAddress, keccak256, toUtf8Bytes } from "ethers";
import type { EventFragment, Log } from "ethers";

import type { Deployment } from "../src/deployments.js";
import type { BlockHeader, ChainReader } from "../src/store/indexer.js";
import type { AbiEntry } from "../src/subgraph/manifest.js";

export const BENCH_CHAIN_ID = 31_337_001n;
const GENESIS_TIMESTAMP = 1_767_225_600; // 2026-01-01
const BLOCK_SECONDS = 12;
const DAY_BLOCKS = 7_200;
const BIND_PER_BLOCK = 25;
const SYNC_BATCH = 250;
const DISPUTES_PER_DAY = 5;
const ZERO = "0x0000000000000000000000000000000000000000";

/** The contracts the chain's logs come from, as a deployment (start block 1). */
export function benchDeployment(): Deployment {
  const at = (name: string) => getAddress(keccak256(toUtf8Bytes(`reservebtc-bench:${name}`)).slice(0, 42));
  const start = 1;
  return {
    chainId: BENCH_CHAIN_ID,
    rbtc: at("RBTCSynth"),
    wrbtc: at("WrBTC"),
    feeVault: at("FeeVault"),
    feePolicy: at("FeePolicy"),
    oracle: at("Oracle"),
    disputeManager: at("DisputeManager"),
    proofOfReserves: at("ProofOfReserves"),
    startBlocks: {
      rbtc: start,
      wrbtc: start,
      feeVault: start,
      feePolicy: start,
      oracle: start,
      disputeManager: start,
      proofOfReserves: start,
    },
  };
}

/** One emitted event before encoding: contract, event name, arguments. */
type Emit = readonly [contract: Contract, event: string, args: readonly unknown[]];
type Contract = "rbtc" | "wrbtc" | "feeVault" | "feePolicy" | "oracle" | "disputeManager";
/** A transaction: its events in emission order. */
type Tx = readonly Emit[];

export interface ChainShape {
  users: number;
  events: number;
}

/** Which kind of event each log is, counted (the benchmark checks the stored rows against these). */
export type EventCounts = Record<string, number>;

export class SyntheticChain implements ChainReader {
  readonly deployment = benchDeployment();
  readonly users: readonly string[];
  readonly head: number;
  /** Logs up to the head, by event name. */
  readonly counts: EventCounts = {};
  readonly totalEvents: number;
  private readonly bindEnd: number;
  private readonly syncBlocks: number;
  private readonly actionsPerBlock: number;
  private readonly ifaces: Record<Contract, Interface>;
  private readonly operators: string[];
  private readonly fragments = new Map<string, EventFragment>();
  /** Time spent generating and encoding logs and headers (the benchmark subtracts it from the indexer's time). */
  generationMs = 0;

  constructor(
    readonly shape: ChainShape,
    abis: Record<Contract, readonly AbiEntry[]>,
  ) {
    this.users = Array.from({ length: shape.users }, (_, i) =>
      getAddress(keccak256(toUtf8Bytes(`reservebtc-bench:user:${i}`)).slice(0, 42)),
    );
    this.operators = [1, 2, 3].map((i) =>
      getAddress(keccak256(toUtf8Bytes(`reservebtc-bench:operator:${i}`)).slice(0, 42)),
    );
    this.ifaces = Object.fromEntries(
      Object.entries(abis).map(([k, abi]) => [k, new Interface(abi as never)]),
    ) as Record<Contract, Interface>;
    this.bindEnd = 1 + Math.ceil(shape.users / BIND_PER_BLOCK);
    this.syncBlocks = Math.ceil(shape.users / SYNC_BATCH);
    this.actionsPerBlock = Math.ceil(shape.users / (DAY_BLOCKS - this.syncBlocks - 2));
    // The head: the first block where the wanted number of events is reached.
    let total = 0;
    let block = 0;
    while (total < shape.events) {
      block += 1;
      for (const tx of this.txsOf(block)) {
        for (const [, event] of tx) {
          this.counts[event] = (this.counts[event] ?? 0) + 1;
          total += 1;
        }
      }
    }
    this.head = block;
    this.totalEvents = total;
  }

  /** Logs by event name in blocks 1..`block`. */
  countsUpTo(block: number): EventCounts {
    const counts: EventCounts = {};
    for (let b = 1; b <= Math.min(block, this.head); b++) {
      for (const tx of this.txsOf(b)) for (const [, event] of tx) counts[event] = (counts[event] ?? 0) + 1;
    }
    return counts;
  }

  // ---- ChainReader ------------------------------------------------------------------------------------------------

  async chainId(): Promise<bigint> {
    return BENCH_CHAIN_ID;
  }

  async blockNumber(): Promise<number> {
    return this.head;
  }

  async getBlock(n: number): Promise<BlockHeader | null> {
    if (n < 0 || n > this.head) return null;
    return { number: n, hash: blockHash(n), parentHash: blockHash(n - 1), timestamp: timestampOf(n) };
  }

  async getLogs(filter: { address: string[]; fromBlock: number; toBlock: number }): Promise<Log[]> {
    const t0 = performance.now();
    const wanted = new Set(filter.address.map((a) => a.toLowerCase()));
    const out: Log[] = [];
    for (let b = Math.max(0, filter.fromBlock); b <= Math.min(filter.toBlock, this.head); b++) {
      let index = 0;
      this.txsOf(b).forEach((tx, txIndex) => {
        for (const [contract, event, args] of tx) {
          const address = this.deployment[contract];
          const i = index++;
          if (!wanted.has(address.toLowerCase())) continue;
          const iface = this.ifaces[contract];
          const { data, topics } = iface.encodeEventLog(this.fragment(contract, event), args);
          out.push({
            address,
            topics,
            data,
            blockNumber: b,
            blockHash: blockHash(b),
            transactionHash: txHash(b, txIndex),
            transactionIndex: txIndex,
            index: i,
            removed: false,
          } as unknown as Log);
        }
      });
    }
    this.generationMs += performance.now() - t0;
    return out;
  }

  /** An event's fragment with its topic hash computed once (ethers' getter hashes the signature on every read). */
  private fragment(contract: Contract, event: string): EventFragment {
    const key = `${contract}.${event}`;
    let fragment = this.fragments.get(key);
    if (fragment === undefined) {
      const found = this.ifaces[contract].getEvent(event);
      if (found === null) throw new Error(`no event ${event} in ${contract}'s ABI`);
      fragment = Object.create(found, { topicHash: { value: found.topicHash } }) as EventFragment;
      this.fragments.set(key, fragment);
    }
    return fragment;
  }

  // ---- the schedule -----------------------------------------------------------------------------------------------

  /** The transactions of block `b`, in order. */
  txsOf(b: number): Tx[] {
    if (b === 1) return this.genesis();
    if (b <= this.bindEnd) return this.bindings(b);
    const offset = b - this.bindEnd - 1;
    const day = Math.floor(offset / DAY_BLOCKS);
    const inDay = offset % DAY_BLOCKS;
    if (inDay < this.syncBlocks) return [this.syncTx(day + 1, inDay)];
    if (inDay === DAY_BLOCKS - 1) return this.disputes(day);
    const slot = inDay - this.syncBlocks;
    const txs: Tx[] = [];
    for (let k = 0; k < this.actionsPerBlock; k++) {
      const u = slot * this.actionsPerBlock + k;
      if (u >= this.users.length) break;
      const tx = this.userAction(u, day);
      if (tx !== null) txs.push(tx);
    }
    return txs;
  }

  private genesis(): Tx[] {
    const d = this.deployment;
    return [
      [["rbtc", "Wired", [d.oracle, d.wrbtc]]],
      [["wrbtc", "OracleWired", [d.oracle]]],
      [["feeVault", "OracleWired", [d.oracle]]],
      [["feePolicy", "FeePolicyUpdated", [50, 10_000_000_000n, 0n, 10n ** 16n]]],
      [["oracle", "CommitteeUpdated", [1n, this.operators, 2]]],
      [["oracle", "MintCapsUpdated", [86_400, 10n ** 12n, 10n ** 15n, 3_600]]],
      [["oracle", "StalenessUpdated", [3_600, 6]]],
      [["oracle", "MinConfirmationsUpdated", [6]]],
    ];
  }

  private bindings(b: number): Tx[] {
    const txs: Tx[] = [];
    for (let k = 0; k < BIND_PER_BLOCK; k++) {
      const u = (b - 2) * BIND_PER_BLOCK + k;
      const user = this.users[u];
      if (user === undefined) break;
      const btc = `bcrt1qbench${u.toString().padStart(8, "0")}`;
      txs.push([
        [
          "oracle",
          "AddressBound",
          [user, keccak256(toUtf8Bytes(btc)), btc, keccak256(toUtf8Bytes(`proof:${btc}`)), 0n],
        ],
      ]);
      txs.push([["feeVault", "FeeDeposited", [user, user, 10n ** 16n]]]);
    }
    return txs;
  }

  /** A user's attested total after sync round `r` (0 before the first). */
  private total(u: number, r: number): bigint {
    if (r === 0) return 0n;
    return BigInt(50_000 + (u % 1_000) * 100 + r * 2_000 - (r % 7 === 6 ? 3_000 : 0));
  }

  /** Batch `k` of sync round `r`: one committee transaction of ≤ 250 reports. */
  private syncTx(r: number, k: number): Tx {
    const emits: Emit[] = [];
    const btcHeight = BigInt(800_000 + r * 144);
    const btcHash = `0x${btcHeight.toString(16).padStart(64, "0")}`;
    for (let u = k * SYNC_BATCH; u < Math.min(this.users.length, (k + 1) * SYNC_BATCH); u++) {
      const user = this.users[u] as string;
      const previous = this.total(u, r - 1);
      const next = this.total(u, r);
      const synced: Emit = ["oracle", "Synced", [user, previous, next, btcHeight, btcHash, BigInt(r)]];
      if (next > previous) {
        const delta = next - previous;
        emits.push(["feeVault", "FeeSpent", [user, (delta * 10_000_000_000n * 50n) / 10_000n]]);
        emits.push(synced);
        emits.push(["rbtc", "Minted", [user, delta]]);
        emits.push(["rbtc", "Transfer", [ZERO, user, delta]]);
      } else if (u % 100 === 0) {
        // An emergency burn: BTC left while wrapped; the escrowed rBTC burns and the holder's wrBTC is slashed.
        const drop = previous - next;
        emits.push(synced);
        emits.push(["rbtc", "Burned", [user, 0n, drop]]);
        emits.push(["rbtc", "Transfer", [user, ZERO, drop]]);
        emits.push(["wrbtc", "Slashed", [user, drop, drop, 0n]]);
        emits.push(["oracle", "EmergencyBurn", [user, drop, 0]]);
      } else {
        const drop = previous - next;
        emits.push(synced);
        emits.push(["rbtc", "Burned", [user, drop, 0n]]);
        emits.push(["rbtc", "Transfer", [user, ZERO, drop]]);
      }
    }
    return emits;
  }

  /** User `u`'s own transaction on `day` (after that day's sync), or none. */
  private userAction(u: number, day: number): Tx | null {
    const user = this.users[u] as string;
    switch ((u + day) % 10) {
      case 0:
      case 5:
        return [
          ["wrbtc", "Transfer", [ZERO, user, 500n]],
          ["rbtc", "Escrowed", [user, 500n]],
          ["wrbtc", "Wrapped", [user, 500n]],
        ];
      case 1:
      case 6:
        return day === 0
          ? null
          : [["wrbtc", "Transfer", [user, this.users[(u + 1) % this.users.length], 100n]]];
      case 2:
      case 7:
        return day === 0
          ? null
          : [
              ["wrbtc", "Transfer", [user, ZERO, 200n]],
              ["rbtc", "Released", [user, 200n]],
              ["wrbtc", "Redeemed", [user, 200n]],
            ];
      case 3:
        return [["feeVault", "FeeDeposited", [user, user, 5n * 10n ** 15n]]];
      default:
        return null;
    }
  }

  /** The day's last block: five disputes opened, and the previous day's five closed. */
  private disputes(day: number): Tx[] {
    const txs: Tx[] = [];
    const deadline = BigInt(GENESIS_TIMESTAMP + 86_400 * (day + 3));
    for (let k = 0; k < DISPUTES_PER_DAY; k++) {
      const id = BigInt(day * DISPUTES_PER_DAY + k + 1);
      const user = this.users[((day * DISPUTES_PER_DAY + k) * 37) % this.users.length] as string;
      const challenger = this.users[((day * DISPUTES_PER_DAY + k) * 53 + 1) % this.users.length] as string;
      txs.push([
        [
          "disputeManager",
          "DisputeOpened",
          [id, user, challenger, 1_000n, 2_000n, 10n ** 16n, deadline, `ipfs://bench/${id}`],
        ],
      ]);
      if (day > 0) {
        const previous = id - BigInt(DISPUTES_PER_DAY);
        txs.push([
          k % 2 === 0
            ? ["disputeManager", "DisputeRejected", [previous, this.operators[0], 10n ** 16n]]
            : ["disputeManager", "DisputeUpheld", [previous, this.operators[0], 1_000n, 10n ** 16n]],
        ]);
      }
    }
    return txs;
  }
}

function blockHash(n: number): string {
  return `0x${"b".repeat(48)}${(n >>> 0).toString(16).padStart(16, "0")}`;
}

function txHash(block: number, txIndex: number): string {
  return `0x${block.toString(16).padStart(32, "0")}${txIndex.toString(16).padStart(32, "0")}`;
}

function timestampOf(n: number): number {
  return GENESIS_TIMESTAMP + n * BLOCK_SECONDS;
}
