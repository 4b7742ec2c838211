import type {
  Addressable,
  ContractTransactionReceipt,
  Interface,
  Log,
  Provider,
  Signer,
  TransactionReceipt,
} from "ethers";

import type { Oracle, RBTCSynth } from "../../types/ethers-contracts/index.js";
import { Semaphore } from "../bitcoin/esplora.js";
import { ChainError } from "../errors.js";
import { deadlineFrom } from "./deadline.js";
import { GasCalibration, MAX_REPORTS_PER_TX, transactionGasBudget } from "./gas-calibration.js";
import type { DroppedReport } from "./refusals.js";
import type { SyncReport } from "./reports.js";
import { SendLane } from "./send-lane.js";

/** How long committee signatures stay valid (capped by the Oracle's maxReportValiditySeconds). */
export const DEFAULT_DEADLINE_SECONDS = 600n;

/** A batch the committee approved: the reports its signatures cover and the ones it dropped. */
export interface BatchApproval {
  /** The reports the signatures cover, in the order proposed (every proposed report not in `dropped`). */
  reports: SyncReport[];
  /** ≥ threshold signatures over (reports, deadline), sorted by signer address (empty when every report dropped). */
  signatures: string[];
  /** Reports fewer than the threshold of operators agreed to, with each operator's refusal. */
  dropped: DroppedReport[];
}

/**
 * Signs one batch. Operator nodes verify every report and may refuse some: those fewer than the threshold agreed to
 * are dropped (they are retried next round) and the rest is signed. Throws CommitteeError when fewer than the
 * threshold of operators answered at all.
 */
export type BatchSigner = (reports: readonly SyncReport[], deadline: bigint) => Promise<BatchApproval>;

/** What one submitted batch did, read from its receipt's events. */
export interface BatchOutcome {
  txHash: string;
  blockNumber: number;
  reports: number;
  gasUsed: bigint;
  mintedSats: bigint;
  burnedSats: bigint;
  deferredUsers: string[];
  queuedUsers: string[];
  reorgAnchors: number;
  /** EmergencyBurn events in the receipt (BACKING_LOST burns inside the sync). */
  emergencyBurns: number;
  /** Users of those BACKING_LOST burns: their wrBTC deficit may be retired from a yield-pool stake. */
  backingLostUsers: string[];
  /**
   * Reports the Oracle skipped (`ReportSkipped`): a held rise (frozen, unbound, paused — re-reported next round) or a
   * stale sequence (consumed by an unbind, a dispute or a reset after the round read the chain). Nothing changed.
   */
  skippedOnChain: Array<{ user: string; sequence: bigint; reason: ReportSkipReason }>;
  /** Transactions sent for this batch (1 unless it was retried or replaced with a higher fee). */
  attempts: number;
  /** EVM RPC calls this batch took (signing excluded). */
  rpcCalls: number;
}

function decode(iface: Interface, log: Log): ReturnType<Interface["parseLog"]> {
  try {
    return iface.parseLog(log);
  } catch {
    return null;
  }
}

/** `IOracle.EmergencyBurnReason.BACKING_LOST`. */
const BACKING_LOST = 3;

/** `IOracle.SkipReason` names by code. */
export const REPORT_SKIP_REASONS = ["DISPUTE_OPEN", "UNBOUND", "PAUSED", "STALE_SEQUENCE"] as const;
export type ReportSkipReason = (typeof REPORT_SKIP_REASONS)[number] | "UNKNOWN";

/** The lower-case address a contract is attached at (contracts here are always attached by address). */
function attachedAddress(target: string | Addressable): string {
  if (typeof target !== "string") throw new TypeError("contract attached without a plain address");
  return target.toLowerCase();
}

/** Reads the receipt's Oracle and rBTC events into a batch outcome. */
export function summariseReceipt(
  receipt: ContractTransactionReceipt | TransactionReceipt,
  reports: number,
  oracle: Oracle,
  rbtc: RBTCSynth,
): BatchOutcome {
  const outcome: BatchOutcome = {
    txHash: receipt.hash,
    blockNumber: receipt.blockNumber,
    reports,
    gasUsed: receipt.gasUsed,
    mintedSats: 0n,
    burnedSats: 0n,
    deferredUsers: [],
    queuedUsers: [],
    reorgAnchors: 0,
    emergencyBurns: 0,
    backingLostUsers: [],
    skippedOnChain: [],
    attempts: 1,
    rpcCalls: 0,
  };
  const oracleAddress = attachedAddress(oracle.target);
  const rbtcAddress = attachedAddress(rbtc.target);
  for (const log of receipt.logs) {
    const address = log.address.toLowerCase();
    if (address === rbtcAddress) {
      const event = decode(rbtc.interface, log);
      if (event?.name === "Minted") outcome.mintedSats += event.args.amountSats as bigint;
      if (event?.name === "Burned") {
        outcome.burnedSats += (event.args.freeSats as bigint) + (event.args.escrowSats as bigint);
      }
    } else if (address === oracleAddress) {
      const event = decode(oracle.interface, log);
      if (event?.name === "NeedsTopUp") outcome.deferredUsers.push(event.args.user as string);
      if (event?.name === "MintQueued") outcome.queuedUsers.push(event.args.user as string);
      if (event?.name === "BitcoinAnchorReplaced") outcome.reorgAnchors += 1;
      if (event?.name === "EmergencyBurn") {
        outcome.emergencyBurns += 1;
        if (Number(event.args.reason) === BACKING_LOST)
          outcome.backingLostUsers.push(event.args.user as string);
      }
      if (event?.name === "ReportSkipped") {
        outcome.skippedOnChain.push({
          user: event.args.user as string,
          sequence: event.args.sequence as bigint,
          reason: REPORT_SKIP_REASONS[Number(event.args.reason)] ?? "UNKNOWN",
        });
      }
    }
  }
  return outcome;
}

/** Bounded retries of sends that failed for transient reasons (RPC errors, nonce conflicts). */
export const DEFAULT_SEND_RETRIES = 3;
/** How long a sent transaction may stay unmined before it is replaced with a higher fee. */
export const DEFAULT_RECEIPT_TIMEOUT_MS = 60_000;
/** Fee increase of a replacement, in percent (nodes require ≥ 10%). */
export const DEFAULT_FEE_BUMP_PERCENT = 25n;
/** Replacements of one stuck transaction before the batch fails. */
export const DEFAULT_MAX_FEE_BUMPS = 3;
/** How often a pending transaction's receipt is polled. */
export const DEFAULT_RECEIPT_POLL_MS = 250;
/** First backoff between retries; doubles per attempt. */
export const DEFAULT_RETRY_BACKOFF_MS = 200;
/** Sync transactions in flight at once (signed and sent, receipt pending). */
export const DEFAULT_MAX_IN_FLIGHT = 8;

/** What happened while submitting (the runner logs these; tests drive faults from them). */
export type SubmitEvent =
  | { kind: "sent"; txHash: string; nonce: number; maxFeePerGas: bigint; reports: number }
  | { kind: "replaced"; txHash: string; previousTxHash: string; nonce: number; maxFeePerGas: bigint }
  | { kind: "retry"; attempt: number; reason: string }
  | { kind: "nonce-conflict"; nonce: number; detail: string }
  | { kind: "already-applied"; txHash: string };

export interface SubmitOptions {
  /** Most reports per transaction. Default: as many as the gas budget holds (at most 500). */
  batchSize?: number;
  /** Transactions signed and sent but not yet mined, at most. Default 8. */
  maxInFlight?: number;
  /**
   * The cost class of a report (reports are batched by class and the first batch of each class is gas-estimated
   * to calibrate the rest). Default: one class.
   */
  costClass?: (report: SyncReport) => string;
  /** Called with the reports the committee dropped from a batch (fewer than the threshold agreed). */
  onDropped?: (dropped: readonly DroppedReport[]) => void;
  /** Known gas per report by cost class (skips the calibration estimate of those classes). */
  gasPerReport?: Readonly<Record<string, bigint>>;
  /** A calibration to use and extend (several submissions of one round share one); `gasPerReport` then ignored. */
  calibration?: GasCalibration;
  onBatch?: (outcome: BatchOutcome) => void;
  onEvent?: (event: SubmitEvent) => void;
  /** Extra attempts after a transient send failure. Default 3. */
  retries?: number;
  /** Unmined this long → replaced with a higher fee. Default 60 s. */
  receiptTimeoutMs?: number;
  feeBumpPercent?: bigint;
  maxFeeBumps?: number;
  receiptPollMs?: number;
  retryBackoffMs?: number;
}

const TRANSIENT_PATTERNS = [
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|socket hang up|fetch failed|network error|timeout|unexpected status code|connection refused|other side closed|UND_ERR_SOCKET|Failed to make POST request/i,
  /\b(429|500|502|503|504)\b|bad gateway|service unavailable|too many requests/i,
];
const OUT_OF_GAS_PATTERN = /out of gas/i;
const NONCE_PATTERNS =
  /nonce too low|nonce has already been used|already known|known transaction|nonce.*(lower|expired)|replacement transaction underpriced|NONCE_EXPIRED|REPLACEMENT_UNDERPRICED/i;

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const nested = (error as { error?: { message?: string }; shortMessage?: string }).error?.message ?? "";
    return `${error.message} ${nested}`;
  }
  return String(error);
}

/** A send failure that another attempt may fix: a network/RPC error. */
export function isTransientError(error: unknown): boolean {
  const text = messageOf(error);
  return TRANSIENT_PATTERNS.some((p) => p.test(text));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs a read with bounded retries on transient RPC errors (a dropped keep-alive connection, HTTP 5xx, timeouts).
 * Reads are idempotent, so retrying them is always safe.
 */
export async function retryTransient<T>(
  read: () => Promise<T>,
  retries = DEFAULT_SEND_RETRIES,
  backoffMs = DEFAULT_RETRY_BACKOFF_MS,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= retries || !isTransientError(error)) throw error;
      await sleep(backoffMs * 2 ** attempt);
    }
  }
}

/** The nonce we sent with was already used (by an earlier attempt whose answer was lost, or another sender). */
export function isNonceConflict(error: unknown): boolean {
  return NONCE_PATTERNS.test(messageOf(error));
}

/** "OracleBadSequence(0xab…, 2, 1)" from a revert, or the error's first line. */
export function describeRevert(oracle: Oracle, error: unknown): string {
  const data =
    (error as { data?: unknown; error?: { data?: unknown } }).data ??
    (error as { error?: { data?: unknown } }).error?.data;
  if (typeof data === "string" && data.startsWith("0x") && data.length >= 10) {
    try {
      const parsed = oracle.interface.parseError(data);
      if (parsed !== null) return `${parsed.name}(${parsed.args.map((a: unknown) => String(a)).join(", ")})`;
    } catch {
      // not an Oracle error
    }
  }
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "unknown error";
}

/** A sync transaction ran out of gas (its gas limit came from the calibration, not from an estimate). */
class OutOfGasError extends ChainError {
  constructor(
    message: string,
    readonly nonce: number,
    readonly attempts: number,
  ) {
    super(message, "SUBMIT_OUT_OF_GAS");
  }
}

/** Options that shape the submission as a whole rather than one batch's send. */
type SharedOption =
  | "batchSize"
  | "onBatch"
  | "onEvent"
  | "onDropped"
  | "maxInFlight"
  | "costClass"
  | "gasPerReport"
  | "calibration";

/** Everything the batches of one submission share. */
interface SendContext {
  oracle: Oracle;
  rbtc: RBTCSynth;
  provider: Provider;
  signer: Signer;
  from: string;
  lane: SendLane;
  /** Fee caps read once per submission; a stuck transaction's replacement raises its own copy. */
  fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };
  options: Required<Omit<SubmitOptions, SharedOption>> & Pick<SubmitOptions, "onEvent">;
  fromBlock: number;
  /** Set once a batch failed for good: batches not sent yet are not sent, receipt waits end. */
  abort: { failed: boolean };
}

const aborted = () => new ChainError("submission stopped: another batch of the round failed", "SUBMIT");

/** True when every report of `batch` is already applied on chain (each user's sequence reached the report's). */
async function batchApplied(
  ctx: SendContext,
  rpc: { calls: number },
  batch: readonly SyncReport[],
): Promise<boolean> {
  const users = batch.map((r) => r.user);
  rpc.calls += 1;
  const views = await ctx.oracle.userStates(users);
  return batch.every((r, i) => (views[i]?.sequence ?? 0n) >= r.sequence);
}

/** The receipt of the transaction that applied `batch` (found by its first user's Synced event). */
async function findAppliedReceipt(
  ctx: SendContext,
  rpc: { calls: number },
  batch: readonly SyncReport[],
): Promise<TransactionReceipt | null> {
  const first = batch[0];
  if (first === undefined) return null;
  rpc.calls += 2;
  const events = await ctx.oracle.queryFilter(ctx.oracle.filters.Synced(first.user), ctx.fromBlock);
  const match = events.find((e) => e.args.sequence === first.sequence);
  return match === undefined ? null : ctx.provider.getTransactionReceipt(match.transactionHash);
}

/** Polls the receipts of `hashes` until one is mined or `timeoutMs` passes (first poll at once). */
async function waitAnyReceipt(
  ctx: SendContext,
  rpc: { calls: number },
  hashes: readonly string[],
  timeoutMs: number,
): Promise<TransactionReceipt | null> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    for (const hash of hashes) {
      rpc.calls += 1;
      const receipt = await ctx.provider.getTransactionReceipt(hash).catch((error: unknown) => {
        if (isTransientError(error)) return null;
        throw error;
      });
      if (receipt !== null) return receipt;
    }
    if (ctx.abort.failed) throw aborted();
    if (Date.now() >= until) return null;
    await sleep(ctx.options.receiptPollMs);
  }
}

/** One batch's sends: the nonce it goes out with, its fees, the hashes sent, the attempts, failures and fee bumps. */
interface SendState {
  request: Awaited<ReturnType<Oracle["sync"]["populateTransaction"]>>;
  gas: bigint;
  nonce: number | undefined;
  /** The next send takes a fresh nonce from the chain (the last one went to another transaction). */
  freshNonce: boolean;
  fees: SendContext["fees"];
  sent: string[];
  attempts: number;
  failures: number;
  bumps: number;
  rpc: { calls: number };
}

type SendResult = { receipt: TransactionReceipt; attempts: number; nonce: number; rpcCalls: number };

/** Counts a failure; past `retries` throws it as a ChainError, else reports a retry and backs off. */
async function failOrBackoff(
  ctx: SendContext,
  state: SendState,
  error: unknown,
  what: string,
): Promise<void> {
  const { oracle, options } = ctx;
  state.failures += 1;
  if (state.failures > options.retries) {
    throw new ChainError(
      `${what} failed after ${state.failures} attempts: ${describeRevert(oracle, error)}`,
      "SUBMIT",
    );
  }
  options.onEvent?.({ kind: "retry", attempt: state.failures, reason: describeRevert(oracle, error) });
  await sleep(options.retryBackoffMs * 2 ** (state.failures - 1));
}

/** One send under the lane's lock; transient failures retried in place. Returns the hash or the hard error. */
function sendUnderLane(
  ctx: SendContext,
  state: SendState,
): Promise<{ hash: string; nonce: number } | { error: unknown; nonce: number | undefined }> {
  const { lane, signer } = ctx;
  return lane.exclusive(async () => {
    for (;;) {
      if (ctx.abort.failed) throw aborted();
      try {
        if (state.nonce === undefined) {
          state.nonce = state.freshNonce ? await lane.fresh() : await lane.next();
          state.freshNonce = false;
        }
        state.rpc.calls += 1;
        state.attempts += 1;
        const tx = await signer.sendTransaction({
          ...state.request,
          from: ctx.from,
          nonce: state.nonce,
          gasLimit: state.gas,
          ...state.fees,
          type: 2,
        });
        return { hash: tx.hash, nonce: state.nonce };
      } catch (error) {
        if (!isTransientError(error) || isNonceConflict(error)) return { error, nonce: state.nonce };
        // The send may have reached the node before the error: the retry reuses the nonce, so it cannot apply
        // twice.
        await failOrBackoff(ctx, state, error, "sending the batch");
      }
    }
  });
}

/**
 * A nonce conflict: was it our own earlier attempt (whose answer was lost) or another transaction? Waits for the
 * nonce to be mined, then looks at the chain: never resends a batch the chain already applied. Returns the applied
 * batch's receipt, or undefined to send again with a fresh nonce.
 */
async function settleNonceConflict(
  ctx: SendContext,
  state: SendState,
  batch: readonly SyncReport[],
  error: unknown,
  nonce: number | undefined,
): Promise<SendResult | undefined> {
  const { oracle, options } = ctx;
  options.onEvent?.({ kind: "nonce-conflict", nonce: nonce ?? -1, detail: describeRevert(oracle, error) });
  const settled = (receipt: TransactionReceipt): SendResult => ({
    receipt,
    attempts: state.attempts,
    nonce: nonce ?? -1,
    rpcCalls: state.rpc.calls,
  });
  if (state.sent.length > 0) {
    const receipt = await waitAnyReceipt(ctx, state.rpc, state.sent, options.receiptTimeoutMs);
    if (receipt !== null) return settled(receipt);
  }
  if (await batchApplied(ctx, state.rpc, batch)) {
    const receipt = await findAppliedReceipt(ctx, state.rpc, batch);
    if (receipt !== null) {
      options.onEvent?.({ kind: "already-applied", txHash: receipt.hash });
      return settled(receipt);
    }
  }
  state.nonce = undefined;
  state.freshNonce = true;
  await failOrBackoff(ctx, state, error, "sending the batch");
  return undefined;
}

/** A send the node refused for good (not a nonce conflict): out of gas (retried by the caller) or rejected. */
function refusedSend(ctx: SendContext, state: SendState, error: unknown, nonce: number | undefined): Error {
  if (OUT_OF_GAS_PATTERN.test(messageOf(error)) && nonce !== undefined) {
    return new OutOfGasError(
      `sync ran out of gas: ${describeRevert(ctx.oracle, error)}`,
      nonce,
      state.attempts,
    );
  }
  return new ChainError(`sync rejected: ${describeRevert(ctx.oracle, error)}`, "SUBMIT");
}

/** Records a sent transaction: `sent` for the first, `replaced` for a fee bump's replacement. */
function recordSent(
  ctx: SendContext,
  state: SendState,
  batch: readonly SyncReport[],
  txHash: string,
  nonce: number,
) {
  const previous = state.sent[state.sent.length - 1];
  state.sent.push(txHash);
  const { maxFeePerGas } = state.fees;
  ctx.options.onEvent?.(
    previous === undefined
      ? { kind: "sent", txHash, nonce, maxFeePerGas, reports: batch.length }
      : { kind: "replaced", txHash, previousTxHash: previous, nonce, maxFeePerGas },
  );
}

/** A stuck transaction: the next send replaces it (same nonce, same data) with fees raised by `feeBumpPercent`. */
function bumpFees(ctx: SendContext, state: SendState, txHash: string): void {
  const { options } = ctx;
  state.bumps += 1;
  if (state.bumps > options.maxFeeBumps) {
    throw new ChainError(
      `sync transaction ${txHash} still unmined after ${options.maxFeeBumps} fee bumps`,
      "SUBMIT_STUCK",
    );
  }
  const bump = (value: bigint) => (value * (100n + options.feeBumpPercent) + 99n) / 100n;
  state.fees = {
    maxFeePerGas: bump(state.fees.maxFeePerGas),
    maxPriorityFeePerGas: bump(state.fees.maxPriorityFeePerGas),
  };
}

/**
 * Sends one signed batch and waits for its receipt. Sends go through the lane (nonce order); a transient RPC error
 * is retried there (bounded, with backoff) with the same nonce, so no later batch overtakes a nonce gap. A nonce
 * conflict is resolved by checking whether the batch was applied (a lost answer) or the nonce went to another
 * transaction (then a fresh nonce); a transaction unmined after `receiptTimeoutMs` is replaced with the same nonce
 * and a higher fee. A revert is never retried: it is reported by error name. `nonceHint`: a nonce to send with first
 * (a resend whose earlier nonce was not consumed).
 */
async function sendBatch(
  ctx: SendContext,
  batch: readonly SyncReport[],
  deadline: bigint,
  signatures: string[],
  gas: bigint,
  nonceHint?: number,
): Promise<SendResult> {
  const state: SendState = {
    request: await ctx.oracle.sync.populateTransaction([...batch], deadline, signatures),
    gas,
    nonce: nonceHint,
    freshNonce: false,
    fees: { ...ctx.fees },
    sent: [],
    attempts: 0,
    failures: 0,
    bumps: 0,
    rpc: { calls: 0 },
  };
  for (;;) {
    const result = await sendUnderLane(ctx, state);
    if ("error" in result) {
      if (!isNonceConflict(result.error)) throw refusedSend(ctx, state, result.error, result.nonce);
      const applied = await settleNonceConflict(ctx, state, batch, result.error, result.nonce);
      if (applied !== undefined) return applied;
      continue;
    }
    recordSent(ctx, state, batch, result.hash, result.nonce);
    const receipt = await waitAnyReceipt(ctx, state.rpc, state.sent, ctx.options.receiptTimeoutMs);
    if (receipt !== null)
      return { receipt, attempts: state.attempts, nonce: result.nonce, rpcCalls: state.rpc.calls };
    bumpFees(ctx, state, result.hash);
  }
}

/** A batch on its way: its reports and cost class. */
interface PlannedBatch {
  costClass: string;
  reports: SyncReport[];
}

/** A batch signed and priced, ready to send. */
interface SignedBatch extends PlannedBatch {
  deadline: bigint;
  signatures: string[];
  gas: bigint;
  /** The gas limit came from an estimate of this very batch (not from the calibration). */
  estimated: boolean;
}

/** Gas limit of an estimated batch: the estimate plus 20%, within the per-transaction budget when it fits. */
function limitFromEstimate(estimate: bigint, budget: bigint): bigint {
  const padded = (estimate * 12n) / 10n;
  return estimate <= budget && padded > budget ? budget : padded;
}

/** Estimates a signed batch's gas; a revert or RPC failure becomes a ChainError. */
async function estimateBatch(
  oracle: Oracle,
  reports: readonly SyncReport[],
  deadline: bigint,
  signatures: string[],
): Promise<bigint> {
  try {
    return await retryTransient(() => oracle.sync.estimateGas([...reports], deadline, signatures));
  } catch (error) {
    if (isTransientError(error))
      throw new ChainError(`estimating sync gas failed: ${describeRevert(oracle, error)}`, "RPC");
    throw new ChainError(`sync would revert: ${describeRevert(oracle, error)}`, "SUBMIT");
  }
}

/**
 * Batches by cost class (in order of first appearance), sized lazily: a class's size is known once its first batch
 * was estimated. Batches split for exceeding the budget are taken first.
 */
class BatchPlan {
  readonly #groups: { costClass: string; reports: SyncReport[]; next: number }[];
  readonly #splits: PlannedBatch[] = [];

  constructor(
    reports: readonly SyncReport[],
    costClass: (report: SyncReport) => string,
    private readonly calibration: GasCalibration,
  ) {
    const classes = new Map<string, SyncReport[]>();
    for (const report of reports) {
      const key = costClass(report);
      const list = classes.get(key) ?? [];
      list.push(report);
      classes.set(key, list);
    }
    this.#groups = [...classes.entries()].map(([key, list]) => ({ costClass: key, reports: list, next: 0 }));
  }

  /** The next batch to sign, or undefined when every report is planned. */
  next(): PlannedBatch | undefined {
    const split = this.#splits.shift();
    if (split !== undefined) return split;
    const group = this.#groups.find((g) => g.next < g.reports.length);
    if (group === undefined) return undefined;
    const size = this.calibration.batchSize(group.costClass);
    const batch = group.reports.slice(group.next, group.next + size);
    group.next += batch.length;
    return { costClass: group.costClass, reports: batch };
  }

  /** Plans `batch` again as two halves, taken next. */
  split(batch: PlannedBatch): void {
    const half = Math.ceil(batch.reports.length / 2);
    this.#splits.unshift(
      { costClass: batch.costClass, reports: batch.reports.slice(0, half) },
      { costClass: batch.costClass, reports: batch.reports.slice(half) },
    );
  }
}

/**
 * One deadline while it has more than half its validity left (signatures made with it stay valid while the batch
 * is sent, retried and, if stuck, replaced); then re-read from the latest block.
 */
class DeadlineClock {
  #base: { readAtMs: number; deadline: bigint };

  constructor(
    private readonly provider: Provider,
    private readonly latest: { timestamp: number },
    private readonly deadlineSeconds: bigint,
    private readonly shared: { calls: number },
  ) {
    this.#base = { readAtMs: Date.now(), deadline: deadlineFrom(latest.timestamp, deadlineSeconds) };
  }

  async current(): Promise<bigint> {
    if (Date.now() - this.#base.readAtMs > Number(this.deadlineSeconds) * 500) {
      this.shared.calls += 1;
      const block = await retryTransient(() => this.provider.getBlock("latest"));
      this.#base = {
        readAtMs: Date.now(),
        deadline: deadlineFrom(block?.timestamp ?? this.latest.timestamp, this.deadlineSeconds),
      };
    }
    return this.#base.deadline;
  }
}

/** Everything one submission's batches share. */
interface Submission {
  ctx: SendContext;
  calibration: GasCalibration;
  sign: BatchSigner;
  options: SubmitOptions;
  deadlines: DeadlineClock;
  plan: BatchPlan;
  /** Reads shared by the batches (block, validity, fees, estimates): counted with the first batch's outcome. */
  shared: { calls: number };
}

/** The send options with their defaults. */
function sendOptions(options: SubmitOptions): SendContext["options"] {
  return {
    retries: options.retries ?? DEFAULT_SEND_RETRIES,
    receiptTimeoutMs: options.receiptTimeoutMs ?? DEFAULT_RECEIPT_TIMEOUT_MS,
    feeBumpPercent: options.feeBumpPercent ?? DEFAULT_FEE_BUMP_PERCENT,
    maxFeeBumps: options.maxFeeBumps ?? DEFAULT_MAX_FEE_BUMPS,
    receiptPollMs: options.receiptPollMs ?? DEFAULT_RECEIPT_POLL_MS,
    retryBackoffMs: options.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS,
    onEvent: options.onEvent,
  };
}

/** Reads what every batch shares (latest block, report validity, fees, sender) and plans the batches. */
async function openSubmission(
  oracle: Oracle,
  rbtc: RBTCSynth,
  reports: readonly SyncReport[],
  sign: BatchSigner,
  options: SubmitOptions,
): Promise<Submission> {
  const provider = oracle.runner?.provider;
  if (provider == null) throw new Error("oracle contract has no provider");
  const signer = oracle.runner as Signer;
  if (typeof signer.sendTransaction !== "function")
    throw new Error("oracle contract is not connected to a signer");
  const [latest, [validity], feeData, from] = await Promise.all([
    retryTransient(() => provider.getBlock("latest")),
    retryTransient(() => oracle.staleness()),
    retryTransient(() => provider.getFeeData()),
    signer.getAddress(),
  ]);
  const shared = { calls: 3 };
  if (latest == null) throw new Error("the chain returned no latest block");
  const deadlineSeconds =
    BigInt(validity) < DEFAULT_DEADLINE_SECONDS ? BigInt(validity) : DEFAULT_DEADLINE_SECONDS;
  const maxFeePerGas = feeData.maxFeePerGas ?? feeData.gasPrice ?? 1_000_000_000n;
  const calibration =
    options.calibration ??
    new GasCalibration(
      transactionGasBudget(latest.gasLimit),
      options.batchSize ?? MAX_REPORTS_PER_TX,
      options.gasPerReport,
    );
  const ctx: SendContext = {
    oracle,
    rbtc,
    provider,
    signer,
    from,
    lane: new SendLane(provider, from),
    fees: { maxFeePerGas, maxPriorityFeePerGas: feeData.maxPriorityFeePerGas ?? maxFeePerGas },
    fromBlock: latest.number,
    abort: { failed: false },
    options: sendOptions(options),
  };
  return {
    ctx,
    calibration,
    sign,
    options,
    deadlines: new DeadlineClock(provider, latest, deadlineSeconds, shared),
    plan: new BatchPlan(reports, options.costClass ?? (() => "report"), calibration),
    shared,
  };
}

/**
 * Signs a batch and prices it: calibrated gas, or an estimate (then calibrating its class). Reports the committee
 * dropped are left out ("empty" when none is left); a batch over the budget is planned again as two halves ("split").
 */
async function prepareBatch(s: Submission, planned: PlannedBatch): Promise<SignedBatch | "split" | "empty"> {
  const { calibration } = s;
  const deadline = await s.deadlines.current();
  const approval = await s.sign(planned.reports, deadline);
  if (approval.dropped.length > 0) s.options.onDropped?.(approval.dropped);
  if (approval.reports.length === 0) return "empty";
  const { signatures } = approval;
  const batch: PlannedBatch = { costClass: planned.costClass, reports: approval.reports };
  const calibrated = calibration.gasLimit(batch.costClass, batch.reports.length);
  if (calibrated !== undefined) return { ...batch, deadline, signatures, gas: calibrated, estimated: false };
  s.shared.calls += 1;
  const estimate = await estimateBatch(s.ctx.oracle, batch.reports, deadline, signatures);
  if (estimate > calibration.budget && batch.reports.length > 1) {
    s.plan.split(batch);
    return "split";
  }
  calibration.observe(batch.costClass, batch.reports.length, estimate);
  return {
    ...batch,
    deadline,
    signatures,
    gas: limitFromEstimate(estimate, calibration.budget),
    estimated: true,
  };
}

/** The estimated gas of a batch whose calibrated limit was too low; the class's figure rises with it. */
async function reprice(s: Submission, batch: SignedBatch): Promise<{ gas: bigint; estimated: boolean }> {
  s.shared.calls += 1;
  const estimate = await estimateBatch(s.ctx.oracle, batch.reports, batch.deadline, batch.signatures);
  s.calibration.observe(batch.costClass, batch.reports.length, estimate);
  return { gas: limitFromEstimate(estimate, s.calibration.budget), estimated: true };
}

/** Sends a signed batch until mined; out of gas on a calibrated limit → estimated and sent once more. */
async function submitBatch(s: Submission, batch: SignedBatch): Promise<BatchOutcome> {
  const { ctx } = s;
  let { gas, estimated } = batch;
  let nonceHint: number | undefined;
  let attempts = 0;
  let rpcCalls = 0;
  for (;;) {
    let outcome: SendResult;
    try {
      outcome = await sendBatch(ctx, batch.reports, batch.deadline, batch.signatures, gas, nonceHint);
    } catch (error) {
      if (!(error instanceof OutOfGasError) || estimated) throw error;
      attempts += error.attempts;
      // A node that refused the transaction did not consume its nonce: send again with it.
      rpcCalls += 1;
      const pending = await retryTransient(() => ctx.provider.getTransactionCount(ctx.from, "pending"));
      nonceHint = pending <= error.nonce ? error.nonce : undefined;
      ({ gas, estimated } = await reprice(s, batch));
      continue;
    }
    attempts += outcome.attempts;
    rpcCalls += outcome.rpcCalls;
    const { receipt } = outcome;
    if (receipt.status !== 1) {
      if (!estimated && receipt.gasUsed >= gas) {
        ({ gas, estimated } = await reprice(s, batch));
        nonceHint = undefined;
        continue;
      }
      throw new ChainError(
        `sync transaction ${receipt.hash} reverted in block ${receipt.blockNumber}`,
        "SUBMIT",
      );
    }
    s.calibration.observe(batch.costClass, batch.reports.length, receipt.gasUsed);
    return { ...summariseReceipt(receipt, batch.reports.length, ctx.oracle, ctx.rbtc), attempts, rpcCalls };
  }
}

/**
 * Batch k+1 is signed while batch k is being sent; up to `maxInFlight` wait for their receipts together. The first
 * batch that fails for good stops the rest; its error is thrown once the batches already sent have settled.
 * Outcomes in send order.
 */
async function pipeline(s: Submission): Promise<BatchOutcome[]> {
  const { ctx, options } = s;
  const window = new Semaphore(Math.max(1, options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT));
  const outcomes: Array<BatchOutcome | undefined> = [];
  const inFlight: Promise<void>[] = [];
  let failure: unknown;
  const stop = (error: unknown) => {
    failure ??= error;
    ctx.abort.failed = true;
  };
  for (let batch = s.plan.next(); batch !== undefined; batch = s.plan.next()) {
    await window.acquire();
    if (ctx.abort.failed) {
      window.release();
      break;
    }
    let signed: SignedBatch | "split" | "empty";
    try {
      signed = await prepareBatch(s, batch);
    } catch (error) {
      window.release();
      stop(error);
      break;
    }
    if (signed === "split" || signed === "empty") {
      window.release();
      continue;
    }
    const index = outcomes.length;
    outcomes.push(undefined);
    inFlight.push(
      submitBatch(s, signed)
        .then((outcome) => {
          outcomes[index] = outcome;
          options.onBatch?.(outcome);
        }, stop)
        .finally(() => window.release()),
    );
  }
  await Promise.all(inFlight);
  // The first batch's failure, rethrown as that batch threw it (a ChainError or what the provider threw).
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  if (failure !== undefined) throw failure;
  return outcomes.filter((o): o is BatchOutcome => o !== undefined);
}

/**
 * Signs and submits `reports` in batches sized from the block gas limit, several transactions in flight.
 *
 * Reports are grouped by cost class; the first batch of each class is gas-estimated (split in two while it exceeds
 * the per-transaction budget) and calibrates the size and gas limit of every later batch of the class, so there is
 * one `eth_estimateGas` per class, not per batch. A calibrated batch that runs out of gas anyway is estimated and
 * sent again (it changed nothing: the reverted transaction consumed no sequence). Batch k+1 is signed while batch k
 * is being sent; sends go out in nonce order from locally counted nonces, and up to `maxInFlight` transactions wait
 * for their receipts together. Sends are retried on transient RPC errors and nonce conflicts (bounded), a stuck
 * transaction is replaced with a higher fee (see `sendBatch`); the first batch that fails for good stops the rest
 * and its error is thrown once the batches already sent have settled. Outcomes are in send order.
 */
export async function submitReports(
  oracle: Oracle,
  rbtc: RBTCSynth,
  reports: readonly SyncReport[],
  sign: BatchSigner,
  options: SubmitOptions = {},
): Promise<BatchOutcome[]> {
  const submission = await openSubmission(oracle, rbtc, reports, sign, options);
  const done = await pipeline(submission);
  // Reads shared by the batches (block, validity, fees, nonces, estimates) count with the first.
  const first = done[0];
  if (first !== undefined) first.rpcCalls += submission.shared.calls + submission.ctx.lane.calls;
  return done;
}
