import type { ContractTransactionReceipt } from "ethers";

import type {
  Oracle,
  ProofOfReserves,
  RBTCSynth,
  YieldScalesPool,
} from "../../types/ethers-contracts/index.js";
import { BackendError } from "../errors.js";
import { readBindings, readUserStates, snapshotOf } from "./chain-state.js";
import type { ReserveSigner } from "./committee.js";
import { CommitteeRefusedError } from "./committee.js";
import { deadlineFrom } from "./deadline.js";
import { GasCalibration, MAX_REPORTS_PER_TX, transactionGasBudget } from "./gas-calibration.js";
import { observeUsers } from "./observe.js";
import type { DroppedReport, OperatorRefusal } from "./refusals.js";
import { reportKey } from "./refusals.js";
import type { BitcoinSource, BitcoinTip, SkippedUser, SyncReport } from "./reports.js";
import { buildReports } from "./reports.js";
import type { ReserveLeaf } from "./reserve-tree.js";
import { ReserveTree } from "./reserve-tree.js";
import type { ReserveRound } from "./signing.js";
import type { BatchOutcome, BatchSigner, SubmitOptions } from "./submit.js";
import { DEFAULT_DEADLINE_SECONDS, retryTransient, submitReports } from "./submit.js";

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
  /** Most reports per transaction (default: as many as the gas budget holds, see gas-calibration.ts). */
  batchSize?: number;
  /** Users per Bitcoin scan chunk; a chunk's reports are submitted while the next one is scanned. Default 2,000. */
  scanChunkUsers?: number;
  bitcoinConcurrency?: number;
  onProgress?: (message: string) => void;
  /** Commit the reserve round (Merkle root + attested total) after the sync batches. */
  reserves?: { contract: ProofOfReserves; sign: ReserveSigner };
  /** Burn positions whose fee has been unpaid past the grace period (FEE_EXHAUSTED). Default: true unless dryRun. */
  feeExhaustedBurns?: boolean;
  /**
   * The yield pool, when deployed: after a BACKING_LOST burn the round retires the holder's uncovered wrBTC from her
   * pool stake (`slashStake`; the pool locks that stake until it is retired anyway).
   */
  yieldPool?: YieldScalesPool;
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

/** The reserve round a sync round committed, or why it did not. */
export type ReserveCommit =
  | {
      committed: true;
      roundId: bigint;
      merkleRoot: string;
      attestedSats: bigint;
      btcHeight: number;
      txHash: string;
    }
  | {
      committed: false;
      reason: string;
      /** Set when operators refused the round (they recomputed another root or total, or signed another one). */
      refusals?: OperatorRefusal[];
    };

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
  /** EmergencyBurn events in this round's receipts (sync batches and FEE_EXHAUSTED burns). */
  emergencyBurns: number;
  /** Users whose position the round burned for an exhausted fee. */
  feeExhaustedBurns: string[];
  /** Users whose uncovered wrBTC the round retired from their yield-pool stake (`slashStake`). */
  stakeSlashes: string[];
  /** The reserve round committed after the sync (absent when no `reserves` option was given). */
  reserves?: ReserveCommit;
  skipped: SkippedUser[];
  /** Reports the Oracle skipped on chain (held rises, stale sequences): re-reported by the next round. */
  skippedOnChain: BatchOutcome["skippedOnChain"];
  /** The reports submitted (dry run: the reports built). */
  reports: SyncReport[];
  /** Reports fewer than the threshold of operators agreed to: not submitted, retried next round. */
  dropped: DroppedReport[];
  /** Each reported user's attested total before the round (from the round's chain snapshot). */
  attestedBefore: ReadonlyMap<string, bigint>;
  batches: BatchOutcome[];
  gasUsed: bigint;
  rpcCalls: RoundRpcCalls;
  durationMs: number;
}

/** Users per Bitcoin scan chunk (see runSyncRound). */
export const SCAN_CHUNK_USERS = 2_000;

/** The gas calibration all submissions of a round share, sized from the latest block's gas limit. */
async function roundCalibration(oracle: Oracle, options: RoundOptions): Promise<GasCalibration> {
  const block = await retryTransient(async () => oracle.runner?.provider?.getBlock("latest"));
  if (block == null) throw new Error("the chain returned no latest block");
  return new GasCalibration(
    transactionGasBudget(block.gasLimit),
    options.batchSize ?? MAX_REPORTS_PER_TX,
    options.submit?.gasPerReport,
  );
}

/**
 * A report's cost class for gas calibration (see gas-calibration.ts): a user's first mint writes fresh storage and
 * costs ~50% more than a later one; burns and unchanged totals are cheaper.
 */
function costClassOf(attested: ReadonlyMap<string, bigint>): (report: SyncReport) => string {
  return (report) => {
    const previous = attested.get(report.user) ?? 0n;
    if (report.newTotalSats > previous) return previous === 0n ? "first-mint" : "mint";
    return report.newTotalSats < previous ? "burn" : "unchanged";
  };
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
  // The bindings first: the Bitcoin scan needs only the addresses, so the users' attested states are read from the
  // node while Bitcoin is scanned (the node and this process work in parallel).
  const bindings = await retryTransient(() => readBindings(oracle));
  progress(`chain block ${bindings.blockNumber}: ${bindings.users.length} users`);
  const statesRead = retryTransient(() => readUserStates(oracle, bindings));
  statesRead.catch(() => undefined); // awaited below; a scan failure must not leave it unhandled
  const bestTip = await bitcoin.tip();
  const reorg = await retryTransient(() =>
    detectAnchorReorg(oracle, bitcoin, bindings.highestBtcHeight, bestTip, bindings.blockNumber),
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
    `bitcoin tip ${tip.height} ${tip.hash.slice(0, 16)}…, minConfirmations ${bindings.minConfirmations}`,
  );
  // Record every address's balance as it is read: the reserve leaves are exactly what the reports were built from.
  const addressSats = new Map<string, bigint>();
  const recording: BitcoinSource = {
    tip: () => bitcoin.tip(),
    blockHashAt: (height) => bitcoin.blockHashAt(height),
    confirmedBalance: async (address, minConfirmations, at) => {
      const balance = await bitcoin.confirmedBalance(address, minConfirmations, at);
      addressSats.set(address, balance.sats);
      return balance;
    },
  };
  const scanned = bindings.users.map((user) => ({ user, addresses: bindings.addressesOf.get(user) ?? [] }));
  const live = options.dryRun !== true;
  // The attested states (read while the first chunk is scanned), and each user's attested total from them.
  const snapshotRead = statesRead.then((read) => snapshotOf(bindings, read));
  const attestedRead = snapshotRead.then(
    (snapshot) => new Map(snapshot.users.map((u) => [u.user, u.attestedSats])),
  );
  // Awaited below; like statesRead, they must not be left unhandled when the scan fails first.
  snapshotRead.catch(() => undefined);
  attestedRead.catch(() => undefined);

  // Bitcoin is scanned in chunks of users, and each chunk's reports are submitted while the next chunk is scanned
  // (the node mines while this process reads Bitcoin); the submissions run one after another (one nonce lane) and
  // share one gas calibration. Every balance is computed at `tip`; before a chunk's reports go anywhere, its tip
  // block must still be on the best chain — if it left it, the totals may mix two chains: nothing more is reported
  // this round (what earlier chunks attested is corrected by the next round, as after any reorg).
  const chunkSize = Math.max(1, options.scanChunkUsers ?? SCAN_CHUNK_USERS);
  const reports: SyncReport[] = [];
  const skipped: SkippedUser[] = [];
  let unchanged = 0;
  const batches: BatchOutcome[] = [];
  let calibration: GasCalibration | undefined;
  let submitting: Promise<void> = Promise.resolve();
  const dropped: DroppedReport[] = [];
  let submitFailure: { error: unknown } | undefined;
  const submitChunk = async (chunk: readonly SyncReport[]): Promise<void> => {
    if (submitFailure !== undefined) return;
    try {
      calibration ??= await roundCalibration(oracle, options);
      const outcomes = await submitReports(oracle, rbtc, chunk, sign, {
        batchSize: options.batchSize,
        costClass: costClassOf(await attestedRead),
        calibration,
        ...options.submit,
        onBatch: (b) => progress(`batch of ${b.reports} in block ${b.blockNumber}: ${b.gasUsed} gas`),
        onDropped: (d) => {
          dropped.push(...d);
          progress(`${d.length} reports dropped: fewer than the threshold of operators agreed`);
          options.submit?.onDropped?.(d);
        },
      });
      batches.push(...outcomes);
    } catch (error) {
      submitFailure = { error };
    }
  };
  // A scan failure waits for the submissions already under way: no transaction of this round outlives it.
  try {
    for (let start = 0; start < scanned.length && submitFailure === undefined; start += chunkSize) {
      const part = scanned.slice(start, start + chunkSize);
      const observations = await observeUsers(recording, part, bindings.minConfirmations, tip, {
        concurrency: options.bitcoinConcurrency,
        onProgress: (done, total) => {
          if (done === total || (start + done) % 1000 === 0)
            progress(`bitcoin balances ${start + done}/${scanned.length}`);
        },
      });
      const hashNow = await bitcoin.blockHashAt(tip.height);
      if (hashNow !== tip.hash) {
        throw new BackendError(
          `Bitcoin reorganised during the scan (block ${tip.height} is now ${hashNow}); retry`,
        );
      }
      const built = buildReports(
        (await snapshotRead).users.slice(start, start + chunkSize),
        observations,
        tip,
      );
      reports.push(...built.reports);
      skipped.push(...built.skipped);
      unchanged += built.unchanged;
      if (live && built.reports.length > 0) {
        const chunk = built.reports;
        submitting = submitting.then(() => submitChunk(chunk));
      }
    }
  } finally {
    await submitting;
  }
  progress(`${reports.length} reports, ${unchanged} unchanged, ${skipped.length} skipped`);
  if (submitFailure !== undefined) throw submitFailure.error;
  const snapshot = await snapshotRead;

  const burnReceipts: ContractTransactionReceipt[] = [];
  const feeExhaustedBurns: string[] = [];
  if (live && options.feeExhaustedBurns !== false) {
    const candidates = new Set<string>([
      ...snapshot.users.filter((u) => u.deferredSats > 0n).map((u) => u.user),
      ...batches.flatMap((b) => b.deferredUsers),
    ]);
    for (const user of candidates) {
      const receipt = await burnIfFeeExhausted(oracle, rbtc, user);
      if (receipt !== undefined) {
        burnReceipts.push(receipt);
        feeExhaustedBurns.push(user);
        progress(`FEE_EXHAUSTED burn of ${user} in block ${receipt.blockNumber}`);
      }
    }
  }

  const stakeSlashes: string[] = [];
  if (live && options.yieldPool !== undefined) {
    for (const user of new Set(batches.flatMap((b) => b.backingLostUsers))) {
      if (await slashStakeIfUncovered(options.yieldPool, user)) {
        stakeSlashes.push(user);
        progress(`retired ${user}'s uncovered wrBTC from the yield-pool stake`);
      }
    }
  }

  let reserves: ReserveCommit | undefined;
  if (live && options.reserves !== undefined) {
    const failed = skipped.filter((s) => s.reason === "bitcoin-backend-error");
    if (failed.length > 0) {
      reserves = { committed: false, reason: `${failed.length} users' balances could not be read` };
    } else {
      const leaves: ReserveLeaf[] = snapshot.users.flatMap((u) =>
        u.addresses.map((btcAddress) => ({
          user: u.user,
          btcAddress,
          sats: addressSats.get(btcAddress) ?? 0n,
        })),
      );
      reserves = await commitReserveRound(options.reserves, leaves, tip.height, snapshot.blockNumber);
      if (reserves.committed)
        progress(`reserve round ${reserves.roundId}: ${reserves.attestedSats} sats attested`);
    }
  }

  // Batches' EmergencyBurn events were decoded from their receipts already; the FEE_EXHAUSTED burns' receipts are in
  // hand too — no receipt is fetched twice.
  const oracleAddress = (await oracle.getAddress()).toLowerCase();
  const emergencyTopic = oracle.interface.getEvent("EmergencyBurn").topicHash;
  const emergencyBurns =
    batches.reduce((sum, b) => sum + b.emergencyBurns, 0) +
    burnReceipts
      .flatMap((receipt) => receipt.logs)
      .filter((log) => log.address.toLowerCase() === oracleAddress && log.topics[0] === emergencyTopic)
      .length;

  const droppedKeys = new Set(dropped.map((d) => reportKey(d.report)));
  const submitted = droppedKeys.size === 0 ? reports : reports.filter((r) => !droppedKeys.has(reportKey(r)));
  const attested = await attestedRead;
  const attestedBefore = new Map(reports.map((r) => [r.user, attested.get(r.user) ?? 0n] as const));
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
    changed: submitted.length,
    mintedSats: batches.reduce((sum, b) => sum + b.mintedSats, 0n),
    burnedSats: batches.reduce((sum, b) => sum + b.burnedSats, 0n),
    deferred: batches.flatMap((b) => b.deferredUsers),
    queued: batches.flatMap((b) => b.queuedUsers),
    emergencyBurns,
    feeExhaustedBurns,
    stakeSlashes,
    ...(reserves === undefined ? {} : { reserves }),
    skipped,
    reports: submitted,
    dropped,
    skippedOnChain: batches.flatMap((b) => b.skippedOnChain),
    attestedBefore,
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

/**
 * Sends `emergencyBurnFeeExhausted(user)` when the user's fee has been unpaid past the grace period, a report after
 * the grace period re-confirmed the unpaid rise (this round's, normally) and they hold rBTC — the Oracle's own
 * conditions, checked against the latest block first so no transaction is wasted. Returns the receipt, or undefined.
 */
async function burnIfFeeExhausted(
  oracle: Oracle,
  rbtc: RBTCSynth,
  user: string,
): Promise<ContractTransactionReceipt | undefined> {
  const provider = oracle.runner?.provider;
  const block = await provider?.getBlock("latest");
  if (block == null) return undefined;
  const [state, grace, backed] = await Promise.all([
    oracle.userState(user),
    oracle.feeGracePeriodSeconds(),
    rbtc.totalBackedOf(user),
  ]);
  const graceEnd = state.feeUnpaidSince + grace;
  // The next block's timestamp is at least one second later than the latest one.
  if (state.deferredSats === 0n || backed === 0n || BigInt(block.timestamp) + 1n < graceEnd) return undefined;
  if (state.lastSyncAt < graceEnd) return undefined;
  const tx = await oracle.emergencyBurnFeeExhausted(user);
  return (await tx.wait()) ?? undefined;
}

/**
 * Sends `slashStake(user)` when the pool holds a stake of `user` and she has an uncovered wrBTC deficit (checked with
 * a static call first, so no transaction is wasted). True when a stake was slashed.
 */
async function slashStakeIfUncovered(pool: YieldScalesPool, user: string): Promise<boolean> {
  try {
    await pool.slashStake.staticCall(user);
  } catch {
    return false; // no stake or no deficit (YieldNothingToSlash), or the pool is paused
  }
  await (await pool.slashStake(user)).wait();
  return true;
}

/** Builds the reserve tree over `leaves`, has the committee sign the next round and commits it. */
async function commitReserveRound(
  reserves: NonNullable<RoundOptions["reserves"]>,
  leaves: readonly ReserveLeaf[],
  btcHeight: number,
  chainBlock: number,
): Promise<ReserveCommit> {
  const { contract, sign } = reserves;
  const tree = new ReserveTree(leaves);
  const roundId = (await contract.latestRoundId()) + 1n;
  const previous = await contract.round(roundId - 1n);
  if (previous.btcHeight > BigInt(btcHeight)) {
    return {
      committed: false,
      reason: `Bitcoin tip ${btcHeight} is below the last round's ${previous.btcHeight}`,
    };
  }
  const block = await contract.runner?.provider?.getBlock("latest");
  const deadline = deadlineFrom(block?.timestamp ?? 0, DEFAULT_DEADLINE_SECONDS);
  const round: ReserveRound = {
    roundId,
    merkleRoot: tree.root,
    attestedSats: tree.totalSats,
    btcHeight: BigInt(btcHeight),
    deadline,
  };
  let signatures: string[];
  try {
    signatures = await sign(round, { chainBlock });
  } catch (error) {
    // Operators recomputed another root or total: the round is not committed (the next round tries again).
    if (error instanceof CommitteeRefusedError) {
      return { committed: false, reason: error.message, refusals: error.refusals };
    }
    throw error;
  }
  const tx = await contract.commitRound(
    round.merkleRoot,
    round.attestedSats,
    round.btcHeight,
    deadline,
    signatures,
  );
  const receipt = await tx.wait();
  return {
    committed: true,
    roundId,
    merkleRoot: tree.root,
    attestedSats: tree.totalSats,
    btcHeight,
    txHash: receipt?.hash ?? tx.hash,
  };
}
