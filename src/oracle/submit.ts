import type {
  ContractTransactionReceipt,
  Interface,
  Log,
  Provider,
  Signer,
  TransactionReceipt,
} from "ethers";

import type { Oracle, RBTCSynth } from "../../types/ethers-contracts/index.js";
import { ChainError } from "../errors.js";
import type { SyncReport } from "./reports.js";

/** Default reports per transaction; the gas check below splits a batch that would not fit. */
export const DEFAULT_BATCH_SIZE = 100;
/** Share of the block gas limit one sync transaction may use, leaving room for other transactions. */
export const MAX_BLOCK_GAS_SHARE_PERCENT = 50n;
/** How long committee signatures stay valid (capped by the Oracle's maxReportValiditySeconds). */
export const DEFAULT_DEADLINE_SECONDS = 600n;

/** Signs one batch: returns ≥ threshold signatures sorted by signer address, or throws. */
export type BatchSigner = (reports: readonly SyncReport[], deadline: bigint) => Promise<string[]>;

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
    attempts: 1,
    rpcCalls: 0,
  };
  const oracleAddress = oracle.target.toString().toLowerCase();
  const rbtcAddress = rbtc.target.toString().toLowerCase();
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
      if (event?.name === "EmergencyBurn") outcome.emergencyBurns += 1;
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

/** What happened while submitting (the runner logs these; tests drive faults from them). */
export type SubmitEvent =
  | { kind: "sent"; txHash: string; nonce: number; maxFeePerGas: bigint; reports: number }
  | { kind: "replaced"; txHash: string; previousTxHash: string; nonce: number; maxFeePerGas: bigint }
  | { kind: "retry"; attempt: number; reason: string }
  | { kind: "nonce-conflict"; nonce: number; detail: string }
  | { kind: "already-applied"; txHash: string };

export interface SubmitOptions {
  batchSize?: number;
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

interface SendContext {
  oracle: Oracle;
  rbtc: RBTCSynth;
  provider: Provider;
  signer: Signer;
  options: Required<Omit<SubmitOptions, "batchSize" | "onBatch" | "onEvent">> &
    Pick<SubmitOptions, "onEvent">;
  rpc: { calls: number };
  fromBlock: number;
}

/** True when every report of `batch` is already applied on chain (each user's sequence reached the report's). */
async function batchApplied(ctx: SendContext, batch: readonly SyncReport[]): Promise<boolean> {
  const users = batch.map((r) => r.user);
  ctx.rpc.calls += 1;
  const views = await ctx.oracle.userStates(users);
  return batch.every((r, i) => (views[i]?.sequence ?? 0n) >= r.sequence);
}

/** The receipt of the transaction that applied `batch` (found by its first user's Synced event). */
async function findAppliedReceipt(
  ctx: SendContext,
  batch: readonly SyncReport[],
): Promise<TransactionReceipt | null> {
  const first = batch[0];
  if (first === undefined) return null;
  ctx.rpc.calls += 2;
  const events = await ctx.oracle.queryFilter(ctx.oracle.filters.Synced(first.user), ctx.fromBlock);
  const match = events.find((e) => e.args.sequence === first.sequence);
  return match === undefined ? null : ctx.provider.getTransactionReceipt(match.transactionHash);
}

/** Polls the receipts of `hashes` until one is mined or `timeoutMs` passes. */
async function waitAnyReceipt(
  ctx: SendContext,
  hashes: readonly string[],
  timeoutMs: number,
): Promise<TransactionReceipt | null> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    for (const hash of hashes) {
      ctx.rpc.calls += 1;
      const receipt = await ctx.provider.getTransactionReceipt(hash).catch((error: unknown) => {
        if (isTransientError(error)) return null;
        throw error;
      });
      if (receipt !== null) return receipt;
    }
    if (Date.now() >= until) return null;
    await sleep(ctx.options.receiptPollMs);
  }
}

/**
 * Sends one signed batch and waits for its receipt. Transient RPC errors are retried (bounded, with backoff) with
 * the same nonce; a nonce conflict is resolved by checking whether the batch was applied (a lost answer) or the
 * nonce went to another transaction (then a fresh nonce); a transaction unmined after `receiptTimeoutMs` is
 * replaced with the same nonce and a higher fee. A revert is never retried: it is reported by error name.
 */
async function sendBatch(
  ctx: SendContext,
  batch: readonly SyncReport[],
  deadline: bigint,
  signatures: string[],
  gas: bigint,
): Promise<{ receipt: TransactionReceipt; attempts: number }> {
  const { oracle, provider, signer, options } = ctx;
  const request = await oracle.sync.populateTransaction([...batch], deadline, signatures);
  const from = await signer.getAddress();
  let nonce: number | undefined;
  let fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | undefined;
  const sent: string[] = [];
  let attempts = 0;
  let failures = 0;
  let bumps = 0;

  const fail = async (error: unknown, what: string): Promise<void> => {
    failures += 1;
    if (failures > options.retries) {
      throw new ChainError(
        `${what} failed after ${failures} attempts: ${describeRevert(oracle, error)}`,
        "SUBMIT",
      );
    }
    options.onEvent?.({ kind: "retry", attempt: failures, reason: describeRevert(oracle, error) });
    await sleep(options.retryBackoffMs * 2 ** (failures - 1));
  };

  for (;;) {
    try {
      if (nonce === undefined) {
        ctx.rpc.calls += 1;
        nonce = await provider.getTransactionCount(from, "pending");
      }
      if (fees === undefined) {
        ctx.rpc.calls += 1;
        const data = await provider.getFeeData();
        const maxFeePerGas = data.maxFeePerGas ?? data.gasPrice ?? 1_000_000_000n;
        fees = { maxFeePerGas, maxPriorityFeePerGas: data.maxPriorityFeePerGas ?? maxFeePerGas };
      }
    } catch (error) {
      if (!isTransientError(error)) throw error;
      await fail(error, "reading the nonce and fees");
      continue;
    }

    let txHash: string;
    try {
      ctx.rpc.calls += 1;
      attempts += 1;
      const tx = await signer.sendTransaction({ ...request, from, nonce, gasLimit: gas, ...fees, type: 2 });
      txHash = tx.hash;
    } catch (error) {
      if (isNonceConflict(error)) {
        // Was it our own earlier attempt (whose answer was lost) or another transaction? Wait for the nonce to be
        // mined, then look at the chain: never resend a batch the chain already applied.
        options.onEvent?.({ kind: "nonce-conflict", nonce, detail: describeRevert(oracle, error) });
        if (sent.length > 0) {
          const receipt = await waitAnyReceipt(ctx, sent, options.receiptTimeoutMs);
          if (receipt !== null) return { receipt, attempts };
        }
        if (await batchApplied(ctx, batch)) {
          const receipt = await findAppliedReceipt(ctx, batch);
          if (receipt !== null) {
            options.onEvent?.({ kind: "already-applied", txHash: receipt.hash });
            return { receipt, attempts };
          }
        }
        nonce = undefined;
        fees = undefined;
        await fail(error, "sending the batch");
        continue;
      }
      if (!isTransientError(error)) {
        throw new ChainError(`sync rejected: ${describeRevert(oracle, error)}`, "SUBMIT");
      }
      // The send may have reached the node before the error: the retry reuses the nonce, so it cannot apply twice.
      await fail(error, "sending the batch");
      continue;
    }
    const previous = sent[sent.length - 1];
    sent.push(txHash);
    if (previous === undefined) {
      options.onEvent?.({
        kind: "sent",
        txHash,
        nonce,
        maxFeePerGas: fees.maxFeePerGas,
        reports: batch.length,
      });
    } else {
      options.onEvent?.({
        kind: "replaced",
        txHash,
        previousTxHash: previous,
        nonce,
        maxFeePerGas: fees.maxFeePerGas,
      });
    }

    const receipt = await waitAnyReceipt(ctx, sent, options.receiptTimeoutMs);
    if (receipt !== null) return { receipt, attempts };
    // Stuck: replace it (same nonce, same data) with a higher fee.
    bumps += 1;
    if (bumps > options.maxFeeBumps) {
      throw new ChainError(
        `sync transaction ${txHash} still unmined after ${options.maxFeeBumps} fee bumps`,
        "SUBMIT_STUCK",
      );
    }
    const bump = (value: bigint) => (value * (100n + options.feeBumpPercent) + 99n) / 100n;
    fees = { maxFeePerGas: bump(fees.maxFeePerGas), maxPriorityFeePerGas: bump(fees.maxPriorityFeePerGas) };
  }
}

/**
 * Signs and submits `reports` in batches that fit the block gas limit, waiting for each receipt. A batch whose gas
 * estimate exceeds half the block gas limit is split in two and retried. Sends are retried on transient RPC errors
 * and nonce conflicts (bounded), and a transaction stuck unmined is replaced with a higher fee (see `sendBatch`).
 */
export async function submitReports(
  oracle: Oracle,
  rbtc: RBTCSynth,
  reports: readonly SyncReport[],
  sign: BatchSigner,
  options: SubmitOptions = {},
): Promise<BatchOutcome[]> {
  const provider = oracle.runner?.provider;
  if (provider == null) throw new Error("oracle contract has no provider");
  const signer = oracle.runner as Signer;
  if (typeof signer.sendTransaction !== "function")
    throw new Error("oracle contract is not connected to a signer");
  const rpc = { calls: 0 };
  const latest = await retryTransient(() => provider.getBlock("latest"));
  const [validity] = await retryTransient(() => oracle.staleness());
  rpc.calls += 2;
  if (latest == null) throw new Error("the chain returned no latest block");
  const deadlineSeconds =
    BigInt(validity) < DEFAULT_DEADLINE_SECONDS ? BigInt(validity) : DEFAULT_DEADLINE_SECONDS;
  const gasBudget = (latest.gasLimit * MAX_BLOCK_GAS_SHARE_PERCENT) / 100n;
  const ctx: SendContext = {
    oracle,
    rbtc,
    provider,
    signer,
    rpc,
    fromBlock: latest.number,
    options: {
      retries: options.retries ?? DEFAULT_SEND_RETRIES,
      receiptTimeoutMs: options.receiptTimeoutMs ?? DEFAULT_RECEIPT_TIMEOUT_MS,
      feeBumpPercent: options.feeBumpPercent ?? DEFAULT_FEE_BUMP_PERCENT,
      maxFeeBumps: options.maxFeeBumps ?? DEFAULT_MAX_FEE_BUMPS,
      receiptPollMs: options.receiptPollMs ?? DEFAULT_RECEIPT_POLL_MS,
      retryBackoffMs: options.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS,
      onEvent: options.onEvent,
    },
  };

  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  const queue: SyncReport[][] = [];
  for (let i = 0; i < reports.length; i += batchSize) queue.push(reports.slice(i, i + batchSize));

  const outcomes: BatchOutcome[] = [];
  while (queue.length > 0) {
    const batch = queue.shift() as SyncReport[];
    const before = rpc.calls;
    rpc.calls += 2;
    const now = (await retryTransient(() => provider.getBlock("latest")))?.timestamp ?? latest.timestamp;
    const deadline = BigInt(now) + deadlineSeconds;
    const signatures = await sign(batch, deadline);
    let gas: bigint;
    try {
      gas = await retryTransient(() => oracle.sync.estimateGas(batch, deadline, signatures));
    } catch (error) {
      if (isTransientError(error))
        throw new ChainError(`estimating sync gas failed: ${describeRevert(oracle, error)}`, "RPC");
      throw new ChainError(`sync would revert: ${describeRevert(oracle, error)}`, "SUBMIT");
    }
    if (gas > gasBudget && batch.length > 1) {
      const half = Math.ceil(batch.length / 2);
      queue.unshift(batch.slice(0, half), batch.slice(half));
      continue;
    }
    const { receipt, attempts } = await sendBatch(ctx, batch, deadline, signatures, (gas * 12n) / 10n);
    if (receipt.status !== 1) {
      throw new ChainError(
        `sync transaction ${receipt.hash} reverted in block ${receipt.blockNumber}`,
        "SUBMIT",
      );
    }
    const outcome = {
      ...summariseReceipt(receipt, batch.length, oracle, rbtc),
      attempts,
      rpcCalls: rpc.calls - before,
    };
    outcomes.push(outcome);
    options.onBatch?.(outcome);
  }
  return outcomes;
}
