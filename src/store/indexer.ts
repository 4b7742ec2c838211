// The local writer of the history tables: follows the chain `confirmations` blocks behind its head, runs the
// subgraph's own compiled mappings (src/subgraph/host.ts) over the system's logs page by page, and commits each
// page's entity rows together with the checkpoint, the page's last block hash and (within the reorg window) the
// previous version of every row it changed — one transaction, so a restart or a SIGKILL resumes exactly where the
// last commit left off, with nothing lost or doubled. A reorg is noticed when the checkpoint's block hash is no longer
// the chain's; the tables are then restored as they were at the newest page end still on the chain (the common
// ancestor) and indexing goes on from there. Memory is bounded: one page of logs (at most `maxPageLogs`), the entity
// cache (bounded LRU) and one mapping instance per data source.

import type { Log, Provider } from "ethers";

import type { Deployment } from "../deployments.js";
import { earliestStartBlock } from "../deployments.js";
import { BackendError } from "../errors.js";
import { sleep } from "../oracle/service.js";
import { retryTransient } from "../oracle/submit.js";
import { EntityNeeded, MappingAbort } from "../subgraph/host.js";
import type { Mappings } from "../subgraph/mappings.js";
import type { Db, Queryable } from "./db.js";
import type { EntityStore } from "./entities.js";
import { upsertRows } from "./entities.js";
import { qualified } from "./schema.js";

/** Defaults (realtime:index flags). */
export const DEFAULT_PAGE_BLOCKS = 2_000;
export const DEFAULT_MAX_PAGE_LOGS = 20_000;
export const DEFAULT_REORG_WINDOW = 256;
export const DEFAULT_INDEX_POLL_MS = 200;
/** Block headers requested at once. */
const HEADER_BATCH = 100;
/** Attempts of one RPC read before the page fails (each retried with exponential backoff). */
const READ_ATTEMPTS = 6;

/** The chain as the indexer reads it (an ethers provider in practice; a synthetic chain in the benchmark). */
export interface ChainReader {
  chainId(): Promise<bigint>;
  blockNumber(): Promise<number>;
  getLogs(filter: { address: string[]; fromBlock: number; toBlock: number }): Promise<Log[]>;
  getBlock(number: number): Promise<BlockHeader | null>;
}

export interface BlockHeader {
  number: number;
  hash: string;
  parentHash: string;
  timestamp: number;
}

export function providerReader(provider: Provider): ChainReader {
  return {
    chainId: async () => (await provider.getNetwork()).chainId,
    blockNumber: () => provider.getBlockNumber(),
    getLogs: (f) => provider.getLogs(f),
    getBlock: async (n) => {
      const b = await provider.getBlock(n);
      return b === null || b.hash === null
        ? null
        : { number: b.number, hash: b.hash, parentHash: b.parentHash, timestamp: b.timestamp };
    },
  };
}

export interface Checkpoint {
  block: number;
  hash: string;
  timestamp: number;
}

export interface IndexerOptions {
  db: Db;
  reader: ChainReader;
  mappings: Mappings;
  store: EntityStore;
  deployment: Deployment;
  /** Blocks behind the head the indexer stays (0: index the head itself). */
  confirmations?: number;
  pageBlocks?: number;
  maxPageLogs?: number;
  /** Pages ending within this many blocks of the head are journaled (how deep a reorg can be rolled back). */
  reorgWindow?: number;
  pollMs?: number;
  /** One line per page while behind (stderr in the tasks). */
  onProgress?: (line: string) => void;
}

export interface StepResult {
  /** What the step did. */
  action: "indexed" | "rolled-back" | "caught-up";
  head: number;
  checkpoint: number;
  /** Events handled (indexed) or blocks undone (rolled-back). */
  count: number;
}

function oneLine(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
}

/** A node read with bounded retries; a final failure is one BackendError line. */
async function read<T>(what: string, fn: () => Promise<T>): Promise<T> {
  let attempt = 0;
  for (;;) {
    try {
      return await retryTransient(fn, 0);
    } catch (error) {
      attempt += 1;
      if (attempt >= READ_ATTEMPTS) throw new BackendError(`${what} failed: ${oneLine(error)}`, "RPC");
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** (attempt - 1)));
    }
  }
}

export class Indexer {
  private readonly confirmations: number;
  private pageBlocks: number;
  private readonly maxPageLogs: number;
  private readonly reorgWindow: number;
  private readonly pollMs: number;
  private readonly startBlock: number;
  private chainId: bigint | undefined;
  private lastProgress = 0;
  /** Events handled since start (progress and benchmark). */
  handled = 0;

  constructor(private readonly o: IndexerOptions) {
    this.confirmations = o.confirmations ?? 0;
    this.pageBlocks = o.pageBlocks ?? DEFAULT_PAGE_BLOCKS;
    this.maxPageLogs = o.maxPageLogs ?? DEFAULT_MAX_PAGE_LOGS;
    this.reorgWindow = o.reorgWindow ?? DEFAULT_REORG_WINDOW;
    this.pollMs = o.pollMs ?? DEFAULT_INDEX_POLL_MS;
    this.startBlock = earliestStartBlock(o.deployment) ?? 0;
  }

  async checkpoint(db: Queryable = this.o.db): Promise<Checkpoint | null> {
    const rows = await db.query<{ block_number: string; block_hash: string; block_timestamp: string }>(
      `select block_number::text, block_hash, block_timestamp::text from "reservebtc"."indexer_checkpoint"`,
    );
    const r = rows[0];
    return r === undefined
      ? null
      : { block: Number(r.block_number), hash: r.block_hash, timestamp: Number(r.block_timestamp) };
  }

  /** Refuses a store that indexes another chain or another deployment. */
  private async checkIdentity(): Promise<void> {
    this.chainId ??= await read("eth_chainId", () => this.o.reader.chainId());
    const rows = await this.o.db.query<{ chain_id: string; oracle: string }>(
      `select chain_id::text, oracle from "reservebtc"."indexer_checkpoint"`,
    );
    const r = rows[0];
    if (r === undefined) return;
    if (BigInt(r.chain_id) !== this.chainId || r.oracle !== this.o.deployment.oracle.toLowerCase()) {
      throw new BackendError(
        `the store at ${this.o.db.where} indexes chain ${r.chain_id} Oracle ${r.oracle}, not chain ${this.chainId} ` +
          `Oracle ${this.o.deployment.oracle.toLowerCase()}: use another --data-dir, or --reset to rebuild it`,
        "STORE_MISMATCH",
      );
    }
  }

  /** One step: roll back a reorg, index one page, or report that the store is at the target. */
  async step(): Promise<StepResult> {
    await this.checkIdentity();
    const head = await read("eth_blockNumber", () => this.o.reader.blockNumber());
    const target = head - this.confirmations;
    const cp = await this.checkpoint();
    if (cp !== null) {
      const onChain = await read(`block ${cp.block}`, () => this.o.reader.getBlock(cp.block));
      if (onChain === null || onChain.hash !== cp.hash) {
        const undone = await this.rollback(cp);
        return {
          action: "rolled-back",
          head,
          checkpoint: (await this.checkpoint())?.block ?? -1,
          count: undone,
        };
      }
    }
    const from = cp === null ? this.startBlock : cp.block + 1;
    if (from > target) return { action: "caught-up", head, checkpoint: cp?.block ?? from - 1, count: 0 };
    let to = Math.min(target, from + this.pageBlocks - 1);
    let logs = await this.fetchLogs(from, to);
    while (logs.length > this.maxPageLogs && to > from) {
      to = from + Math.floor((to - from) / 2);
      logs = logs.filter((l) => l.blockNumber <= to);
    }
    const count = await this.indexPage(from, to, head, logs, cp);
    // -1: the chain moved under the page; nothing was written and the next step sees the reorg.
    if (count < 0) return { action: "indexed", head, checkpoint: cp?.block ?? from - 1, count: 0 };
    this.progress(to, target, count);
    return { action: "indexed", head, checkpoint: to, count };
  }

  private async fetchLogs(from: number, to: number): Promise<Log[]> {
    for (;;) {
      try {
        return await read(`eth_getLogs ${from}..${to}`, () =>
          this.o.reader.getLogs({ address: this.o.mappings.addresses, fromBlock: from, toBlock: to }),
        );
      } catch (error) {
        // A range too wide for the node: halve the page and try again (down to one block).
        if (to === from) throw error;
        to = from + Math.floor((to - from) / 2);
        this.pageBlocks = Math.max(1, to - from + 1);
      }
    }
  }

  private async headers(numbers: number[]): Promise<Map<number, BlockHeader>> {
    const out = new Map<number, BlockHeader>();
    for (let i = 0; i < numbers.length; i += HEADER_BATCH) {
      const slice = numbers.slice(i, i + HEADER_BATCH);
      const found = await Promise.all(slice.map((n) => read(`block ${n}`, () => this.o.reader.getBlock(n))));
      found.forEach((b, j) => {
        if (b !== null) out.set(slice[j] ?? -1, b);
      });
    }
    return out;
  }

  /** Handles and commits blocks from..to; -1 when the chain changed under the page (the next step rolls back). */
  private async indexPage(from: number, to: number, head: number, logs: Log[], cp: Checkpoint | null) {
    const { store, mappings, db } = this.o;
    logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    const numbers = [...new Set([...logs.map((l) => l.blockNumber), to, ...(cp === null ? [] : [from])])];
    const headers = await this.headers(numbers.sort((a, b) => a - b));
    const last = headers.get(to);
    // Logs and headers must describe one chain: else a reorg happened while the page was read.
    const first = headers.get(from);
    if (
      last === undefined ||
      logs.some((l) => headers.get(l.blockNumber)?.hash !== l.blockHash) ||
      (cp !== null && first !== undefined && first.parentHash !== cp.hash && from === cp.block + 1)
    ) {
      return -1;
    }
    let count = 0;
    try {
      for (const log of logs) {
        const decoded = mappings.decode(log);
        if (decoded === undefined) continue;
        const header = headers.get(log.blockNumber);
        if (header === undefined) throw new BackendError(`block ${log.blockNumber} not found`, "RPC");
        const ctx = {
          address: log.address,
          blockNumber: log.blockNumber,
          blockHash: header.hash,
          parentHash: header.parentHash,
          timestamp: header.timestamp,
          transactionHash: log.transactionHash,
          transactionIndex: log.transactionIndex,
          logIndex: log.index,
        };
        for (;;) {
          try {
            decoded.run(ctx);
            store.commitEvent();
            break;
          } catch (error) {
            store.dropEvent();
            if (!(error instanceof EntityNeeded)) {
              if (error instanceof MappingAbort) {
                throw new BackendError(
                  `${decoded.dataSource}.${decoded.handler} at block ${log.blockNumber} log ${log.index}: ${error.message}`,
                  "MAPPING",
                );
              }
              throw error;
            }
            await store.load(db, error.entity, error.id);
          }
        }
        count += 1;
      }
      const journal = to > head - this.reorgWindow ? from : undefined;
      await db.transaction(async (tx) => {
        await store.writePage(tx, journal);
        await tx.query(
          `insert into "reservebtc"."indexer_page" (from_block, to_block, to_hash, journaled) values ($1, $2, $3, $4)
           on conflict (from_block) do update set to_block = excluded.to_block, to_hash = excluded.to_hash,
             journaled = excluded.journaled`,
          [from, to, last.hash, journal !== undefined],
        );
        await tx.query(
          `insert into "reservebtc"."indexer_checkpoint" (id, chain_id, oracle, block_number, block_hash, block_timestamp)
           values (1, $1, $2, $3, $4, $5)
           on conflict (id) do update set block_number = excluded.block_number, block_hash = excluded.block_hash,
             block_timestamp = excluded.block_timestamp, updated_at = now()`,
          [String(this.chainId), this.o.deployment.oracle.toLowerCase(), to, last.hash, last.timestamp],
        );
        // Beyond the reorg window the journal and the page list are no longer needed.
        const keepFrom = to - this.reorgWindow;
        await tx.query(`delete from "reservebtc"."entity_journal" where page_from < $1`, [keepFrom]);
        await tx.query(`delete from "reservebtc"."indexer_page" where to_block < $1`, [keepFrom]);
      });
      store.pageCommitted();
    } catch (error) {
      store.pageAbandoned();
      throw error;
    }
    this.handled += count;
    return count;
  }

  /**
   * Restores the tables at the newest page end still on the chain (the common ancestor of the store and the chain)
   * and moves the checkpoint there. Returns the number of blocks undone.
   */
  private async rollback(cp: Checkpoint): Promise<number> {
    const { db, store } = this.o;
    const pages = await db.query<{
      from_block: string;
      to_block: string;
      to_hash: string;
      journaled: boolean;
    }>(
      `select from_block::text, to_block::text, to_hash, journaled from "reservebtc"."indexer_page"
       order by from_block desc`,
    );
    let ancestor: BlockHeader | undefined;
    const undone: typeof pages = [];
    for (const p of pages) {
      const onChain = await read(`block ${p.to_block}`, () => this.o.reader.getBlock(Number(p.to_block)));
      if (onChain !== null && onChain.hash === p.to_hash) {
        ancestor = onChain;
        break;
      }
      undone.push(p);
    }
    const deepest = undone.at(-1);
    if (deepest !== undefined && ancestor === undefined && Number(deepest.from_block) <= this.startBlock) {
      // Every page is gone: the store restarts from the deployment's start block.
      ancestor = { number: this.startBlock - 1, hash: "", parentHash: "", timestamp: 0 };
    }
    if (ancestor === undefined || undone.some((p) => !p.journaled)) {
      throw new BackendError(
        `the chain reorganised below the store's reorg window (${this.reorgWindow} blocks, checkpoint ${cp.block}): ` +
          `rebuild the store with realtime:index --reset`,
        "REORG_TOO_DEEP",
      );
    }
    const at = ancestor.number;
    await db.transaction(async (tx) => {
      const previous = await tx.query<{
        entity: string;
        id: string;
        previous: Record<string, unknown> | null;
      }>(
        `select distinct on (entity, id) entity, id, previous from "reservebtc"."entity_journal"
         where page_from > $1 order by entity, id, page_from asc`,
        [at],
      );
      const byEntity = new Map<string, typeof previous>();
      for (const r of previous) byEntity.set(r.entity, [...(byEntity.get(r.entity) ?? []), r]);
      for (const [entity, rows] of byEntity) {
        const t = store.table(entity);
        await tx.query(`delete from ${qualified(t.table)} where id = any($1::text[])`, [
          rows.map((r) => r.id),
        ]);
        await upsertRows(
          tx,
          t,
          rows.flatMap((r) => (r.previous === null ? [] : [r.previous])),
        );
      }
      for (const t of store.schema.tables.values()) {
        if (t.immutable && t.columns.some((c) => c.column === "block_number")) {
          await tx.query(`delete from ${qualified(t.table)} where block_number > $1`, [at]);
        }
      }
      await tx.query(`delete from "reservebtc"."entity_journal" where page_from > $1`, [at]);
      await tx.query(`delete from "reservebtc"."indexer_page" where from_block > $1`, [at]);
      if (at < this.startBlock) {
        await tx.query(`delete from "reservebtc"."indexer_checkpoint"`);
      } else {
        await tx.query(
          `update "reservebtc"."indexer_checkpoint" set block_number = $1, block_hash = $2, block_timestamp = $3,
             updated_at = now()`,
          [at, ancestor?.hash, ancestor?.timestamp],
        );
      }
    });
    store.clear();
    this.o.onProgress?.(`index: reorg — rolled back ${cp.block - at} blocks to block ${at}`);
    return cp.block - at;
  }

  private progress(block: number, target: number, events: number): void {
    const now = Date.now();
    if (this.o.onProgress === undefined || (block < target && now - this.lastProgress < 1_000)) return;
    this.lastProgress = now;
    const pct = target <= 0 ? 100 : Math.min(100, (100 * block) / target);
    this.o.onProgress(
      `index: block ${block}/${target} (${pct.toFixed(1)}%), ${this.handled} events handled${events > 0 ? `, page ${events}` : ""}`,
    );
  }

  /** Indexes until the store is at the target (head − confirmations). */
  async catchUp(signal?: AbortSignal): Promise<StepResult> {
    for (;;) {
      const r = await this.step();
      if (r.action === "caught-up" || signal?.aborted === true) return r;
    }
  }

  /** Follows the chain until `signal` aborts; a failing step is retried after `pollMs` (the node may be restarting). */
  async run(signal: AbortSignal, onError?: (error: unknown) => void): Promise<void> {
    while (!signal.aborted) {
      try {
        const r = await this.step();
        if (r.action === "caught-up") await sleep(this.pollMs, signal);
      } catch (error) {
        if (
          error instanceof BackendError &&
          (error.code === "REORG_TOO_DEEP" || error.code === "STORE_MISMATCH")
        ) {
          throw error;
        }
        onError?.(error);
        await sleep(this.pollMs * 5, signal);
      }
    }
  }
}
