import type { ContractTransactionReceipt, Interface, Log } from "ethers";

import type { Oracle, RBTCSynth } from "../../types/ethers-contracts/index.js";
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
  receipt: ContractTransactionReceipt,
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
    }
  }
  return outcome;
}

/**
 * Signs and submits `reports` in batches that fit the block gas limit, waiting for each receipt. A batch whose gas
 * estimate exceeds half the block gas limit is split in two and retried.
 */
export async function submitReports(
  oracle: Oracle,
  rbtc: RBTCSynth,
  reports: readonly SyncReport[],
  sign: BatchSigner,
  options: { batchSize?: number; onBatch?: (outcome: BatchOutcome) => void } = {},
): Promise<BatchOutcome[]> {
  const provider = oracle.runner?.provider;
  if (provider == null) throw new Error("oracle contract has no provider");
  const latest = await provider.getBlock("latest");
  if (latest == null) throw new Error("the chain returned no latest block");
  const [validity] = await oracle.staleness();
  const deadlineSeconds =
    BigInt(validity) < DEFAULT_DEADLINE_SECONDS ? BigInt(validity) : DEFAULT_DEADLINE_SECONDS;
  const gasBudget = (latest.gasLimit * MAX_BLOCK_GAS_SHARE_PERCENT) / 100n;

  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  const queue: SyncReport[][] = [];
  for (let i = 0; i < reports.length; i += batchSize) queue.push(reports.slice(i, i + batchSize));

  const outcomes: BatchOutcome[] = [];
  while (queue.length > 0) {
    const batch = queue.shift() as SyncReport[];
    const now = (await provider.getBlock("latest"))?.timestamp ?? latest.timestamp;
    const deadline = BigInt(now) + deadlineSeconds;
    const signatures = await sign(batch, deadline);
    const gas = await oracle.sync.estimateGas(batch, deadline, signatures);
    if (gas > gasBudget && batch.length > 1) {
      const half = Math.ceil(batch.length / 2);
      queue.unshift(batch.slice(0, half), batch.slice(half));
      continue;
    }
    const tx = await oracle.sync(batch, deadline, signatures, { gasLimit: (gas * 12n) / 10n });
    const receipt = await tx.wait();
    if (receipt == null) throw new Error(`sync transaction ${tx.hash} has no receipt`);
    const outcome = summariseReceipt(receipt, batch.length, oracle, rbtc);
    outcomes.push(outcome);
    options.onBatch?.(outcome);
  }
  return outcomes;
}
