/**
 * Batch sizing from measured gas instead of one `eth_estimateGas` per batch: the first batch of each cost class
 * (first mint, mint, burn, re-anchor) is estimated; its gas per report, plus a margin, sizes and prices every later
 * batch of that class. Receipts raise the figure when a batch used more than calibrated, and a batch that runs out
 * of gas anyway is estimated and resent by the submitter (see submit.ts) — the calibration only saves work, it never
 * decides whether a report is applied.
 */

/** Share of the block gas limit one sync transaction may use, leaving room for other transactions. */
export const MAX_BLOCK_GAS_SHARE_PERCENT = 50n;
/** EIP-7825 (Osaka): a transaction may not use more than 2^24 gas, whatever the block gas limit. */
export const MAX_TX_GAS = 16_777_216n;
/** Margin over the calibrated gas per report, in percent (reports of one class differ by a few percent). */
export const GAS_MARGIN_PERCENT = 20n;
/** Reports in the first, estimated batch of a cost class. */
export const CALIBRATION_BATCH_SIZE = 100;
/**
 * Most reports one transaction carries: 500 reports are 80 KB of calldata, below the 128 KB transaction size
 * limit of geth-style transaction pools.
 */
export const MAX_REPORTS_PER_TX = 500;
/** Gas of a sync transaction beyond its reports (intrinsic gas, signature checks, configuration reads). */
export const BATCH_OVERHEAD_GAS = 60_000n;

/** Gas one transaction may use on a chain whose blocks hold `blockGasLimit`. */
export function transactionGasBudget(blockGasLimit: bigint): bigint {
  const share = (blockGasLimit * MAX_BLOCK_GAS_SHARE_PERCENT) / 100n;
  return share < MAX_TX_GAS ? share : MAX_TX_GAS;
}

/** Per-class gas per report, learnt from estimates and receipts during one submission. */
export class GasCalibration {
  readonly #perReport = new Map<string, bigint>();
  readonly budget: bigint;
  readonly maxReports: number;

  /** `maxReports`: an explicit cap on reports per transaction (the operator's --batch-size), if any. */
  constructor(budget: bigint, maxReports = MAX_REPORTS_PER_TX, seed: Readonly<Record<string, bigint>> = {}) {
    this.budget = budget;
    this.maxReports = Math.max(1, Math.min(maxReports, MAX_REPORTS_PER_TX));
    for (const [costClass, gas] of Object.entries(seed)) this.#perReport.set(costClass, gas);
  }

  /** Calibrated gas per report of `costClass`, margin included; undefined until calibrated. */
  perReport(costClass: string): bigint | undefined {
    const gas = this.#perReport.get(costClass);
    return gas === undefined ? undefined : (gas * (100n + GAS_MARGIN_PERCENT) + 99n) / 100n;
  }

  /** Reports of `costClass` the next batch should carry. */
  batchSize(costClass: string): number {
    const perReport = this.perReport(costClass);
    if (perReport === undefined) return Math.min(CALIBRATION_BATCH_SIZE, this.maxReports);
    const fits = (this.budget - BATCH_OVERHEAD_GAS) / perReport;
    return Math.max(1, Math.min(this.maxReports, Number(fits)));
  }

  /** Gas limit of a calibrated batch of `reports` of `costClass` (undefined: estimate it). */
  gasLimit(costClass: string, reports: number): bigint | undefined {
    const perReport = this.perReport(costClass);
    if (perReport === undefined) return undefined;
    const limit = BATCH_OVERHEAD_GAS + perReport * BigInt(reports);
    return limit < this.budget ? limit : this.budget;
  }

  /** Records what a batch of `reports` of `costClass` took (an estimate or a receipt); the figure only rises. */
  observe(costClass: string, reports: number, gas: bigint): void {
    const perReport = (gas + BigInt(reports) - 1n) / BigInt(reports);
    const known = this.#perReport.get(costClass);
    if (known === undefined || perReport > known) this.#perReport.set(costClass, perReport);
  }
}
