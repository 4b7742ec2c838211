import type { Oracle, RBTCSynth } from "../../types/ethers-contracts/index.js";
import { BackendError } from "../errors.js";
import { readChainSnapshot } from "./chain-state.js";
import { observeUsers } from "./observe.js";
import type { BitcoinSource, BitcoinTip, SkippedUser, SyncReport } from "./reports.js";
import { buildReports } from "./reports.js";
import type { BatchOutcome, BatchSigner, SubmitOptions } from "./submit.js";
import { retryTransient, submitReports } from "./submit.js";

/** A reorganisation that replaced the block the Oracle anchored at its highest attested height. */
export interface AnchorReorg {
  height: number;
  previousHash: string;
  newHash: string;
}

/**
 * Compares the Oracle's anchor at its highest attested Bitcoin height with the backend's block at that height. A
 * different hash means that block left the best chain: every total attested there may include BTC that no longer
 * exists. (A reorg of blocks above the anchor changes nothing attested.)
 */
export async function detectAnchorReorg(
  oracle: Oracle,
  bitcoin: BitcoinSource,
  highestBtcHeight: bigint,
  tip: BitcoinTip,
  blockNumber: number,
): Promise<AnchorReorg | undefined> {
  if (highestBtcHeight === 0n || highestBtcHeight > BigInt(tip.height)) return undefined;
  const height = Number(highestBtcHeight);
  const anchored = await oracle.btcAnchor(highestBtcHeight, { blockTag: blockNumber });
  if (/^0x0{64}$/.test(anchored)) return undefined;
  const current = height === tip.height ? tip.hash : await bitcoin.blockHashAt(height);
  const previousHash = anchored.slice(2).toLowerCase();
  return previousHash === current.toLowerCase() ? undefined : { height, previousHash, newHash: current };
}

export interface RoundOptions {
  dryRun?: boolean;
  batchSize?: number;
  bitcoinConcurrency?: number;
  onProgress?: (message: string) => void;
  /** Retry / fee-bump settings and submit events (see submitReports). */
  submit?: Omit<SubmitOptions, "batchSize" | "onBatch">;
}

/** RPC calls a round made: EVM (chain reads, sends, receipts) and Bitcoin backend requests. */
export interface RoundRpcCalls {
  evm: number;
  bitcoin: number;
  /** (evm + bitcoin) / users checked. */
  perUser: number;
}

/** The round summary `oracle:sync` prints (amounts in sats). */
export interface RoundSummary {
  dryRun: boolean;
  chainBlock: number;
  bitcoinTip: BitcoinTip;
  minConfirmations: number;
  /** Set when Bitcoin reorganised across the highest attested height (the round then reported at that height). */
  reorg?: AnchorReorg;
  usersChecked: number;
  unchanged: number;
  changed: number;
  mintedSats: bigint;
  burnedSats: bigint;
  deferred: string[];
  queued: string[];
  emergencyBurns: number;
  skipped: SkippedUser[];
  reports: SyncReport[];
  batches: BatchOutcome[];
  gasUsed: bigint;
  rpcCalls: RoundRpcCalls;
  durationMs: number;
}

/**
 * One oracle round: read all bindings and attested state from chain, read confirmed balances at one Bitcoin tip,
 * build reports for users whose total changed, have the committee sign, submit in gas-bounded batches.
 * Stateless: everything comes from chain and Bitcoin, so a crashed round is simply run again.
 */
export async function runSyncRound(
  oracle: Oracle,
  rbtc: RBTCSynth,
  bitcoin: BitcoinSource,
  sign: BatchSigner,
  options: RoundOptions = {},
): Promise<RoundSummary> {
  const started = Date.now();
  const progress = options.onProgress ?? (() => undefined);

  const bitcoinRequestsBefore = bitcoin.stats?.().requests ?? 0;
  const snapshot = await retryTransient(() => readChainSnapshot(oracle));
  progress(`chain block ${snapshot.blockNumber}: ${snapshot.users.length} users`);
  const bestTip = await bitcoin.tip();
  const reorg = await retryTransient(() =>
    detectAnchorReorg(oracle, bitcoin, snapshot.highestBtcHeight, bestTip, snapshot.blockNumber),
  );
  // After a reorg across the highest attested height, the round reports at that height on the new chain: its
  // reports re-anchor it (the Oracle emits BitcoinAnchorReplaced) and burn what the reorg took away.
  const tip = reorg === undefined ? bestTip : { height: reorg.height, hash: reorg.newHash };
  if (reorg !== undefined) {
    progress(
      `Bitcoin reorganised at attested height ${reorg.height}: ${reorg.previousHash} → ${reorg.newHash}`,
    );
  }
  progress(
    `bitcoin tip ${tip.height} ${tip.hash.slice(0, 16)}…, minConfirmations ${snapshot.minConfirmations}`,
  );
  const observations = await observeUsers(bitcoin, snapshot.users, snapshot.minConfirmations, tip, {
    concurrency: options.bitcoinConcurrency,
    onProgress: (done, total) => {
      if (done === total || done % 1000 === 0) progress(`bitcoin balances ${done}/${total}`);
    },
  });
  // Every balance was computed at `tip`; if that block left the best chain during the scan, the totals may mix two
  // chains. Report nothing this round rather than attest a chain that no longer exists.
  const hashNow = await bitcoin.blockHashAt(tip.height);
  if (hashNow !== tip.hash) {
    throw new BackendError(
      `Bitcoin reorganised during the scan (block ${tip.height} is now ${hashNow}); retry`,
    );
  }
  const { reports, skipped, unchanged } = buildReports(snapshot.users, observations, tip);
  progress(`${reports.length} reports, ${unchanged} unchanged, ${skipped.length} skipped`);

  const batches =
    options.dryRun === true || reports.length === 0
      ? []
      : await submitReports(oracle, rbtc, reports, sign, {
          batchSize: options.batchSize,
          ...options.submit,
          onBatch: (b) => progress(`batch of ${b.reports} in block ${b.blockNumber}: ${b.gasUsed} gas`),
        });

  const evmCalls = snapshot.rpcCalls + batches.reduce((sum, b) => sum + b.rpcCalls, 0);
  // Without request counters (a source that keeps none), count the tip, the re-check and one read per address.
  const bitcoinCalls =
    bitcoin.stats !== undefined
      ? bitcoin.stats().requests - bitcoinRequestsBefore
      : 3 + snapshot.users.reduce((sum, u) => sum + u.addresses.length, 0);
  return {
    dryRun: options.dryRun === true,
    chainBlock: snapshot.blockNumber,
    bitcoinTip: tip,
    minConfirmations: snapshot.minConfirmations,
    ...(reorg !== undefined ? { reorg } : {}),
    usersChecked: snapshot.users.length,
    unchanged,
    changed: reports.length,
    mintedSats: batches.reduce((sum, b) => sum + b.mintedSats, 0n),
    burnedSats: batches.reduce((sum, b) => sum + b.burnedSats, 0n),
    deferred: batches.flatMap((b) => b.deferredUsers),
    queued: batches.flatMap((b) => b.queuedUsers),
    emergencyBurns: 0,
    skipped,
    reports,
    batches,
    gasUsed: batches.reduce((sum, b) => sum + b.gasUsed, 0n),
    rpcCalls: {
      evm: evmCalls,
      bitcoin: bitcoinCalls,
      perUser: snapshot.users.length === 0 ? 0 : (evmCalls + bitcoinCalls) / snapshot.users.length,
    },
    durationMs: Date.now() - started,
  };
}
